/**
 * NLU engine: FAQ matching for the Q&A robot, intent classification with out-of-scope rejection for the
 * business robot, and the pieces they are built from (each a train / predict / serialize component).
 */
export { trainFaqMatcher, loadFaqMatcher, DEFAULT_THRESHOLDS } from './faq-matcher.ts';
export type { FaqDoc, FaqHit, FaqMatcherOptions, FaqModel } from './faq-matcher.ts';
export {
  intentEngine,
  trainIntentEngine,
  trainIntentEngineAsync,
  predictWithEngine,
  serializeIntentEngine,
  deserializeIntentEngine,
} from './intent-engine.ts';
export type { IntentEngineModel, IntentEngineOptions } from './intent-engine.ts';
export { intentClassifier, type IntentModel, type IntentClassifierOptions } from './intent-classifier.ts';
export { chooseThreshold, type OosDecision } from './oos-detector.ts';
export { TrainingError } from './component.ts';
export type { NluComponent, IntentPrediction, IntentScore, Example } from './component.ts';
export { parseCsv, readLabelledCsv } from './dataset.ts';
export { normalize } from './text-prep.ts';
