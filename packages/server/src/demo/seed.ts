import { readFileSync } from 'node:fs';
import type { Deps } from '../compose.ts';
import { newToken } from '../platform/ids.ts';
import { demoCoreConnector } from '../modules/connectors/demo-core-connector.ts';
import { loadShippedFlows } from '../modules/flows/shipped/index.ts';
import { seedDemoService } from '../modules/service/demo.ts';
import { seedDemoWorkOrders } from '../modules/work-orders/demo.ts';

const KNOWLEDGE_DIR = new URL('./knowledge/', import.meta.url).pathname;

type DemoEntry = { id: string; category: string; question: string; similar: string[]; answer: string; answerHtml?: string; tags?: string[]; related?: string[]; validFrom?: string; validTo?: string };
type DemoMeta = {
  synonyms: string[][];
  terms?: string[];
  hotQuestions: { zh: string[]; en: string[] };
  greeting?: { zh: string; en: string };
  fallback?: { zh: string; en: string };
};

export function demoKnowledge(): { entries: DemoEntry[]; meta: DemoMeta } {
  const read = (f: string) => JSON.parse(readFileSync(KNOWLEDGE_DIR + f, 'utf8'));
  const zh = read('zh.json');
  const en = read('en.json');
  const list = (x: any): DemoEntry[] => (Array.isArray(x) ? x : x.entries);
  return { entries: [...list(zh), ...list(en)], meta: read('meta.json') };
}

/**
 * First start: the demo bank ("示例银行", tenant `demo`) with an admin user and the public bot `demo` whose
 * Chinese and English knowledge and business flows are published (the flows call the `demo-core` connector).
 * Runs once; later starts find the tenant and leave it alone.
 * Returns the admin password when it was generated here (printed once by main.ts).
 */
export async function seedDemo(deps: Deps): Promise<{ created: boolean; adminUser: string; generatedPassword?: string }> {
  const adminUser = deps.config.LINGXI_ADMIN_USER;
  // Several nodes may start at once: one seeds, the others wait until the demo tenant exists.
  let lock = await deps.coordination.tryLock('seed-demo', 120_000);
  for (let waited = 0; !lock && waited < 120_000; waited += 250) {
    if (await deps.tenancy.findTenantBySlug('demo')) return { created: false, adminUser };
    await new Promise((r) => setTimeout(r, 250));
    lock = await deps.coordination.tryLock('seed-demo', 120_000);
  }
  try {
    if (await deps.tenancy.findTenantBySlug('demo')) return { created: false, adminUser };
    const tenant = await deps.tenancy.createTenant('demo', '示例银行');
    const generatedPassword = deps.config.LINGXI_ADMIN_PASSWORD ? undefined : newToken(12);
    await deps.auth.createUser(tenant.id, { username: adminUser, displayName: '系统管理员', password: deps.config.LINGXI_ADMIN_PASSWORD ?? generatedPassword!, roles: ['admin'] });
    const { entries, meta } = demoKnowledge();
    const bot = await deps.tenancy.createBot(tenant.id, {
      slug: 'demo', name: '示例银行智能客服', locale: 'zh-CN', isPublic: true,
      settings: {
        hotQuestions: [...meta.hotQuestions.zh, ...meta.hotQuestions.en],
        ...(meta.greeting ? { greeting: meta.greeting.zh } : {}),
        ...(meta.fallback ? { fallback: meta.fallback.zh } : {}),
      },
    });
    await deps.knowledge.seedEntries(tenant.id, bot.id, entries, 'system');
    await deps.knowledge.seedSynonyms(tenant.id, bot.id, meta.synonyms, 'system');
    // The business robot: the demo core banking system as the tenant's `demo-core` connector, and the shipped flows,
    // before the first publish so that version 1 carries them.
    const system = { tenantId: tenant.id, actor: 'system' };
    await deps.connectors.put(system, 'demo-core', demoCoreConnector(deps.config.LINGXI_DEMO_CORE_URL, deps.config.LINGXI_DEMO_CORE_API_KEY));
    for (const flow of loadShippedFlows()) await deps.flows.put(system, bot.id, flow.id, flow);
    await deps.knowledge.publish({ tenantId: tenant.id, actor: 'system' }, bot.id, '示例银行初始知识库');
    // Work orders: the types 投诉 / 业务办理 / 客户留言 (leave-message) and business hours with the 2026 holidays.
    await seedDemoWorkOrders(deps.workOrders, tenant.id);
    // Human service: skill groups 信用卡/贷款/理财/综合 (default)/English and the demo agent agent1 (LINGXI_DEMO_AGENT_PASSWORD).
    await seedDemoService(deps, tenant.id, deps.config.LINGXI_DEMO_AGENT_PASSWORD);
    return { created: true, adminUser, generatedPassword };
  } finally {
    await lock?.();
  }
}
