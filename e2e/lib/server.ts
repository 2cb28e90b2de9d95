import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../packages/server/src/testing/ports.ts';

export { freePort };

/**
 * Starts the REAL Lingxi server as a child process (the way a user starts it), on a free port with a fresh data
 * directory, and stops it afterwards. Browser tests talk to it over real HTTP and WebSocket.
 */
export type RunningServer = {
  url: string;
  port: number;
  dataDir: string;
  /** The last lines the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
};

export const repoRoot = new URL('../..', import.meta.url).pathname;


export async function startServer(opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lingxi-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-8000);
  };
  const child = spawn('npx', ['tsx', 'packages/server/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      LINGXI_DATA_DIR: dataDir,
      LINGXI_LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      ...opts.env,
    },
    // Own process group: npx -> node -> tsx's child are all stopped together, none left running after the tests.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | null = null;
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });

  const stop = async () => {
    await killGroup(child);
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`server ${exited} before it was healthy:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not healthy at ${url}/healthz within ${(opts.timeoutMs ?? 60_000) / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, dataDir, output: () => out, stop };
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000));
  if ((await Promise.race([gone, timer])) === 'timeout') {
    signal('SIGKILL');
    await gone;
  }
}
