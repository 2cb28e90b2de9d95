import { parentPort, workerData } from 'node:worker_threads';
import { trainFaqMatcher, type FaqDoc } from '../nlu/index.ts';

/** Trains one FAQ model off the main thread and hands back its serialized form. */
export type TrainJob = { docs: FaqDoc[]; synonyms: string[][] };

const job = workerData as TrainJob;
try {
  const model = await trainFaqMatcher(job.docs, { synonyms: job.synonyms });
  const data = model.serialize();
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  parentPort!.postMessage({ ok: true, data: ab }, [ab as ArrayBuffer]);
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message });
}
