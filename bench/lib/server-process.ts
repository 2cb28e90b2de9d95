import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../packages/server/src/testing/ports.ts';

export { freePort };

/** Helpers shared by benchmarks (bench/lib/ holds no benchmarks; scripts/bench.mjs runs only bench/*.ts). */

export const ROOT = new URL('../..', import.meta.url).pathname;


export type ServerProcess = {
  url: string;
  pid: number;
  /** CPU seconds (user + system) the server process has used so far, from /proc; null where there is no /proc. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
};

/**
 * Starts the real server (`packages/server/src/main.ts`) as a child process on a free loopback port with its own
 * temporary data dir, and resolves once /healthz answers. The child's output goes to our stderr, prefixed, so the
 * benchmark's stdout stays one JSON line.
 */
export async function startServer(env: Record<string, string>, opts: { label?: string; readyTimeoutMs?: number; entry?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lingxi-bench-'));
  const label = opts.label ?? 'server';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', opts.entry ?? 'packages/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LINGXI_DATA_DIR: dataDir,
      LINGXI_LOG_LEVEL: 'warn',
      LINGXI_ADMIN_PASSWORD: 'bench-admin-password',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const relay = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      process.stderr.write(`[${label}] ${line}\n`);
    }
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  let exited: number | null | undefined;
  const exitedP = new Promise<void>((r) => child.once('exit', (code) => { exited = code; r(); }));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedP;
      clearTimeout(t);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`${label} exited with code ${exited} before it was ready (its output is above)`);
    }
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${label} not ready within ${opts.readyTimeoutMs ?? 180_000} ms (its output is above)`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const pid = child.pid!;
  const ticks = 100; // USER_HZ on Linux
  return {
    url,
    pid,
    cpuSeconds() {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat are utime and stime in clock ticks; the name (field 2) may hold spaces.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(f[11]) + Number(f[12])) / ticks;
      } catch {
        return null;
      }
    },
    stop,
  };
}
