/**
 * Threading: an e-mail conversation is a thread, not a sender. A reply names its parent in In-Reply-To and its
 * ancestry in References (RFC 5322 3.6.4); we look those ids up, nearest first, to find the conversation.
 */

/** Ids to look up for a message's thread, nearest ancestor first: In-Reply-To, then References newest to oldest. */
export function threadCandidates(inReplyTo: readonly string[], references: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of [...inReplyTo, ...[...references].reverse()]) if (!out.includes(id)) out.push(id);
  // A References header of a very long thread (or a forged one) is bounded; the nearest ancestors are enough.
  return out.slice(0, 50);
}

// "Re:", "RE:", "Aw:" (German), "Sv:" (Nordic), "回复：", "答复：", "转发" is not a reply marker on purpose.
const REPLY_PREFIX = /^\s*(re|aw|sv|antw|回复|答复)\s*(\[\d+\])?\s*[:：]\s*/i;

/** Subject of our reply: "Re: " + the original, without stacking prefixes ("Re: Re: Re:"). */
export function replySubject(subject: string | undefined): string {
  let s = (subject ?? '').trim();
  while (REPLY_PREFIX.test(s)) s = s.replace(REPLY_PREFIX, '');
  return s ? `Re: ${s}` : 'Re:';
}

/** The subject without reply prefixes, for matching and display. */
export function baseSubject(subject: string | undefined): string {
  return replySubject(subject).replace(/^Re:\s*/, '');
}

/**
 * References of a reply: the parent's References plus the parent's own Message-ID (RFC 5322 3.6.4). Capped to the
 * first id (the thread's root) and the most recent ones, as common mailers do, so a long thread's header stays short.
 */
export function replyReferences(parentReferences: readonly string[], parentMessageId: string, max = 20): string[] {
  const all = [...parentReferences.filter((r) => r !== parentMessageId), parentMessageId];
  if (all.length <= max) return all;
  return [all[0], ...all.slice(all.length - (max - 1))];
}

/** A Message-ID for a message we send, in our mailbox's domain (RFC 5322 3.6.4 asks for a unique right-hand side). */
export function ourMessageId(uniquePart: string, mailboxAddress: string): string {
  const domain = mailboxAddress.split('@')[1] || 'lingxi.invalid';
  return `<lingxi.${uniquePart}@${domain}>`;
}
