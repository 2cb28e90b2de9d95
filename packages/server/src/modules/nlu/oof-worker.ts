import { parentPort, workerData } from 'node:worker_threads';
import { outOfFoldMargins, fitOneLearner, type OffThreadJob } from './intent-classifier.ts';

/** One job of the parallel intent trainer, off the main thread: a calibration fold's logits or a final learner. */
const job = workerData as OffThreadJob;
try {
  if (job.kind === 'fold') {
    const out = outOfFoldMargins(job.texts, job.y, job.labels, job.views, job.learners, job.folds, job.epochs, job.seed, undefined, job.fold);
    const L = job.labels.length;
    const rows: number[] = [];
    for (let i = 0; i < out.length; i++) if (out[i]) rows.push(i);
    const flat = new Float64Array(rows.length * L);
    rows.forEach((i, k) => flat.set(out[i], k * L));
    parentPort!.postMessage({ ok: true, rows: Int32Array.from(rows), flat }, [flat.buffer]);
  } else {
    const { svm, mlp } = fitOneLearner(job.texts, job.y, job.labels, job.views, job.learners, job.epochs, job.seed, job.index);
    const buffers = [svm?.W.buffer, mlp?.W1.buffer, mlp?.W2.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    parentPort!.postMessage({ ok: true, svm, mlp }, buffers);
  }
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message });
}
