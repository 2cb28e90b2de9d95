import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SkillGroup } from '@lingxi/contracts';
import { AGING_STEP_MS, chooseAgent, etaSeconds, pickGroup, priorityOf, queueRank, type Candidate } from './routing.ts';
import { DEMO_GROUPS } from './demo.ts';

const g = (x: Partial<SkillGroup> & { id: string }) => SkillGroup.parse({ name: { zh: x.id, en: x.id }, ...x });

describe('pickGroup: which skill group a hand-off goes to', () => {
  test('the shipped flows\' queues reach the demo groups', () => {
    for (const q of ['cards', 'loans', 'wealth', 'general']) assert.equal(pickGroup(DEMO_GROUPS, { queue: q, lang: 'zh' })!.group.id, q);
  });

  test('flow queue first, then entry, then category (longest path), then language, then the default', () => {
    const groups = [
      g({ id: 'cards', routing: { queues: ['cards'], categories: ['银行卡'], entryIds: [], languages: [] } }),
      g({ id: 'credit', routing: { queues: [], categories: ['银行卡/信用卡'], entryIds: ['e-vip'], languages: [] } }),
      g({ id: 'general', isDefault: true }),
      g({ id: 'en', routing: { queues: [], categories: [], entryIds: [], languages: ['en'] } }),
    ];
    assert.deepEqual(pickGroup(groups, { queue: 'cards', entryId: 'e-vip', category: '银行卡/信用卡', lang: 'zh' }), { group: groups[0], via: 'queue' });
    assert.equal(pickGroup(groups, { entryId: 'e-vip', category: '银行卡/借记卡', lang: 'zh' })!.via, 'entry');
    assert.equal(pickGroup(groups, { category: '银行卡/信用卡/年费', lang: 'zh' })!.group.id, 'credit', 'the longest covering path wins');
    assert.equal(pickGroup(groups, { category: '银行卡/借记卡', lang: 'zh' })!.group.id, 'cards');
    assert.equal(pickGroup(groups, { category: '银行卡片', lang: 'zh' })!.group.id, 'general', 'a path covers only whole segments');
    assert.deepEqual(pickGroup(groups, { lang: 'zh' }), { group: groups[2], via: 'default' });
    assert.deepEqual(pickGroup(groups, { queue: 'unknown', lang: 'en' }), { group: groups[3], via: 'language' });
  });

  test('a group that claims a language takes its speakers even when a queue or category matched elsewhere', () => {
    assert.equal(pickGroup(DEMO_GROUPS, { queue: 'cards', lang: 'en' })!.group.id, 'english');
    assert.equal(pickGroup(DEMO_GROUPS, { category: '银行卡/信用卡', lang: 'en' })!.group.id, 'english');
    assert.equal(pickGroup(DEMO_GROUPS, { category: '银行卡/信用卡', lang: 'zh' })!.group.id, 'cards');
    assert.equal(pickGroup(DEMO_GROUPS, { lang: 'zh' })!.group.id, 'general');
  });

  test('no default flagged: the first group by sort', () => {
    assert.equal(pickGroup([g({ id: 'b', sort: 2 }), g({ id: 'a', sort: 1 })], {})!.group.id, 'a');
    assert.equal(pickGroup([], {}), null);
  });
});

describe('queue order: priority, aged by waiting time', () => {
  test('VIP and elderly points; waiting 10 minutes equals one VIP', () => {
    assert.equal(priorityOf({}), 0);
    assert.equal(priorityOf({ vip: true }), 10);
    assert.equal(priorityOf({ vip: true, elderly: true }), 20);
    assert.equal(priorityOf({ extra: 1e9 }), 50, 'bounded');
    const t0 = new Date('2026-03-02T02:00:00Z');
    const normal = queueRank(t0, 0);
    const vipLater = queueRank(new Date(t0.getTime() + 5 * 60_000), 10);
    const vipMuchLater = queueRank(new Date(t0.getTime() + 11 * 60_000), 10);
    assert.ok(vipLater < normal, 'a VIP who came 5 minutes later is served first');
    assert.ok(normal < vipMuchLater, 'but not one who came 11 minutes later: waiting ages priority');
    assert.equal(normal.getTime() - queueRank(t0, 1).getTime(), AGING_STEP_MS);
  });
});

describe('chooseAgent: routing strategies within capacity', () => {
  const c = (userId: string, load: number, max = 3, last = 0): Candidate => ({ userId, load, maxConcurrent: max, lastAssignedAt: last });

  test('least busy: fewest chats, then the longest since their last assignment; nobody at capacity', () => {
    assert.equal(chooseAgent('least_busy', [c('a', 2), c('b', 1), c('c', 1, 3, 5)])!.userId, 'b');
    assert.equal(chooseAgent('least_busy', [c('a', 1, 3, 10), c('b', 1, 3, 5)])!.userId, 'b');
    assert.equal(chooseAgent('least_busy', [c('a', 3), c('b', 2, 2)]), null);
  });

  test('round robin: the next after the last served, in a fixed order, skipping full ones', () => {
    const all = [c('c', 2), c('a', 1), c('b', 0), c('d', 0)];
    assert.equal(chooseAgent('round_robin', all)!.userId, 'a', 'in user-id order, not by load');
    assert.equal(chooseAgent('round_robin', all, { lastServed: 'a' })!.userId, 'b');
    assert.equal(chooseAgent('round_robin', [c('a', 0), c('b', 3), c('c', 0)], { lastServed: 'a' })!.userId, 'c', 'b is full');
    assert.equal(chooseAgent('round_robin', all, { lastServed: 'd' })!.userId, 'a', 'wraps around');
  });

  test('last agent: the previous agent when they have a slot, else least busy', () => {
    assert.equal(chooseAgent('last_agent', [c('a', 0), c('b', 2)], { preferred: 'b' })!.userId, 'b');
    assert.equal(chooseAgent('last_agent', [c('a', 0), c('b', 3)], { preferred: 'b' })!.userId, 'a');
    assert.equal(chooseAgent('last_agent', [c('a', 1), c('b', 0)], { preferred: 'gone' })!.userId, 'b');
    assert.equal(chooseAgent('least_busy', [c('a', 1), c('b', 2)], { preferred: 'b' })!.userId, 'a', 'other strategies ignore the preference');
  });
});

test('ETA: a slot frees every average handling time ÷ capacity; unknown without agents', () => {
  assert.equal(etaSeconds(1, 180, 6), 30);
  assert.equal(etaSeconds(12, 180, 6), 360);
  assert.equal(etaSeconds(3, 180, 0), null);
});
