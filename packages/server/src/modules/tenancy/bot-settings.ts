import { z } from 'zod';

// Each field once without its default: the patch schema must not fill absent fields with defaults (zod 4 applies a
// default even inside .partial(), which would silently reset every setting a PATCH did not mention).
const Text = z.string().max(500);
const Keywords = z.array(z.string().trim().min(1).max(40)).max(50);
const Thresholds = z.object({
  /** Answer directly when the best candidate's calibrated score reaches this… */
  answer: z.number().min(0).max(1),
  /** …and leads the runner-up by at least this much; otherwise clarify. */
  margin: z.number().min(0).max(1),
  /** Candidates at or above this are offered in a clarifying question; below it, fall back. */
  clarify: z.number().min(0).max(1),
});
const Learning = z.object({ hotQuestionsAuto: z.boolean(), lowConfidence: z.number().min(0).max(1) });
const HandoffAfterFailures = z.number().int().min(1).max(20);
const MaxClarifyOptions = z.number().int().min(2).max(5);
const RelatedQuestions = z.number().int().min(0).max(5);
const HotQuestions = z.array(z.string()).max(30);

const DEFAULT_THRESHOLDS = { answer: 0.55, margin: 0.12, clarify: 0.15 };
const DEFAULT_LEARNING = { hotQuestionsAuto: false, lowConfidence: 0.6 };

/** Per-bot behaviour, editable by admins. Defaults suit a Chinese retail-bank customer-service robot. */
export const BotSettings = z.object({
  greeting: Text.default('您好，我是智能客服小灵，请问有什么可以帮您？'),
  fallback: Text.default('抱歉，我还没理解您的问题。您可以换个说法，或看看大家常问的问题：'),
  handoffText: Text.default('正在为您转接人工客服，请稍候。人工客服会尽快与您联系。'),
  thanksReply: Text.default('不客气，很高兴为您服务！还有其他问题可以随时问我。'),
  /** Hand off after this many fallbacks in a row. */
  handoffAfterFailures: HandoffAfterFailures.default(3),
  handoffKeywords: Keywords.default(['转人工', '人工客服', '人工服务', '找人工', '真人', '客服人员', 'agent', 'human', 'real person', 'operator']),
  thresholds: z
    .object({
      answer: Thresholds.shape.answer.default(DEFAULT_THRESHOLDS.answer),
      margin: Thresholds.shape.margin.default(DEFAULT_THRESHOLDS.margin),
      clarify: Thresholds.shape.clarify.default(DEFAULT_THRESHOLDS.clarify),
    })
    .default(DEFAULT_THRESHOLDS),
  maxClarifyOptions: MaxClarifyOptions.default(3),
  relatedQuestions: RelatedQuestions.default(3),
  /** External ids of knowledge entries offered as hot questions on fallback. */
  hotQuestions: HotQuestions.default([]),
  /** Learning from traffic (modules/learning): automatic hot questions when the list above is empty (the most
   * answered entries of the last 7 days), and the confidence below which an answer is collected for review. */
  learning: z.object({ hotQuestionsAuto: Learning.shape.hotQuestionsAuto.default(false), lowConfidence: Learning.shape.lowConfidence.default(0.6) }).default(DEFAULT_LEARNING),
});
export type BotSettings = z.infer<typeof BotSettings>;

/** A change of some settings: absent fields (also inside thresholds and learning) keep their current value. */
export const BotSettingsPatch = z.object({
  greeting: Text.optional(),
  fallback: Text.optional(),
  handoffText: Text.optional(),
  thanksReply: Text.optional(),
  handoffAfterFailures: HandoffAfterFailures.optional(),
  handoffKeywords: Keywords.optional(),
  thresholds: Thresholds.partial().optional(),
  maxClarifyOptions: MaxClarifyOptions.optional(),
  relatedQuestions: RelatedQuestions.optional(),
  hotQuestions: HotQuestions.optional(),
  learning: Learning.partial().optional(),
});
export type BotSettingsPatch = z.infer<typeof BotSettingsPatch>;

/** The settings after a patch: thresholds and learning are merged field by field, keywords de-duplicated. */
export function mergeSettings(current: BotSettings | undefined, patch: BotSettingsPatch = {}): BotSettings {
  const base = BotSettings.parse(current ?? {});
  const { thresholds, learning, handoffKeywords, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return BotSettings.parse({
    ...base,
    ...defined,
    handoffKeywords: handoffKeywords ? [...new Set(handoffKeywords.map((k) => k.trim()))] : base.handoffKeywords,
    thresholds: { ...base.thresholds, ...Object.fromEntries(Object.entries(thresholds ?? {}).filter(([, v]) => v !== undefined)) },
    learning: { ...base.learning, ...Object.fromEntries(Object.entries(learning ?? {}).filter(([, v]) => v !== undefined)) },
  });
}

/**
 * Rules across fields, each broken one as {path, message}. The robot answers at `answer`, asks a clarifying
 * question from `clarify` up and falls back below it: a clarify threshold above the answer threshold would leave
 * no room for clarification and make the decision order meaningless.
 */
export function settingsProblems(s: BotSettings): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (s.thresholds.clarify > s.thresholds.answer) {
    out.push({ path: 'thresholds.clarify', message: `the clarify threshold (${s.thresholds.clarify}) must not be above the answer threshold (${s.thresholds.answer})` });
  }
  return out;
}
