import type { Reply, TranscriptItem as ServerItem } from '@lingxi/contracts';

/**
 * One line of the transcript the agent reads: the customer, the robot (before the hand-off), agents, and service
 * notices. Lines come from the transcript (REST, on open and after every reconnect) and from the socket's live
 * `event` frames; the event seq orders and deduplicates both. The agent's own message shows at once as a local
 * echo (no seq) until its event arrives.
 */
export type TranscriptItem = {
  /** Event seq; a local echo has none. */
  seq: number | null;
  kind: 'customer' | 'bot' | 'agent' | 'system';
  text: string;
  at: string;
  /** The log event type (REST lines; live frames do not carry it). */
  type?: string;
  reply?: Reply;
  agentName?: string;
  clientMsgId?: string;
  pending?: boolean;
  failed?: boolean;
  /** Local echo: the transcript's last seq when it was sent (its server copy comes after). */
  afterSeq?: number;
};

export const fromServer = (i: ServerItem): TranscriptItem => ({
  seq: i.seq,
  kind: i.kind,
  text: i.text,
  at: i.at,
  type: i.type,
  reply: i.reply,
  agentName: i.agentName ?? i.reply?.agentName,
});

/**
 * Merges lines into a transcript: one line per seq (a REST copy, which knows its event type, wins over a frame),
 * ordered by seq; local echoes stay at the end until a server copy of the same message (same text, later than the
 * echo was sent) confirms them, each server copy confirming one echo.
 */
export function mergeItems(current: TranscriptItem[], incoming: TranscriptItem[]): TranscriptItem[] {
  const bySeq = new Map<number, TranscriptItem>();
  let local: TranscriptItem[] = [];
  for (const it of [...current, ...incoming]) {
    if (it.seq === null) {
      local.push(it);
      continue;
    }
    const had = bySeq.get(it.seq);
    bySeq.set(it.seq, had && had.type && !it.type ? { ...it, type: had.type } : it);
  }
  const out = [...bySeq.values()].sort((a, b) => (a.seq as number) - (b.seq as number));
  const used = new Set<number>();
  local = local.filter((l) => {
    const c = out.find((c) => c.kind === 'agent' && !used.has(c.seq as number) && c.text === l.text && (c.seq as number) > (l.afterSeq ?? 0));
    if (!c) return true;
    used.add(c.seq as number);
    return false;
  });
  return [...out, ...local];
}

export const lastSeq = (items: TranscriptItem[]): number => items.reduce((m, i) => (i.seq !== null && i.seq > m ? i.seq : m), 0);

const HUMAN_START = new Set(['conversation.handoff', 'conversation.queued', 'conversation.assigned']);

/** Index of the first line after the robot's part (the hand-off), or -1 when the robot never spoke. */
export function robotPartEnd(items: TranscriptItem[]): number {
  const firstHuman = items.findIndex((i) => i.kind === 'agent' || (i.kind === 'system' && !!i.type && HUMAN_START.has(i.type)));
  if (firstHuman <= 0) return -1;
  return items.slice(0, firstHuman).some((i) => i.kind === 'bot') ? firstHuman : -1;
}

/** A wrap-up line's category and summary (the server words it `小结：【category】summary`). */
export function parseWrapup(text: string): { category: string; summary: string } | null {
  const m = /【(.+?)】([\s\S]*)$/.exec(text);
  return m ? { category: m[1], summary: m[2].trim() } : null;
}
