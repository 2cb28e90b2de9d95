/**
 * The NLU pipeline component contract (after botpress/nlu `component.ts`): train → model, predict with a
 * model, and a model that round-trips through bytes so the server can keep it in PostgreSQL and swap it
 * in on republish without retraining. Models are plain data; components are stateless.
 */
import type { Example } from './dataset.ts';

export type { Example };

export type IntentScore = { label: string; score: number };

export type IntentPrediction = {
  /** best label, or null when the out-of-scope detector rejects the utterance */
  label: string | null;
  /** calibrated probability of the best label */
  score: number;
  /** top labels, best first, calibrated */
  ranking: IntentScore[];
};

export type NluComponent<M, O = unknown, P = IntentPrediction> = {
  readonly name: string;
  train(examples: Example[], opts?: O): M;
  predict(model: M, text: string): P;
  serialize(model: M): Buffer;
  deserialize(data: Buffer | string): M;
};

export class TrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingError';
  }
}
