import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Entry point (not a benchmark): runs a server entry (BENCH_PROFILE_ENTRY, default packages/server/src/main.ts)
 * with a V8 CPU profiler that SIGUSR2 toggles — the first signal starts sampling, the second stops it and writes
 * the profile (Chrome DevTools .cpuprofile JSON) to BENCH_CPU_PROF. So a benchmark profiles exactly its measured
 * window, not start-up and warm-up (`node --cpu-prof` cannot do that, and NODE_OPTIONS does not allow it).
 */
const out = process.env.BENCH_CPU_PROF;
if (!out) throw new Error('BENCH_CPU_PROF (the .cpuprofile path to write) is required');
const session = new Session();
session.connect();
const post = <T = unknown>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, r) => (err ? reject(err) : resolve(r as T))));
let running = false;
process.on('SIGUSR2', () => {
  void (async () => {
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US ?? 500) });
      await post('Profiler.start');
      process.stderr.write('cpu profile: started\n');
    } else {
      running = false;
      const { profile } = await post<{ profile: object }>('Profiler.stop');
      writeFileSync(out, JSON.stringify(profile));
      process.stderr.write(`cpu profile: written to ${out}\n`);
    }
  })();
});
// Relative to the working directory (the repository root, where startServer runs its children).
await import(pathToFileURL(resolve(process.env.BENCH_PROFILE_ENTRY ?? 'packages/server/src/main.ts')).href);
