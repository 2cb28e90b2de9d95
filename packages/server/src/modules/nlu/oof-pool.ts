/**
 * Runs the parallel intent trainer's jobs (`OffThreadJob`: a calibration fold, or one learner of the final model)
 * on worker threads (`oof-worker.ts`), so they train at the same time as the main thread's share on a multi-core
 * machine. Each job gets its own short-lived thread.
 */
import { Worker } from 'node:worker_threads';
import type { OffThreadJob, OffThreadRunner } from './intent-classifier.ts';
import type { LinearModel } from './linear-svm.ts';
import type { MlpModel } from './mlp.ts';

const OOF_WORKER = new URL('./oof-worker.mjs', import.meta.url);

type Reply<T> = ({ ok: true } & T) | { ok: false; message: string };

function runInWorker<T>(job: OffThreadJob): Promise<T> {
  const what = job.kind === 'fold' ? `calibration fold ${job.fold}` : `learner ${job.index}`;
  return new Promise((resolve, reject) => {
    const w = new Worker(OOF_WORKER, { workerData: job });
    let done = false;
    w.once('message', (m: Reply<T>) => {
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

export const workerThreads: OffThreadRunner = {
  async fold(job) {
    const m = await runInWorker<{ rows: Int32Array; flat: Float64Array }>(job);
    const L = job.labels.length;
    const out: Float64Array[] = new Array(job.texts.length);
    m.rows.forEach((i, k) => (out[i] = m.flat.subarray(k * L, (k + 1) * L)));
    return out;
  },
  async learner(job) {
    const m = await runInWorker<{ svm?: LinearModel; mlp?: MlpModel }>(job);
    return { svm: m.svm, mlp: m.mlp };
  },
};
