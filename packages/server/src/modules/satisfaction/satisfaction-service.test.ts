import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../platform/errors.ts';
import { checkScore, cleanComment, servedBy, summarize } from './satisfaction-service.ts';

test('a comment is stored as plain text: tags, control characters and bidi overrides removed', () => {
  assert.equal(cleanComment('  很好 <b>谢谢</b><script>alert(1)</script>  '), '很好 谢谢 alert(1)');
  assert.equal(cleanComment('a\u0000b\u202Ec\td'), 'abc d');
  assert.equal(cleanComment('第一行  \n\n\n  第二行'), '第一行\n第二行');
  assert.equal(cleanComment('1 < 2 and 3 > 2'), '1 < 2 and 3 > 2', 'a comparison is not a tag');
  assert.equal(cleanComment('   '), null);
  assert.equal(cleanComment(undefined), null);
  assert.equal(cleanComment('好'.repeat(500))?.length, 500);
  assert.throws(() => cleanComment('好'.repeat(501)), (e: unknown) => e instanceof AppError && e.code === 'bad_request');
  // 500 characters counted as characters, not UTF-16 units: an emoji is one.
  assert.equal([...cleanComment('😀'.repeat(500))!].length, 500);
});

test('scores are whole numbers from 1 to 5', () => {
  for (const ok of [1, 3, 5]) assert.equal(checkScore(ok), ok);
  for (const bad of [0, 6, 4.5, NaN, '5', null]) assert.throws(() => checkScore(bad), AppError, String(bad));
});

test('who served: the last assignment wins; before any, the queue group; the robot alone: nobody', () => {
  assert.deepEqual(servedBy([]), {});
  assert.deepEqual(servedBy([{ type: 'conversation.queued', payload: { group: 'cards' } }]), { group: 'cards' });
  assert.deepEqual(servedBy([
    { type: 'conversation.queued', payload: { group: 'cards' } },
    { type: 'conversation.assigned', payload: { agentId: 'u_1', agentName: '客服小王', group: 'cards', by: 'routing' } },
    { type: 'conversation.assigned', payload: { agentId: 'u_2', agentName: '客服小李', group: 'loans', by: 'transfer' } },
  ]), { agentId: 'u_2', agentName: '客服小李', group: 'loans' });
  // A later re-queue (transfer to a group) does not take the rating away from the agent who served.
  assert.deepEqual(servedBy([
    { type: 'conversation.assigned', payload: { agentId: 'u_1', agentName: '客服小王', group: 'cards' } },
    { type: 'conversation.queued', payload: { group: 'loans' } },
  ]), { agentId: 'u_1', agentName: '客服小王', group: 'cards' });
});

test('summary figures: average, distribution and satisfaction rate (share of 4 and 5)', () => {
  assert.deepEqual(summarize({ key: 'b1', label: 'Bot', count: 4, sum: 15, distribution: [0, 1, 0, 1, 2] }), {
    key: 'b1', label: 'Bot', count: 4, average: 3.75, distribution: { 1: 0, 2: 1, 3: 0, 4: 1, 5: 2 }, satisfactionRate: 0.75,
  });
  assert.deepEqual(summarize({ count: 3, sum: 10, distribution: [0, 0, 2, 0, 1] }).satisfactionRate, 0.3333);
  assert.equal(summarize({ count: 0, sum: 0, distribution: [0, 0, 0, 0, 0] }).average, 0);
});
