import { SkillGroup } from '@lingxi/contracts';
import { AppError } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { ROLE_PERMISSIONS, type Principal, type Role } from '../auth/roles.ts';
import type { AgentProfile, ServiceRepository } from './service-repository.ts';
import { hoursProblems } from './working-hours.ts';

/** Group and agent records are re-read at most this often per node: an admin's edit reaches routing within it. */
const CACHE_MS = 1000;
export const DEFAULT_MAX_CONCURRENT = 3;

const isAgentRole = (roles: Role[]) => roles.some((r) => ROLE_PERMISSIONS[r]?.includes('service:agent'));

/** The default group a tenant gets when it has none and a customer asks for a person (综合 / general). */
export const FALLBACK_GROUP: SkillGroup = SkillGroup.parse({
  id: 'general', name: { zh: '综合', en: 'General' }, isDefault: true,
  outOfHoursMessage: { zh: '', en: '' },
});

/**
 * Skill groups and agent profiles of each tenant: admin edits (validated, audited) and the cached reads routing
 * uses on every pass.
 */
export class ServiceDirectory {
  private groupCache = new Map<string, { at: number; groups: Promise<SkillGroup[]> }>();
  private agentCache = new Map<string, { at: number; agents: Promise<AgentProfile[]> }>();

  constructor(private d: { repo: ServiceRepository; auth: AuthService; audit: AuditLog }) {}

  groups(tenantId: string): Promise<SkillGroup[]> {
    const c = this.groupCache.get(tenantId);
    if (c && Date.now() - c.at < CACHE_MS) return c.groups;
    const groups = this.d.repo.listGroups(tenantId);
    this.groupCache.set(tenantId, { at: Date.now(), groups });
    groups.catch(() => this.groupCache.delete(tenantId));
    return groups;
  }

  async group(tenantId: string, id: string): Promise<SkillGroup | undefined> {
    return (await this.groups(tenantId)).find((g) => g.id === id);
  }

  async requireGroup(tenantId: string, id: string): Promise<SkillGroup> {
    const g = await this.group(tenantId, id);
    if (!g) throw new AppError('not_found', `skill group ${id} not found`);
    return g;
  }

  agents(tenantId: string): Promise<AgentProfile[]> {
    const c = this.agentCache.get(tenantId);
    if (c && Date.now() - c.at < CACHE_MS) return c.agents;
    const agents = this.d.repo.listAgents(tenantId);
    this.agentCache.set(tenantId, { at: Date.now(), agents });
    agents.catch(() => this.agentCache.delete(tenantId));
    return agents;
  }

  async agent(tenantId: string, userId: string): Promise<AgentProfile | undefined> {
    return (await this.agents(tenantId)).find((a) => a.userId === userId);
  }

  private forget(tenantId: string) {
    this.groupCache.delete(tenantId);
    this.agentCache.delete(tenantId);
  }

  /** Creates or replaces a group. The tenant always keeps exactly one default group. */
  async putGroup(p: Principal, input: SkillGroup): Promise<SkillGroup> {
    const problems = input.workingHours ? hoursProblems(input.workingHours) : [];
    if (problems.length) throw new AppError('validation_failed', problems.join('; '), { problems });
    const existing = await this.d.repo.listGroups(p.tenantId);
    const before = existing.find((g) => g.id === input.id);
    if (before?.isDefault && !input.isDefault) throw new AppError('bad_request', 'make another group the default first (a tenant always has one)');
    const g = { ...input, isDefault: input.isDefault || !existing.some((x) => x.isDefault && x.id !== input.id) };
    await this.d.repo.putGroup(p.tenantId, g);
    this.forget(p.tenantId);
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: before ? 'service.group.update' : 'service.group.create', target: g.id });
    return g;
  }

  async deleteGroup(p: Principal, id: string, queued: number): Promise<void> {
    const g = (await this.d.repo.listGroups(p.tenantId)).find((x) => x.id === id);
    if (!g) throw new AppError('not_found', `skill group ${id} not found`);
    if (g.isDefault) throw new AppError('bad_request', 'the default group cannot be deleted; make another group the default first');
    if (queued > 0) throw new AppError('conflict', `${queued} conversation(s) are waiting in this group; serve or transfer them first`);
    await this.d.repo.deleteGroup(p.tenantId, id);
    this.forget(p.tenantId);
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'service.group.delete', target: id });
  }

  /** Ensures a tenant has a default group (a hand-off must always land somewhere). */
  async ensureDefaultGroup(tenantId: string): Promise<SkillGroup[]> {
    const groups = await this.groups(tenantId);
    if (groups.length) return groups;
    await this.d.repo.putGroup(tenantId, FALLBACK_GROUP);
    this.forget(tenantId);
    return this.groups(tenantId);
  }

  /** An agent profile for a user whose role may serve customers (service:agent); groups must exist. */
  async putAgent(p: Principal, userId: string, input: { displayName?: string; maxConcurrent?: number; groups?: string[] }): Promise<AgentProfile> {
    const user = (await this.d.auth.listUsers(p.tenantId)).find((u) => u.id === userId);
    if (!user) throw new AppError('not_found', 'user not found');
    if (!isAgentRole(user.roles)) throw new AppError('bad_request', `user ${user.username} has no role that may serve customers (service:agent): give them the agent or supervisor role`);
    const known = new Set((await this.d.repo.listGroups(p.tenantId)).map((g) => g.id));
    const unknown = (input.groups ?? []).filter((g) => !known.has(g));
    if (unknown.length) throw new AppError('validation_failed', `unknown skill group(s): ${unknown.join(', ')}`);
    const before = await this.d.repo.getAgent(p.tenantId, userId);
    const profile: AgentProfile = {
      tenantId: p.tenantId, userId,
      displayName: input.displayName ?? before?.displayName ?? user.displayName,
      maxConcurrent: input.maxConcurrent ?? before?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      groups: [...new Set(input.groups ?? before?.groups ?? [])],
    };
    await this.d.repo.putAgent(profile);
    this.forget(p.tenantId);
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: before ? 'service.agent.update' : 'service.agent.create', target: userId, details: { groups: profile.groups, maxConcurrent: profile.maxConcurrent } });
    return profile;
  }

  async deleteAgent(p: Principal, userId: string): Promise<void> {
    if (!(await this.d.repo.deleteAgent(p.tenantId, userId))) throw new AppError('not_found', 'agent profile not found');
    this.forget(p.tenantId);
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'service.agent.delete', target: userId });
  }

  /**
   * The signed-in user's agent profile, created with defaults on first use (display name, 3 chats, no group) so that
   * anyone with service:agent can open the workbench; an admin then puts them in groups.
   */
  async ensureAgent(p: Principal): Promise<AgentProfile> {
    if (!p.userId) throw new AppError('forbidden', 'agents are signed-in users, not API keys');
    const cached = await this.agent(p.tenantId, p.userId);
    if (cached) return cached;
    const existing = await this.d.repo.getAgent(p.tenantId, p.userId);
    if (existing) return existing;
    const user = (await this.d.auth.listUsers(p.tenantId)).find((u) => u.id === p.userId);
    const profile: AgentProfile = { tenantId: p.tenantId, userId: p.userId, displayName: user?.displayName ?? p.username ?? p.userId, maxConcurrent: DEFAULT_MAX_CONCURRENT, groups: [] };
    await this.d.repo.putAgent(profile);
    this.forget(p.tenantId);
    return profile;
  }

  /** Usernames of a tenant's users by id (agent lists). */
  async usernames(tenantId: string): Promise<Map<string, string>> {
    return new Map((await this.d.auth.listUsers(tenantId)).map((u) => [u.id, u.username]));
  }
}
