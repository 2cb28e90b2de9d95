/**
 * The work order's status workflow (pure). new → in_progress → pending_customer → resolved → closed, with shortcuts
 * an agent needs (resolve at once, wait on the customer from the start) and reopen from resolved or closed back to
 * in_progress. Anything else is refused with the transitions that are allowed from the current status.
 */
export const STATUSES = ['new', 'in_progress', 'pending_customer', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Statuses in which the work order still needs work (SLA targets run). */
export const OPEN_STATUSES: readonly Status[] = ['new', 'in_progress', 'pending_customer'];

export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  new: ['in_progress', 'pending_customer', 'resolved'],
  in_progress: ['pending_customer', 'resolved'],
  pending_customer: ['in_progress', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};

export const allowedTransitions = (from: Status): readonly Status[] => TRANSITIONS[from];

export type Timestamps = { firstResponseAt: Date | null; resolvedAt: Date | null; closedAt: Date | null; reopenCount: number };

export type TransitionResult =
  | { ok: true; reopen: boolean; next: Timestamps & { status: Status } }
  | { ok: false; from: Status; to: Status; allowed: readonly Status[] };

/**
 * The effect of moving a work order from its status to `to` at `at`. A change made by staff counts as the first
 * response when there was none; resolving stamps resolvedAt; closing stamps closedAt; reopening clears both and
 * counts the reopen (the resolution target keeps running from the original due time).
 */
export function transition(cur: Timestamps & { status: Status }, to: Status, at: Date, byStaff: boolean): TransitionResult {
  if (!TRANSITIONS[cur.status].includes(to)) return { ok: false, from: cur.status, to, allowed: TRANSITIONS[cur.status] };
  const reopen = (cur.status === 'resolved' || cur.status === 'closed') && to === 'in_progress';
  const next = {
    status: to,
    firstResponseAt: cur.firstResponseAt ?? (byStaff ? at : null),
    resolvedAt: reopen ? null : to === 'resolved' ? at : cur.resolvedAt,
    closedAt: reopen ? null : to === 'closed' ? at : cur.closedAt,
    reopenCount: cur.reopenCount + (reopen ? 1 : 0),
  };
  return { ok: true, reopen, next };
}
