import type { Reply, ReplyOption } from '@lingxi/contracts';

/**
 * 5G message (RCS chatbot) rendering. Sources relied on:
 * - Message parts and content types as the Chinese 5G message platforms take them (a list of
 *   `{contentType, contentText}`): text/plain; application/vnd.gsma.botmessage.v1.0+json (rich card);
 *   application/vnd.gsma.botsuggestion.v1.0+json (suggested replies/actions) — e.g. the CSP format documented at
 *   bak.easydoc.net/doc/67758402/4IMRt04A/ug0wC2MH, which refers to GSMA RCC.07 for the JSON schemas.
 * - Card and suggestion JSON (GSMA RCC.07 / the MaaP chatbot API FNW.11 as implemented by the rcs-maap-bot client):
 *   `{message: {generalPurposeCard: {layout: {cardOrientation}, content: {title, description, suggestions}}}}` and
 *   `{reply: {displayText, postback: {data}}}`.
 * - Limits (RCC.07): a suggestion's displayText at most 25 characters; at most 11 suggestions in a chip list and 4
 *   on a card; card title 200 and description 2000 characters.
 */
export const CT = {
  text: 'text/plain',
  card: 'application/vnd.gsma.botmessage.v1.0+json',
  suggestions: 'application/vnd.gsma.botsuggestion.v1.0+json',
  suggestionResponse: 'application/vnd.gsma.botsuggestion.response.v1.0+json',
} as const;

export type RcsPart = { contentType: string; contentEncoding?: 'utf8'; contentText: unknown };
export type RcsSuggestion = { reply: { displayText: string; postback: { data: string } } };

const MAX_CHIPS = 11;
const MAX_LABEL = 25;
const cut = (s: string, n: number) => ([...s].length <= n ? s : [...s].slice(0, n - 1).join('') + '…');

/** Clarification and hot-question options: tapping one sends its number back, which the robot reads as the choice. */
const optionChip = (o: ReplyOption): RcsSuggestion => ({ reply: { displayText: cut(`${o.n}. ${o.text}`, MAX_LABEL), postback: { data: String(o.n) } } });
/**
 * Related questions are not pending choices in the robot's state (only clarify/fallback options are), so a related
 * chip posts back the question itself, which the robot then matches like a typed question.
 */
const relatedChip = (o: ReplyOption): RcsSuggestion => ({ reply: { displayText: cut(o.text, MAX_LABEL), postback: { data: o.text } } });

const chips = (s: RcsSuggestion[]): RcsPart => ({ contentType: CT.suggestions, contentEncoding: 'utf8', contentText: { suggestions: s.slice(0, MAX_CHIPS) } });

/**
 * One reply as one 5G message (a list of parts). An answer becomes a rich card titled with the entry's question
 * (when known) whose description is the answer, related questions as chips; options become chips under the text.
 */
export function renderRcsReply(r: Reply, titleOf: (entryId: string) => string | null): RcsPart[] {
  const title = r.type === 'answer' && r.entryId ? titleOf(r.entryId) : null;
  const parts: RcsPart[] = [];
  if (title) {
    parts.push({
      contentType: CT.card, contentEncoding: 'utf8',
      contentText: { message: { generalPurposeCard: { layout: { cardOrientation: 'VERTICAL' }, content: { title: cut(title, 200), description: cut(r.text, 2000) } } } },
    });
  } else {
    parts.push({ contentType: CT.text, contentEncoding: 'utf8', contentText: r.text });
  }
  if (r.options?.length) parts.push(chips(r.options.map(optionChip)));
  else if (r.related?.length) parts.push(chips(r.related.map(relatedChip)));
  return parts;
}
