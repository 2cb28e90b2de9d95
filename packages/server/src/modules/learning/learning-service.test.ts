import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../platform/event-bus.ts';
import { EV } from '../conversations/conversation-service.ts';
import { LearningService } from './learning-service.ts';
import type { LearningQuestion, LearningRepository } from './learning-repository.ts';

type Row = Omit<LearningQuestion, 'status'>;

function setup(insert: (qs: Row[]) => Promise<void>) {
  const errors: unknown[] = [];
  const repo = { insertQuestions: insert } as unknown as LearningRepository;
  const logger = { error: (o: unknown) => void errors.push(o) };
  const svc = new LearningService({ repo, tenancy: {} as never, knowledge: {} as never, audit: {} as never, clock: {} as never, logger: logger as never });
  const bus = new EventBus();
  const stop = svc.listen(bus);
  const turn = (i: number, decision: string) => {
    const at = new Date().toISOString();
    bus.emit({ type: EV.received, tenantId: 't1', at, conversationId: `c${i}`, payload: { text: `第${i}个问题` } });
    bus.emit({ type: EV.understood, tenantId: 't1', at, conversationId: `c${i}`, botId: 'b1', payload: { decision, lang: 'zh' } });
  };
  return { svc, stop, turn, errors };
}

test('questions the robot fell back on or asked back are written together, in one statement', async () => {
  const writes: Row[][] = [];
  const { svc, stop, turn } = setup(async (qs) => void writes.push(qs));
  turn(1, 'fallback');
  turn(2, 'clarify');
  turn(3, 'answer'); // no score: not low confidence, not collected
  turn(4, 'fallback');
  await svc.idle();
  assert.equal(writes.length, 1);
  assert.deepEqual(writes[0].map((q) => [q.text, q.decision, q.conversationId]), [
    ['第1个问题', 'fallback', 'c1'], ['第2个问题', 'clarify', 'c2'], ['第4个问题', 'fallback', 'c4'],
  ]);
  stop();
});

test('a failed write is logged and does not block the next ones', async () => {
  let calls = 0;
  const written: string[] = [];
  const { svc, stop, turn, errors } = setup(async (qs) => {
    if (++calls === 1) throw new Error('database unavailable');
    written.push(...qs.map((q) => q.text));
  });
  turn(1, 'fallback');
  await svc.idle();
  assert.equal(errors.length, 1);
  turn(2, 'fallback');
  await svc.idle();
  assert.deepEqual(written, ['第2个问题']);
  stop();
});
