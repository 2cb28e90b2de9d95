import type { Entry, EntryStatus } from './knowledge-repository.ts';

/** What can be done to entries, one at a time or in bulk. */
export const REVIEW_ACTIONS = ['submit', 'approve', 'reject'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];
export const BULK_ACTIONS = ['submit', 'approve', 'archive', 'move', 'addTag'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/**
 * Statuses an entry may be created with or patched to directly; submitted and approved only come from the workflow,
 * and published only for an actor who may put content live without review (kb:review).
 */
export const DIRECT_STATUSES: EntryStatus[] = ['draft', 'published', 'archived'];

/**
 * Whether editing an entry's content (any field but its status) sends it back to draft, to be submitted and approved
 * again: always when it is under review (submitted, approved), and when it is published unless the editor may
 * publish without review. Until then the published version keeps serving the reviewed content (see publish).
 */
export function editNeedsReview(status: EntryStatus, mayPublishDirectly: boolean): boolean {
  return status === 'submitted' || status === 'approved' || (status === 'published' && !mayPublishDirectly);
}

export type TransitionProblem = { id: string; externalId: string; message: string };

/**
 * The review workflow's rules. Returns the status the entry goes to, or why it cannot:
 *   submit  draft → submitted (the operator asks for review);
 *   approve submitted → approved, never by the one who submitted it (four-eyes);
 *   reject  submitted | approved → draft, with a comment saying why;
 *   archive any live status → archived.
 * Publishing moves approved → published (see KnowledgeService.publish).
 */
export function transition(e: Pick<Entry, 'status' | 'submittedBy'>, action: ReviewAction | 'archive', actor: string, comment?: string): { to: EntryStatus } | { problem: string } {
  switch (action) {
    case 'submit':
      return e.status === 'draft' ? { to: 'submitted' } : { problem: `only a draft can be submitted (status is ${e.status})` };
    case 'approve':
      if (e.status !== 'submitted') return { problem: `only a submitted entry can be approved (status is ${e.status})` };
      if (e.submittedBy === actor) return { problem: 'four-eyes rule: the submitter cannot approve their own entry' };
      return { to: 'approved' };
    case 'reject':
      if (e.status !== 'submitted' && e.status !== 'approved') return { problem: `only a submitted or approved entry can be rejected (status is ${e.status})` };
      if (!comment?.trim()) return { problem: 'a rejection needs a comment saying why' };
      return { to: 'draft' };
    case 'archive':
      return e.status === 'archived' ? { problem: 'already archived' } : { to: 'archived' };
  }
}
