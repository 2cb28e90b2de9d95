/**
 * Runs the parallel intent trainer's jobs (`OffThreadJob`: a calibration fold, or one learner of the final model)
 * on worker threads (`oof-worker.ts`), so they train at the same time as the main thread's share on a multi-core
 * machine. Each job gets its own short-lived thread.
 */
import { runWorkerJob } from '../../platform/worker-job.ts';
import type { OffThreadJob, OffThreadRunner } from './intent-classifier.ts';
import type { LinearModel } from './linear-svm.ts';
import type { MlpModel } from './mlp.ts';

const OOF_WORKER = new URL('./oof-worker.mjs', import.meta.url);

function runInWorker<T>(job: OffThreadJob): Promise<T> {
  return runWorkerJob<T>(OOF_WORKER, job, job.kind === 'fold' ? `calibration fold ${job.fold}` : `learner ${job.index}`);
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
