import { Worker } from 'node:worker_threads';

/**
 * Runs one job on a short-lived worker thread. The entry (a `.mjs` that registers the TypeScript loader) reads the
 * job from `workerData` and posts one reply, `{ ok: true, ...result }` or `{ ok: false, message }`; the thread is
 * then terminated. Rejects when the job failed, the worker threw, or it exited without replying.
 */
export function runWorkerJob<T>(entry: URL, job: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const w = new Worker(entry, { workerData: job });
    let done = false;
    w.once('message', (m: ({ ok: true } & T) | { ok: false; message: string }) => {
      done = true;
      void w.terminate();
      if (m.ok) resolve(m);
      else reject(new Error(`${what} failed: ${m.message}`));
    });
    w.once('error', (err) => {
      done = true;
      reject(err);
    });
    w.once('exit', (code) => {
      if (!done) reject(new Error(`${what}: worker exited with ${code}`));
    });
  });
}
