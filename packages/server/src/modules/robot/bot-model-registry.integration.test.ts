import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bothDatabases } from '../../testing/databases.ts';
import { useDemoApp } from '../../testing/app.ts';
import { InMemoryCoordination } from '../../platform/coordination.ts';
import { createLogger } from '../../platform/logger.ts';
import { BotModelRegistry } from './bot-model-registry.ts';

for (const variant of await bothDatabases()) {
  describe(`model registry on ${variant.name}`, () => {
    const env = useDemoApp(variant);

    test('a node that missed the publish notification catches up from the bot record, loading the persisted model', async () => {
      // Node B shares the database but not the coordination: it never hears 'kb.published'.
      const nodeB = new BotModelRegistry({ db: env.deps.db, knowledge: env.deps.knowledge, coordination: new InMemoryCoordination(), logger: createLogger('silent'), clock: env.deps.clock });
      await nodeB.start();
      try {
        const bot = await env.deps.tenancy.getPublicBot('demo');
        const v1 = await nodeB.get(bot);
        assert.equal(v1?.version, bot.publishedVersion);
        const p = { tenantId: bot.tenantId, actor: 'test' };
        await env.deps.knowledge.createEntry(p, bot.id, { question: '数字人民币钱包怎么开通？', similar: ['怎么开数字人民币钱包', '数币钱包开通'], answer: '打开示例银行App，进入“数字人民币”，按提示开立钱包。', status: 'published' } as never);
        const { version } = await env.deps.knowledge.publish(p, bot.id, 'test');
        const fresh = await env.deps.tenancy.getPublicBot('demo');
        assert.equal(fresh.publishedVersion, version);
        const t0 = Date.now();
        const v2 = await nodeB.get(fresh);
        assert.equal(v2?.version, version, 'node B serves the new version');
        assert.ok(Date.now() - t0 < 1500, 'from the persisted model, not by retraining');
        assert.ok(v2!.model.match('数字人民币钱包怎么开', 1)[0].question.includes('数字人民币'));
      } finally {
        await nodeB.stop();
      }
    });
  });
}
