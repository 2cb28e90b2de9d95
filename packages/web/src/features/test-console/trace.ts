import type { MessageKey } from '../../shared/messages.ts';
import type { TraceDecision, TurnTrace } from '@lingxi/contracts';

/** Tag colour of each decision. */
export const DECISION_COLOR: Record<TraceDecision, string> = {
  answer: 'green', clarify: 'gold', fallback: 'red', flow: 'blue', handoff: 'purple', smalltalk: 'default', no_knowledge: 'default',
};

/** The dictionary key and values that explain a trace's decision in the user's language. */
export function reasonOf(trace: TurnTrace): { key: MessageKey; vars: Record<string, string | number> } {
  const { reason: r, thresholds: th } = trace;
  const f = (x: number | undefined) => (x ?? 0).toFixed(2);
  const vars = { score: f(r.score), second: f(r.second), margin: f(r.margin), answer: th.answer, marginTh: th.margin, clarify: th.clarify };
  const key = ({
    confident: 'tc.reason.confident', low_score: 'tc.reason.lowScore', low_margin: 'tc.reason.lowMargin', below_clarify: 'tc.reason.belowClarify',
    underspecified: 'tc.reason.underspecified', repeated_fallback: 'tc.reason.repeatedFallback', choice: 'tc.reason.choice',
    handoff_keyword: 'tc.reason.handoffKeyword', smalltalk: 'tc.reason.smalltalk', none_of_these: 'tc.reason.noneOfThese', no_knowledge: 'tc.reason.noKnowledge',
  } as Record<string, MessageKey>)[r.rule] ?? 'tc.reason.other';
  if (r.rule === 'below_clarify' && !trace.hits.length) return { key: 'tc.reason.noCandidate', vars };
  return { key, vars };
}

/** Where a score sits against the thresholds: the bar colour. */
export function scoreStatus(score: number, th: TurnTrace['thresholds']): 'success' | 'normal' | 'exception' {
  if (score >= th.answer) return 'success';
  if (score >= th.clarify) return 'normal';
  return 'exception';
}
