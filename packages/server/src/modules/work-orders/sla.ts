import { z } from 'zod';
import { addBusinessMinutes, type BusinessCalendar } from './business-hours.ts';
import type { Priority } from './workflow.ts';

const Minutes = z.number().int().min(1).max(366 * 24 * 60);
const PerPriority = z.object({ low: Minutes.optional(), normal: Minutes.optional(), high: Minutes.optional(), urgent: Minutes.optional() }).strict();

/** A type's SLA: first response and resolution targets in business minutes per priority (a missing one: no target). */
export const SlaPolicy = z.object({
  firstResponseMinutes: PerPriority.default({}).describe('business minutes to the first response, per priority'),
  resolutionMinutes: PerPriority.default({}).describe('business minutes to resolution, per priority'),
}).strict();
export type SlaPolicy = z.infer<typeof SlaPolicy>;

export type SlaDue = { firstResponseDue: Date | null; resolutionDue: Date | null };

/** Due times of a work order created at `from` with `priority`, counted in the tenant's business time. */
export function slaDueTimes(policy: SlaPolicy, priority: Priority, from: Date, cal: BusinessCalendar): SlaDue {
  const fr = policy.firstResponseMinutes[priority];
  const res = policy.resolutionMinutes[priority];
  return {
    firstResponseDue: fr ? addBusinessMinutes(cal, from, fr) : null,
    resolutionDue: res ? addBusinessMinutes(cal, from, res) : null,
  };
}

export type SlaTarget = {
  dueAt: Date | null;
  /** none: no target; pending: not done, not due yet; met: done in time; breached: done late or overdue. */
  state: 'none' | 'pending' | 'met' | 'breached';
  breached: boolean;
  /** Wall-clock minutes until the due time (negative when overdue); null once done or without a target. */
  remainingMinutes: number | null;
};

/** Where one target stands at `now`: done at `doneAt` (null: not yet). */
export function slaTarget(dueAt: Date | null, doneAt: Date | null, now: Date): SlaTarget {
  if (!dueAt) return { dueAt: null, state: 'none', breached: false, remainingMinutes: null };
  if (doneAt) {
    const late = doneAt.getTime() > dueAt.getTime();
    return { dueAt, state: late ? 'breached' : 'met', breached: late, remainingMinutes: null };
  }
  const remainingMinutes = Math.floor((dueAt.getTime() - now.getTime()) / 60_000);
  const overdue = now.getTime() > dueAt.getTime();
  return { dueAt, state: overdue ? 'breached' : 'pending', breached: overdue, remainingMinutes };
}
