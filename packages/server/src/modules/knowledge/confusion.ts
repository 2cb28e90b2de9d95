import { DEFAULT_THRESHOLDS, type FaqHit } from '../nlu/index.ts';

/** The part of the bot's loaded model the check needs (modules/robot LoadedBot). */
export type ConfusionModel = {
  version: number;
  model: { match(text: string, k?: number): FaqHit[] };
  entries: Map<string, { question: string }>;
};

export type ConfusionMatch = {
  /** Entry external id, or "flow:<id>" for a business flow's trigger phrases. */
  id: string;
  /** The entry's standard question (the flow id for a flow). */
  title: string;
  /** The training question of that entry the text is closest to. */
  matched: string;
  score: number;
};

export type ConfusionItem = {
  question: string;
  matches: ConfusionMatch[];
  /** The model's best match is another entry (or a flow) with a score at which it would answer or offer it. */
  confused: boolean;
  /** The best match is the entry itself. */
  self: boolean;
};

export type ConfusionReport = { version: number; entryId: string | null; items: ConfusionItem[]; confusedCount: number };

/**
 * Runs each question through the bot's current (published) model and reports its top matches. A question is
 * "confused" when the best match is not the entry it belongs to (entryId, an external id) and scores at least the
 * robot's clarify threshold — a customer asking it would be answered with, or offered, that other entry. For
 * questions of an entry not published yet (entryId absent from the model) every such match counts as confusion:
 * after publishing, the new entry would compete with it.
 */
export function checkConfusion(m: ConfusionModel, questions: string[], entryId: string | null, k = 3): ConfusionReport {
  const items = questions.map((question): ConfusionItem => {
    const hits = m.model.match(question, k);
    const matches = hits.map((h) => ({
      id: h.id, title: m.entries.get(h.id)?.question ?? h.id, matched: h.question, score: Math.round(h.score * 1000) / 1000,
    }));
    const best = matches[0];
    const self = !!best && best.id === entryId;
    return { question, matches, self, confused: !!best && !self && best.score >= DEFAULT_THRESHOLDS.clarify };
  });
  return { version: m.version, entryId, items, confusedCount: items.filter((i) => i.confused).length };
}
