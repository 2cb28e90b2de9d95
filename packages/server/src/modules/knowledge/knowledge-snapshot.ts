import type { FlowDefinition } from '@lingxi/contracts';

/**
 * What a bot serves: the immutable content of one published knowledge version. The Q&A robot and the NLU trainer
 * read only this, never the working copy.
 */
export type SnapshotEntry = {
  /** The entry's external id (stable across imports and versions; the id column of the import layout). */
  id: string;
  category: string | null;
  question: string;
  similar: string[];
  answer: string;
  answerHtml: string | null;
  /** Per-channel answer variants, e.g. { sms: "...", wechat: "..." }. */
  channelAnswers: Record<string, string>;
  tags: string[];
  related: string[];
  validFrom: string | null;
  validTo: string | null;
};

export type KnowledgeSnapshot = {
  version: number;
  entries: SnapshotEntry[];
  synonyms: string[][];
  /**
   * The bot's enabled business flows at publish time (modules/flows). Absent in versions published before flows
   * existed, and when the service runs without a flow store.
   */
  flows?: FlowDefinition[];
};

/** An entry is served only inside its validity period. */
export function isValidAt(e: Pick<SnapshotEntry, 'validFrom' | 'validTo'>, at: Date): boolean {
  const t = at.getTime();
  if (e.validFrom && Date.parse(e.validFrom) > t) return false;
  if (e.validTo && Date.parse(e.validTo) < t) return false;
  return true;
}
