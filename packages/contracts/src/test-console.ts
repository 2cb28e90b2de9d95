/**
 * The test console's per-turn trace (server: modules/robot/test-console.ts; web: features/test-console): what the
 * robot understood and why it decided as it did.
 */

/** The working copy, or a published version number. */
export type ConsoleVersion = 'draft' | number;

export type TraceHit = { id: string; kind: 'entry' | 'flow'; question: string; score: number };

export type TraceDecision = 'answer' | 'clarify' | 'fallback' | 'flow' | 'handoff' | 'smalltalk' | 'no_knowledge';

export type TraceReason = {
  /** Machine-readable rule (the console formats it per language). */
  rule:
    | 'confident' | 'low_score' | 'low_margin' | 'below_clarify' | 'underspecified' | 'repeated_fallback' | 'choice'
    | 'handoff_keyword' | 'smalltalk' | 'none_of_these' | 'no_knowledge';
  /** The same in words, e.g. "score 0.48 < answer threshold 0.55; margin 0.05 < 0.12 → clarify". */
  text: string;
  score?: number;
  second?: number;
  margin?: number;
};

export type TurnTrace = {
  version: ConsoleVersion;
  /** For the draft: when its model was trained; entries in the model. */
  trainedAt: string;
  entryCount: number;
  lang: string;
  normalized: string | null;
  /** A follow-up read as a full question ("那信用卡呢" → "信用卡年费多少"). */
  rewritten?: string;
  decision: TraceDecision;
  /** What the robot understood: the best entry or flow, when there is one. */
  intent: TraceHit | null;
  hits: TraceHit[];
  /** The bot's thresholds the decision was taken against. */
  thresholds: { answer: number; margin: number; clarify: number };
  reason: TraceReason;
  flow?: { id: string; name: string };
  ms: number;
};
