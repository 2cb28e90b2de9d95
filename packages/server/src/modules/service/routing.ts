import type { RoutingStrategy, SkillGroup } from '@lingxi/contracts';

/**
 * The routing rules as pure functions (tested without a server): which group a hand-off goes to, the queue order
 * with priority and aging, which agent a strategy picks, and the customer's estimated wait.
 */

/** What is known about a hand-off when it is queued. */
export type HandoffFacts = {
  /** The queue named by a flow's transfer step. */
  queue?: string;
  /** The last knowledge entry the robot answered, and its category path. */
  entryId?: string;
  category?: string | null;
  /** The customer's language (zh, en). */
  lang?: string;
};

export type GroupChoice = { group: SkillGroup; via: 'queue' | 'entry' | 'category' | 'language' | 'default' };

/**
 * The group for a hand-off: the flow's queue, else the answered entry, else its category (the longest configured
 * path that covers it), else the customer's language, else the default group.
 *
 * Language first where it matters: when some group claims the customer's language (English → the English group),
 * a queue, entry or category match counts only in a group that claims it too, so an English customer transferred
 * by the card-loss flow reaches the English desk rather than the Chinese card desk.
 */
export function pickGroup(groups: SkillGroup[], f: HandoffFacts): GroupChoice | null {
  if (groups.length === 0) return null;
  const sorted = [...groups].sort((a, b) => a.sort - b.sort || a.id.localeCompare(b.id));
  const claimed = !!f.lang && sorted.some((g) => g.routing.languages.includes(f.lang!));
  const fits = (g: SkillGroup) => !claimed || g.routing.languages.includes(f.lang!);
  if (f.queue) {
    const g = sorted.find((x) => fits(x) && (x.routing.queues.includes(f.queue!) || x.id === f.queue));
    if (g) return { group: g, via: 'queue' };
  }
  if (f.entryId) {
    const g = sorted.find((x) => fits(x) && x.routing.entryIds.includes(f.entryId!));
    if (g) return { group: g, via: 'entry' };
  }
  if (f.category) {
    let best: { g: SkillGroup; len: number } | undefined;
    for (const g of sorted) {
      if (!fits(g)) continue;
      for (const c of g.routing.categories) {
        if ((f.category === c || f.category.startsWith(`${c}/`)) && (!best || c.length > best.len)) best = { g, len: c.length };
      }
    }
    if (best) return { group: best.g, via: 'category' };
  }
  if (claimed) return { group: sorted.find((g) => g.routing.languages.includes(f.lang!))!, via: 'language' };
  return { group: sorted.find((g) => g.isDefault) ?? sorted[0], via: 'default' };
}

/** Priority points (higher is served first). */
export const PRIORITY = { vip: 10, elderly: 10 } as const;
/** One priority point is worth this much waiting: a customer who waited 10 minutes is level with a VIP who just came. */
export const AGING_STEP_MS = 60_000;

export function priorityOf(flags: { vip?: boolean; elderly?: boolean; extra?: number }): number {
  return (flags.vip ? PRIORITY.vip : 0) + (flags.elderly ? PRIORITY.elderly : 0) + Math.max(-50, Math.min(50, Math.trunc(flags.extra ?? 0)));
}

/**
 * The queue's sort key: served in ascending order. Waiting time ages priority — the key is fixed at enqueue, and
 * as everyone's wait grows at the same rate, comparing (waitingSince − priority × step) is comparing
 * (priority + wait / step): higher first, and no one waits behind later arrivals for ever.
 */
export function queueRank(waitingSince: Date, priority: number): Date {
  return new Date(waitingSince.getTime() - priority * AGING_STEP_MS);
}

/** An agent who may take a chat now (present, online, in the group). */
export type Candidate = {
  userId: string;
  load: number;
  maxConcurrent: number;
  /** When they were last given a conversation (ms since epoch; 0 when never). */
  lastAssignedAt: number;
};

/**
 * The agent a strategy picks, or null when nobody has a free slot.
 * - least_busy: the fewest chats; ties to the one who waited longest since their last assignment.
 * - round_robin: the next agent after the last one served, in a fixed order (by user id), skipping full ones.
 * - last_agent: the customer's previous agent when they are online with a free slot; else least busy.
 */
export function chooseAgent(strategy: RoutingStrategy, candidates: Candidate[], opts: { preferred?: string | null; lastServed?: string | null } = {}): Candidate | null {
  const free = candidates.filter((c) => c.load < c.maxConcurrent);
  if (free.length === 0) return null;
  if (strategy === 'last_agent' && opts.preferred) {
    const p = free.find((c) => c.userId === opts.preferred);
    if (p) return p;
  }
  if (strategy === 'round_robin') {
    const ring = [...free].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    const next = opts.lastServed ? ring.find((c) => c.userId > opts.lastServed!) : undefined;
    return next ?? ring[0];
  }
  return [...free].sort((a, b) => a.load - b.load || a.lastAssignedAt - b.lastAssignedAt || (a.userId < b.userId ? -1 : 1))[0];
}

/**
 * Estimated wait of the customer at `position` (1 is next): the group frees a slot every avgHandle / capacity
 * seconds, where capacity is the chats its present agents can hold at once. Null when no agent is there.
 */
export function etaSeconds(position: number, avgHandleSeconds: number, capacity: number): number | null {
  if (capacity <= 0) return null;
  return Math.max(0, Math.round((position * avgHandleSeconds) / capacity));
}
