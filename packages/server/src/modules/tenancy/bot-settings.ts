import { z } from 'zod';

/** Per-bot behaviour, editable by admins. Defaults suit a Chinese retail-bank customer-service robot. */
export const BotSettings = z.object({
  greeting: z.string().max(500).default('您好，我是智能客服小灵，请问有什么可以帮您？'),
  fallback: z.string().max(500).default('抱歉，我还没理解您的问题。您可以换个说法，或看看大家常问的问题：'),
  handoffText: z.string().max(500).default('正在为您转接人工客服，请稍候。人工客服会尽快与您联系。'),
  thanksReply: z.string().max(500).default('不客气，很高兴为您服务！还有其他问题可以随时问我。'),
  /** Hand off after this many fallbacks in a row. */
  handoffAfterFailures: z.number().int().min(1).max(20).default(3),
  handoffKeywords: z.array(z.string().min(1).max(40)).max(50).default(['转人工', '人工客服', '人工服务', '找人工', '真人', '客服人员', 'agent', 'human', 'real person', 'operator']),
  thresholds: z
    .object({
      /** Answer directly when the best candidate's calibrated score reaches this… */
      answer: z.number().min(0).max(1).default(0.55),
      /** …and leads the runner-up by at least this much; otherwise clarify. */
      margin: z.number().min(0).max(1).default(0.12),
      /** Candidates at or above this are offered in a clarifying question; below it, fall back. */
      clarify: z.number().min(0).max(1).default(0.15),
    })
    .default({ answer: 0.55, margin: 0.12, clarify: 0.15 }),
  maxClarifyOptions: z.number().int().min(2).max(5).default(3),
  relatedQuestions: z.number().int().min(0).max(5).default(3),
  /** External ids of knowledge entries offered as hot questions on fallback. */
  hotQuestions: z.array(z.string()).max(30).default([]),
});
export type BotSettings = z.infer<typeof BotSettings>;

export const BotSettingsPatch = BotSettings.partial();
export type BotSettingsPatch = z.infer<typeof BotSettingsPatch>;
