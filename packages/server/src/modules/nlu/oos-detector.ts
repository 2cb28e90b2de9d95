/**
 * Out-of-scope detection: reject an utterance when the calibrated confidence of its best intent is below
 * a threshold chosen from the training data alone, using out-of-fold predictions (each training text
 * scored by a model that did not see it). With example out-of-scope utterances (the `oosLabel` rows) the
 * threshold maximises in-scope accuracy + out-of-scope recall over those predictions; without them it
 * keeps a fixed share of the correctly classified in-scope texts.
 * (threshold maximises in-scope accuracy + OOS_WEIGHT × oos recall)
 */
import { softmax } from './linear-svm.ts';

export type OosScoredRow = { p: number; correct: boolean; oos: boolean };

export type OosDecision = { threshold: number; inscopeAccuracy: number; oosRecall: number | null };

/** Share of correctly classified in-scope texts to keep when there are no out-of-scope examples. */
export const KEEP_WHEN_NO_OOS = 0.97;

/** Weight of out-of-scope recall against in-scope accuracy when choosing the threshold. */
export const OOS_WEIGHT = 0.45;

/** Width of the soft step used when counting (in probability units). */
const SMOOTH = 0.04;

/**
 * Rows: the calibrated max probability (0 when the best label is the out-of-scope class itself),
 * whether the prediction was right, and whether the text is out of scope.
 */
export function chooseThreshold(rows: OosScoredRow[], opts: { oosWeight?: number } = {}): OosDecision {
  const ins = rows.filter((r) => !r.oos);
  const oos = rows.filter((r) => r.oos);
  if (!ins.length) return { threshold: 0, inscopeAccuracy: 0, oosRecall: null };
  if (!oos.length) {
    const ok = ins.filter((r) => r.correct).map((r) => r.p).sort((a, b) => a - b);
    const th = ok.length ? ok[Math.floor(ok.length * (1 - KEEP_WHEN_NO_OOS))] : 0;
    const threshold = Math.min(th, 0.5);
    return { threshold, inscopeAccuracy: ins.filter((r) => r.correct && r.p >= threshold).length / ins.length, oosRecall: null };
  }
  // A missed out-of-scope message costs about half a mishandled in-scope one: the robot's clarify/fallback flow
  // recovers some of the former, while rejecting a customer's real request always frustrates.
  const w = opts.oosWeight ?? OOS_WEIGHT;
  // Smoothed counts (a soft step of width SMOOTH instead of a hard one): with ~100 out-of-scope examples the hard
  // objective is a staircase whose maximum jumps between distant thresholds; the smooth one picks the middle.
  const sig = (z: number) => 1 / (1 + Math.exp(-z / SMOOTH));
  let best: OosDecision = { threshold: 0, inscopeAccuracy: 0, oosRecall: 0 };
  let bestObj = -Infinity;
  for (let th = 0; th <= 0.99; th += 0.005) {
    let ia = 0;
    for (const r of ins) if (r.correct) ia += sig(r.p - th);
    let orr = 0;
    for (const r of oos) orr += sig(th - r.p);
    const obj = ia / ins.length + (w * orr) / oos.length;
    if (obj > bestObj + 1e-12) {
      bestObj = obj;
      best = {
        threshold: Math.round(th * 1000) / 1000,
        inscopeAccuracy: ins.filter((r) => r.correct && r.p >= th).length / ins.length,
        oosRecall: oos.filter((r) => r.p < th).length / oos.length,
      };
    }
  }
  return best;
}

/** Calibrated max probability of a logit row, 0 if the winner is the out-of-scope class. */
export function scoreRow(logits: Float64Array, temperature: number, oosIndex: number): { p: number; arg: number } {
  const p = softmax(logits, temperature);
  let arg = 0;
  for (let c = 1; c < p.length; c++) if (p[c] > p[arg]) arg = c;
  return { p: arg === oosIndex ? 0 : p[arg], arg };
}
