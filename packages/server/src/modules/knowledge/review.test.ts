import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editNeedsReview, transition } from './review.ts';
import type { EntryStatus } from './knowledge-repository.ts';

const e = (status: EntryStatus, submittedBy: string | null = null) => ({ status, submittedBy });

describe('review workflow rules', () => {
  it('moves draft → submitted → approved, and rejects back to draft with a comment', () => {
    assert.deepEqual(transition(e('draft'), 'submit', 'user:a'), { to: 'submitted' });
    assert.deepEqual(transition(e('submitted', 'user:a'), 'approve', 'user:b'), { to: 'approved' });
    assert.deepEqual(transition(e('submitted', 'user:a'), 'reject', 'user:b', '缺少收费标准'), { to: 'draft' });
    assert.deepEqual(transition(e('approved', 'user:a'), 'reject', 'user:b', 'x'), { to: 'draft' });
  });

  it('refuses the wrong starting status, self-approval and a rejection without a reason', () => {
    for (const s of ['submitted', 'approved', 'published', 'archived'] as EntryStatus[]) assert.ok('problem' in transition(e(s), 'submit', 'user:a'), s);
    for (const s of ['draft', 'approved', 'published'] as EntryStatus[]) assert.ok('problem' in transition(e(s, 'user:a'), 'approve', 'user:b'), s);
    const own = transition(e('submitted', 'user:a'), 'approve', 'user:a');
    assert.ok('problem' in own && /four-eyes/.test(own.problem));
    assert.ok('problem' in transition(e('submitted', 'user:a'), 'reject', 'user:b', '  '));
    assert.ok('problem' in transition(e('draft'), 'reject', 'user:b', 'why'));
    assert.ok('problem' in transition(e('archived'), 'archive', 'user:b'));
    assert.deepEqual(transition(e('published'), 'archive', 'user:b'), { to: 'archived' });
  });

  it('sends an edited entry back to review when it is in review, or published and the editor is no reviewer', () => {
    const needs = (direct: boolean) => (['draft', 'submitted', 'approved', 'published', 'archived'] as EntryStatus[]).filter((s) => editNeedsReview(s, direct));
    assert.deepEqual(needs(false), ['submitted', 'approved', 'published']);
    assert.deepEqual(needs(true), ['submitted', 'approved']);
  });
});
