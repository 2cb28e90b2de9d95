import { SkillGroup } from '@lingxi/contracts';
import type { AuthService } from '../auth/auth-service.ts';
import type { ServiceModule } from './index.ts';

const OUT_OF_HOURS = {
  zh: '您好，现在是人工客服的非服务时间。您可以发送留言，我们会在服务时间内尽快联系您；紧急挂失请拨打 95599（24 小时）。',
  en: 'Our agents are off duty now. Leave a message and we will contact you during service hours; to block a lost card at once, call 95599 (24 hours).',
};

/** The demo bank's skill groups: the shipped flows transfer to queues cards, loans, wealth and general. Open round the clock. */
export const DEMO_GROUPS: SkillGroup[] = [
  { id: 'cards', name: { zh: '信用卡', en: 'Credit cards' }, routing: { queues: ['cards'], categories: ['银行卡/信用卡'], entryIds: [], languages: [] }, sort: 10 },
  { id: 'loans', name: { zh: '贷款', en: 'Loans' }, routing: { queues: ['loans'], categories: ['贷款'], entryIds: [], languages: [] }, sort: 20 },
  { id: 'wealth', name: { zh: '理财', en: 'Wealth' }, routing: { queues: ['wealth'], categories: ['理财'], entryIds: [], languages: [] }, sort: 30 },
  { id: 'general', name: { zh: '综合', en: 'General' }, routing: { queues: ['general'], categories: [], entryIds: [], languages: [] }, isDefault: true, sort: 40 },
  { id: 'english', name: { zh: '英语', en: 'English' }, routing: { queues: [], categories: [], entryIds: [], languages: ['en'] }, sort: 50 },
].map((g) => SkillGroup.parse({ ...g, outOfHoursMessage: OUT_OF_HOURS }));

/** Skill groups and the demo agent `agent1` (客服小王, groups 综合 and 信用卡). */
export async function seedDemoService(d: { service: ServiceModule; auth: AuthService }, tenantId: string, agentPassword: string): Promise<void> {
  const system = { tenantId, actor: 'system', roles: ['admin' as const] };
  for (const g of DEMO_GROUPS) await d.service.directory.putGroup(system, g);
  const agent = await d.auth.createUser(tenantId, { username: 'agent1', displayName: '客服小王', password: agentPassword, roles: ['agent'] });
  await d.service.directory.putAgent(system, agent.id, { displayName: '客服小王', maxConcurrent: 3, groups: ['general', 'cards'] });
}
