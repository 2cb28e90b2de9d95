/** The learning port: collected questions and answered-entry counts. Every method is scoped by tenant and bot. */

export type LearningDecision = 'fallback' | 'clarify' | 'low_confidence';
export type QuestionStatus = 'open' | 'handled' | 'dismissed';

export type LearningQuestion = {
  id: string;
  tenantId: string;
  botId: string;
  /** The customer's message as sent. */
  text: string;
  normalized: string;
  lang: string;
  /** The matcher's best score, when there was a candidate. */
  score: number | null;
  decision: LearningDecision;
  conversationId: string | null;
  status: QuestionStatus;
  at: Date;
};

export type AnswerCount = { period: string; entryId: string; count: number };

export type LearningRepository = {
  /** Collected questions, written together (one statement). */
  insertQuestions(qs: Omit<LearningQuestion, 'status'>[]): Promise<void>;
  /** Open questions asked at or after `since`, oldest first, at most `limit` (the newest ones when there are more). */
  openQuestions(tenantId: string, botId: string, opts: { since: Date; limit: number }): Promise<LearningQuestion[]>;
  /** The open ones among these ids. */
  findOpen(tenantId: string, botId: string, ids: string[]): Promise<LearningQuestion[]>;
  /** Marks open questions handled or dismissed; returns how many changed. */
  resolve(tenantId: string, botId: string, ids: string[], to: Exclude<QuestionStatus, 'open'>, resolution: string | null, by: string, at: Date): Promise<number>;
  /**
   * Answers per entry and period (day, or ISO week starting Monday) in [from, to] (days in Asia/Shanghai, inclusive),
   * from the analytics rollups (modules/analytics: the projector folds the conversation log into them).
   */
  answerCounts(tenantId: string, botId: string, opts: { from: string; to: string; period: 'day' | 'week' }): Promise<AnswerCount[]>;
  /** The most answered entries since a day, most first (ties by entry id). */
  topAnswered(tenantId: string, botId: string, from: string, limit: number): Promise<{ entryId: string; count: number }[]>;
};
