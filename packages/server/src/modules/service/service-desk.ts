import type { AgentConversation, AgentInfo, KnowledgeAnswer, Presence, QueueStats, QuickReply, Reply, TranscriptItem } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { redactDeep } from '../../platform/logger.ts';
import { maskPii } from '../../platform/pii.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { can, type Principal } from '../auth/roles.ts';
import type { ContactService } from '../contacts/contact-service.ts';
import type { Conversation, StoredEvent } from '../conversations/conversation-repository.ts';
import { EV, type ConversationService } from '../conversations/conversation-service.ts';
import { isValidAt } from '../knowledge/knowledge-snapshot.ts';
import type { BotModelRegistry } from '../robot/bot-model-registry.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import type { ServiceDirectory } from './directory.ts';
import { agentConversation, customerName, lastTextOf, type ServiceNotifier } from './notifier.ts';
import type { PresenceService } from './presence.ts';
import type { ServiceRouter } from './router.ts';
import type { AgentProfile, ServiceRepository } from './service-repository.ts';
import { textsFor, wantsNotices } from './texts.ts';
import { transcriptItem } from './transcript.ts';
import type { WorkOrderIntake } from './work-order-intake.ts';
import { isOpen } from './working-hours.ts';

/** How often a waiting customer who keeps writing is reminded that they are queued (and may leave a message). */
const WAIT_NOTE_EVERY_MS = 120_000;

export type DeskDeps = {
  repo: ServiceRepository; directory: ServiceDirectory; presence: PresenceService; router: ServiceRouter; notifier: ServiceNotifier;
  conversations: ConversationService; contacts: ContactService; models: BotModelRegistry; tenancy: TenancyService; audit: AuditLog;
  coordination: Coordination; clock: Clock; logger: Logger; intake: () => WorkOrderIntake;
};

const conflict = (msg: string) => new AppError('conflict', msg);

/**
 * The use cases of the human service: agents (their presence, conversations, replies, transfers, wrap-up, close,
 * quick replies, knowledge search), supervisors (queues, agents, force-assign, take over, join) and the customer's
 * side (messages while waiting or served, leaving a message). No HTTP here; routes.ts and agent-ws.ts call it.
 */
export class ServiceDesk {
  constructor(private d: DeskDeps) {}

  private me(p: Principal): string {
    if (!p.userId) throw new AppError('forbidden', 'agents are signed-in users, not API keys');
    return p.userId;
  }

  private async conv(p: Principal, id: string): Promise<Conversation> {
    return this.d.conversations.get(p.tenantId, id);
  }

  /** The caller serves this conversation now (primary or joined); supervisors may act on any. */
  private async requireParticipant(p: Principal, id: string, opts: { supervisorOk?: boolean } = {}) {
    const me = this.me(p);
    const active = await this.d.repo.active(p.tenantId, id);
    const mine = active.find((a) => a.agentId === me);
    if (!mine && !(opts.supervisorOk && can(p, 'service:supervise'))) {
      await this.conv(p, id); // 404 for a conversation that does not exist
      throw new AppError('forbidden', 'you are not serving this conversation');
    }
    return { mine, primary: active.find((a) => a.role === 'primary'), active };
  }

  // ---- the agent themself ----

  async agentInfo(tenantId: string, profile: AgentProfile, username?: string): Promise<AgentInfo> {
    const [presence, loads] = await Promise.all([this.d.presence.get(tenantId, profile.userId), this.d.repo.loads(tenantId)]);
    return {
      userId: profile.userId, username: username ?? (await this.d.directory.usernames(tenantId)).get(profile.userId) ?? '',
      displayName: profile.displayName, maxConcurrent: profile.maxConcurrent, groups: profile.groups, presence, load: loads.get(profile.userId)?.load ?? 0,
    };
  }

  async profile(p: Principal): Promise<AgentInfo> {
    const profile = await this.d.directory.ensureAgent(p);
    return this.agentInfo(p.tenantId, profile, p.username);
  }

  /** The agent chooses a presence; online makes them routable at once. */
  async setPresence(p: Principal, presence: Presence): Promise<Presence> {
    const me = this.me(p);
    await this.d.directory.ensureAgent(p);
    const effective = await this.d.presence.choose(p.tenantId, me, presence);
    await this.d.notifier.toAgent(p.tenantId, me, { type: 'presence', presence: effective });
    if (effective === 'online') void this.d.router.agentAvailable(p.tenantId, me);
    return effective;
  }

  async myConversations(p: Principal, scope: 'active' | 'recent'): Promise<AgentConversation[]> {
    // Lists stay masked; the transcript and customer views may unmask (audited).
    return (await this.d.repo.agentLines(p.tenantId, this.me(p), scope)).map((l) => agentConversation(l));
  }

  /** Conversations waiting in the caller's groups (any group for supervisors, or `group`), in serving order. */
  async waiting(p: Principal, group?: string): Promise<AgentConversation[]> {
    const profile = await this.d.directory.ensureAgent(p);
    const supervisor = can(p, 'service:supervise');
    if (group && !supervisor && !profile.groups.includes(group)) throw new AppError('forbidden', `you are not in group ${group}`);
    const groups = group ? [group] : supervisor ? null : profile.groups;
    if (groups && groups.length === 0) return [];
    return (await this.d.repo.queueLines(p.tenantId, groups, 500)).map((l) => agentConversation(l));
  }

  /**
   * The whole conversation, the robot's part included, for its agents, for agents of the group it waits in, and for
   * supervisors. Personal data masked unless asked for and the role has pii:view (then audited).
   */
  async transcript(p: Principal, id: string, unmasked: boolean): Promise<{ conversation: AgentConversation; items: TranscriptItem[]; masked: boolean }> {
    const me = this.me(p);
    const conv = await this.conv(p, id);
    await this.requireViewer(p, conv);
    const clear = unmasked && can(p, 'pii:view');
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: clear ? 'conversation.view_unmasked' : 'conversation.view', target: id });
    const [line, events] = await Promise.all([this.d.repo.line(p.tenantId, id, me), this.d.conversations.events(p.tenantId, id, { limit: 5000 })]);
    const items = events.map(transcriptItem).filter((x): x is TranscriptItem => x !== null)
      .map((x) => (clear ? x : { ...x, text: maskPii(x.text), ...(x.reply ? { reply: redactDeep(x.reply) as Reply } : {}) }));
    return { conversation: agentConversation(line!, clear), items, masked: !clear };
  }

  private async requireViewer(p: Principal, conv: Conversation) {
    if (can(p, 'service:supervise')) return;
    const me = this.me(p);
    if (await this.d.repo.servedBy(p.tenantId, conv.id, me)) return;
    const row = await this.d.repo.queueRow(p.tenantId, conv.id);
    const profile = await this.d.directory.ensureAgent(p);
    if (row && profile.groups.includes(row.groupId)) return;
    throw new AppError('forbidden', 'this conversation is not yours, nor waiting in your groups');
  }

  /** The customer: their contact (identities masked unless allowed; audited), queue flags and history on every channel. */
  async customer(p: Principal, id: string, unmasked: boolean) {
    const conv = await this.conv(p, id);
    await this.requireViewer(p, conv);
    const clear = unmasked && can(p, 'pii:view');
    const contact = conv.contactId ? await this.d.contacts.get(p, conv.contactId, { unmasked: clear }) : null;
    const flags = conv.contactId ? await this.d.repo.contactFlags(p.tenantId, conv.contactId) : { vip: false, elderly: false };
    const history = conv.contactId ? await this.d.repo.contactHistory(p.tenantId, conv.contactId, 20) : [];
    return {
      contact: contact && {
        id: contact.id,
        displayName: customerName({ id: conv.id, channel: conv.channel, contactName: contact.displayName }, clear),
        identities: contact.identities,
      },
      flags,
      history: history.map((h) => ({ conversationId: h.id, botId: h.botId, channel: h.channel, status: h.status, startedAt: h.createdAt.toISOString(), lastAt: (h.last?.at ?? h.updatedAt).toISOString(), lastText: lastTextOf(h, clear) })),
      masked: !clear,
    };
  }

  /** Picks a waiting conversation. Two agents at once: one gets it, the other a conflict. */
  async accept(p: Principal, id: string): Promise<AgentConversation> {
    const me = this.me(p);
    const profile = await this.d.directory.ensureAgent(p);
    const row = await this.d.repo.queueRow(p.tenantId, id);
    if (!row) {
      await this.conv(p, id);
      throw conflict('this conversation is no longer waiting (another agent took it, or it ended)');
    }
    if (!profile.groups.includes(row.groupId) && !can(p, 'service:supervise')) throw new AppError('forbidden', `this conversation waits in group ${row.groupId}, which you are not in`);
    const r = await this.d.router.assign({ tenantId: p.tenantId, conversationId: id, agentId: me, via: 'pick', source: { kind: 'queue' }, checkCapacity: true, lang: row.lang, channel: row.channel });
    if (!r.ok) throw this.assignError(r.reason, profile);
    return agentConversation((await this.d.repo.line(p.tenantId, id, me))!);
  }

  private assignError(reason: 'taken' | 'full' | 'not_agent' | 'closed', profile?: AgentProfile): AppError {
    if (reason === 'full') return conflict(profile ? `at the maximum of ${profile.maxConcurrent} concurrent chats` : 'the agent is at their maximum of concurrent chats');
    if (reason === 'not_agent') return new AppError('bad_request', 'the target has no agent profile');
    if (reason === 'closed') return conflict('the conversation ended meanwhile');
    return conflict('another agent took this conversation first');
  }

  /** A reply to the customer: recorded (agent.message), to their session and to their channel. Idempotent on clientMsgId. */
  async reply(p: Principal, id: string, text: string, clientMsgId?: string): Promise<{ seq: number; at: string }> {
    const me = this.me(p);
    const { mine } = await this.requireParticipant(p, id);
    const profile = await this.d.directory.ensureAgent(p);
    const reply: Reply = { type: 'agent', text, agentName: profile.displayName };
    const key = clientMsgId ? `agent:${me}:${clientMsgId}` : undefined;
    let r;
    try {
      r = await this.d.conversations.record(p.tenantId, id, [{ type: EV.agentMessage, payload: { agentId: me, agentName: profile.displayName, reply }, ...(key ? { clientMsgId: key } : {}) }], { onlyIf: ['agent'] });
    } catch (err) {
      const seq = key ? await this.d.conversations.findSeqByClientMsgId(id, key) : null;
      if (seq === null) throw err;
      return { seq, at: this.d.clock.now().toISOString() };
    }
    if (!r) throw conflict('the conversation is not with an agent any more');
    const [e] = r.stored;
    if (mine) await this.d.repo.markRead(p.tenantId, id, me, e.seq);
    await this.d.notifier.eventsAppended(r.conversation, r.stored);
    return { seq: e.seq, at: e.createdAt.toISOString() };
  }

  async markRead(p: Principal, id: string, seq: number): Promise<void> {
    if (!(await this.d.repo.markRead(p.tenantId, id, this.me(p), seq))) throw new AppError('not_found', 'you are not serving this conversation');
  }

  async typing(p: Principal, id: string, on: boolean): Promise<void> {
    await this.requireParticipant(p, id);
    await this.d.notifier.toCustomer(id, [{ type: 'typing', on }]);
  }

  /** To another agent (who must be present and have a free slot) or to a group's queue, with a note for them. */
  async transfer(p: Principal, id: string, t: { toAgentId?: string; toGroup?: string; note?: string }): Promise<void> {
    const me = this.me(p);
    if (!!t.toAgentId === !!t.toGroup) throw new AppError('bad_request', 'give either toAgentId or toGroup');
    const { primary } = await this.requireParticipant(p, id, { supervisorOk: true });
    if (!primary) throw conflict('the conversation has no agent to transfer from');
    const from = await this.d.directory.agent(p.tenantId, primary.agentId);
    const conv = await this.conv(p, id);
    const lang = (conv.state as { lang?: string }).lang ?? null;
    const note = t.note?.trim() || null;
    if (t.toAgentId) {
      if (t.toAgentId === primary.agentId) throw new AppError('bad_request', 'the conversation is already with this agent');
      const target = await this.d.directory.agent(p.tenantId, t.toAgentId);
      if (!target) throw new AppError('not_found', 'agent not found');
      if ((await this.d.presence.get(p.tenantId, target.userId)) === 'offline') throw conflict(`${target.displayName} is offline`);
      const r = await this.d.router.assign({
        tenantId: p.tenantId, conversationId: id, agentId: target.userId, via: 'transfer', source: { kind: 'agent', agentId: primary.agentId }, checkCapacity: true, lang, channel: conv.channel,
        transfer: { fromAgentId: primary.agentId, fromAgentName: from?.displayName ?? primary.agentId, note },
      });
      if (!r.ok) throw this.assignError(r.reason, target);
      return;
    }
    const group = await this.d.directory.requireGroup(p.tenantId, t.toGroup!);
    if (!isOpen(group.workingHours, this.d.clock.now())) throw conflict(`${group.name.zh} is outside its working hours`);
    const r = await this.d.router.requeue(conv, primary.agentId, { reason: 'transfer', groupId: group.id, note, transfer: { fromAgentName: from?.displayName ?? me } });
    if (!r) throw conflict('the conversation changed meanwhile; reload it');
  }

  /** 通话小结: a category and a summary, by an agent who served the conversation (also after it closed) or a supervisor. */
  async wrapup(p: Principal, id: string, w: { category: string; summary: string }): Promise<{ seq: number }> {
    const me = this.me(p);
    await this.conv(p, id);
    if (!can(p, 'service:supervise') && !(await this.d.repo.servedBy(p.tenantId, id, me))) throw new AppError('forbidden', 'you did not serve this conversation');
    const profile = await this.d.directory.ensureAgent(p);
    const r = await this.d.conversations.record(p.tenantId, id, [{ type: EV.wrapup, payload: { agentId: me, agentName: profile.displayName, category: w.category, summary: w.summary } }]);
    if (!r) throw new AppError('not_found', 'conversation not found');
    await this.d.notifier.eventsAppended(r.conversation, r.stored, { outbound: false });
    return { seq: r.stored[0].seq };
  }

  /** Ends the conversation: its agents are released, the customer is thanked and asked for a rating (1–5). */
  async close(p: Principal, id: string, reason?: string): Promise<void> {
    const me = this.me(p);
    await this.requireParticipant(p, id, { supervisorOk: true });
    const profile = await this.d.directory.agent(p.tenantId, me);
    const conv = await this.conv(p, id);
    const texts = textsFor((conv.state as { lang?: string }).lang);
    const r = await this.d.repo.endAssignments({ tenantId: p.tenantId, conversationId: id, reason: 'closed', alsoDequeue: true }, () => ({
      events: [
        { type: EV.closed, payload: { by: 'agent', closedBy: 'agent', reason: reason ?? null, agentId: me, agentName: profile?.displayName ?? null } },
        { type: EV.replied, payload: { reply: { type: 'system', text: texts.closed, rating: { scale: 5 } } } },
      ],
      status: 'closed', onlyIf: ['handoff', 'agent'],
    }));
    if (!r) throw conflict('the conversation is already closed');
    // The freed slot first: the next customer is routed while the closing is announced.
    for (const a of r.ended) if (a.role === 'primary') void this.d.router.agentAvailable(p.tenantId, a.agentId);
    await this.d.notifier.committed(r.appended, { agents: r.ended.map((a) => a.agentId) });
    await this.d.notifier.toCustomer(id, [{ type: 'status', status: 'closed' }]);
    for (const a of r.ended) await this.d.notifier.toAgent(p.tenantId, a.agentId, { type: 'unassigned', conversationId: id, reason: 'closed' });
  }

  // ---- supervisors ----

  /** Queue figures per group: the caller's groups, all groups for supervisors. */
  async queues(p: Principal): Promise<QueueStats[]> {
    const supervisor = can(p, 'service:supervise');
    const profile = p.userId ? await this.d.directory.agent(p.tenantId, p.userId) : undefined;
    const [groups, counts, agents] = await Promise.all([this.d.directory.groups(p.tenantId), this.d.repo.queueCounts(p.tenantId), this.d.directory.agents(p.tenantId)]);
    const presence = await this.d.presence.getMany(p.tenantId, agents.map((a) => a.userId));
    const now = this.d.clock.now();
    return groups.filter((g) => supervisor || profile?.groups.includes(g.id)).map((g) => {
      const c = counts.get(g.id);
      const by = { online: 0, busy: 0, away: 0, offline: 0 };
      for (const a of agents) if (a.groups.includes(g.id)) by[presence.get(a.userId) ?? 'offline']++;
      return {
        group: g.id, name: g.name.zh, waiting: c?.waiting ?? 0,
        longestWaitSeconds: c?.oldest ? Math.max(0, Math.round((now.getTime() - c.oldest.getTime()) / 1000)) : 0,
        agents: by, open: isOpen(g.workingHours, now),
      };
    });
  }

  /** Every agent with presence, load and the conversations they hold. */
  async agents(p: Principal): Promise<(AgentInfo & { conversations: string[] })[]> {
    const [agents, loads, users, holding] = await Promise.all([
      this.d.directory.agents(p.tenantId), this.d.repo.loads(p.tenantId), this.d.directory.usernames(p.tenantId), this.d.repo.agentsWithChats(),
    ]);
    const presence = await this.d.presence.getMany(p.tenantId, agents.map((a) => a.userId));
    const convs = new Map(holding.filter((h) => h.tenantId === p.tenantId).map((h) => [h.agentId, h.conversations]));
    return agents.map((a) => ({
      userId: a.userId, username: users.get(a.userId) ?? '', displayName: a.displayName, maxConcurrent: a.maxConcurrent, groups: a.groups,
      presence: presence.get(a.userId) ?? 'offline', load: loads.get(a.userId)?.load ?? 0, conversations: convs.get(a.userId) ?? [],
    }));
  }

  /** A waiting conversation to a chosen agent, beyond their capacity if need be (the supervisor decides). */
  async forceAssign(p: Principal, id: string, agentId: string): Promise<void> {
    const target = await this.d.directory.agent(p.tenantId, agentId);
    if (!target) throw new AppError('not_found', 'agent not found');
    if ((await this.d.presence.get(p.tenantId, agentId)) === 'offline') throw conflict(`${target.displayName} is offline`);
    const row = await this.d.repo.queueRow(p.tenantId, id);
    if (!row) {
      await this.conv(p, id);
      throw conflict('this conversation is not waiting; take it over instead');
    }
    const r = await this.d.router.assign({ tenantId: p.tenantId, conversationId: id, agentId, via: 'supervisor', source: { kind: 'queue' }, checkCapacity: false, lang: row.lang, channel: row.channel });
    if (!r.ok) throw this.assignError(r.reason, target);
  }

  /** The supervisor becomes the conversation's agent (from whoever had it, or from the queue). */
  async takeOver(p: Principal, id: string): Promise<AgentConversation> {
    const me = this.me(p);
    await this.d.directory.ensureAgent(p);
    const conv = await this.conv(p, id);
    const r = await this.d.router.assign({ tenantId: p.tenantId, conversationId: id, agentId: me, via: 'takeover', source: { kind: 'any' }, checkCapacity: false, lang: (conv.state as { lang?: string }).lang, channel: conv.channel });
    if (!r.ok) throw r.reason === 'taken' ? conflict('you already serve this conversation, or it is not waiting for a person') : this.assignError(r.reason);
    return agentConversation((await this.d.repo.line(p.tenantId, id, me))!);
  }

  /** The supervisor joins as a second agent: reads everything live and may write. */
  async join(p: Principal, id: string): Promise<AgentConversation> {
    const me = this.me(p);
    const profile = await this.d.directory.ensureAgent(p);
    const r = await this.d.repo.join(p.tenantId, id, me, { events: [{ type: EV.joined, payload: { agentId: me, agentName: profile.displayName } }], onlyIf: ['agent'] });
    if (!r) {
      await this.conv(p, id);
      throw conflict('only a conversation with an agent can be joined, and only once');
    }
    const line = (await this.d.repo.line(p.tenantId, id, me))!;
    await this.d.notifier.toAgent(p.tenantId, me, { type: 'assigned', conversation: agentConversation(line), note: 'joined' });
    await this.d.notifier.committed(r.appended, { outbound: false });
    return agentConversation(line);
  }

  /** A joined supervisor leaves (the primary agent stays). */
  async leave(p: Principal, id: string): Promise<void> {
    const me = this.me(p);
    const profile = await this.d.directory.agent(p.tenantId, me);
    const r = await this.d.repo.endAssignments({ tenantId: p.tenantId, conversationId: id, agentIds: [me], role: 'joined', reason: 'left' }, () => ({
      events: [{ type: EV.unassigned, payload: { agentId: me, agentName: profile?.displayName, reason: 'left' } }],
    }));
    if (!r) throw new AppError('not_found', 'you have not joined this conversation');
    await this.d.notifier.committed(r.appended, { agents: [me, ...(await this.d.repo.active(p.tenantId, id)).map((a) => a.agentId)], outbound: false });
    await this.d.notifier.toAgent(p.tenantId, me, { type: 'unassigned', conversationId: id, reason: 'left' });
  }

  // ---- quick replies and knowledge ----

  quickReplies(p: Principal): Promise<QuickReply[]> {
    return this.d.repo.quickReplies(p.tenantId, this.me(p));
  }

  async putQuickReply(p: Principal, id: string | null, input: { scope: 'team' | 'personal'; title: string; text: string; sort?: number }): Promise<QuickReply> {
    const me = this.me(p);
    const existing = id ? await this.d.repo.quickReply(p.tenantId, id) : null;
    if (id && !existing) throw new AppError('not_found', 'quick reply not found');
    const scope = existing ? existing.scope : input.scope;
    if (scope === 'team' && !can(p, 'service:supervise') && !can(p, 'service:manage')) throw new AppError('forbidden', 'team quick replies are edited by supervisors');
    if (existing?.scope === 'personal' && existing.ownerId !== me) throw new AppError('not_found', 'quick reply not found');
    const row = { id: id ?? newId('qr'), tenantId: p.tenantId, ownerId: scope === 'team' ? null : me, title: input.title, text: input.text, sort: input.sort ?? existing?.sort ?? 0 };
    await this.d.repo.putQuickReply(row);
    return { id: row.id, scope, title: row.title, text: row.text, sort: row.sort };
  }

  async deleteQuickReply(p: Principal, id: string): Promise<void> {
    const me = this.me(p);
    const existing = await this.d.repo.quickReply(p.tenantId, id);
    if (!existing || (existing.scope === 'personal' && existing.ownerId !== me)) throw new AppError('not_found', 'quick reply not found');
    if (existing.scope === 'team' && !can(p, 'service:supervise') && !can(p, 'service:manage')) throw new AppError('forbidden', 'team quick replies are edited by supervisors');
    await this.d.repo.deleteQuickReply(p.tenantId, id);
  }

  /** Knowledge answers for a question, from the same model the robot uses (the conversation's bot, or `bot`). */
  async searchKnowledge(p: Principal, q: string, opts: { conversationId?: string; bot?: string; limit?: number }): Promise<KnowledgeAnswer[]> {
    let botId: string;
    if (opts.conversationId) botId = (await this.conv(p, opts.conversationId)).botId;
    else if (opts.bot) botId = (await this.d.tenancy.getBot(p.tenantId, opts.bot)).id;
    else {
      const bots = await this.d.tenancy.listBots(p.tenantId);
      if (!bots.length) return [];
      botId = bots[0].id;
    }
    const loaded = await this.d.models.get({ id: botId, tenantId: p.tenantId });
    if (!loaded) return [];
    const now = this.d.clock.now();
    const out: KnowledgeAnswer[] = [];
    for (const h of loaded.model.match(q, 20)) {
      const e = loaded.entries.get(h.id);
      if (!e || !isValidAt(e, now)) continue; // flows' trigger classes and expired entries are not answers
      out.push({ entryId: e.id, question: e.question, answer: e.answer, category: e.category, score: Math.round(h.score * 1000) / 1000 });
      if (out.length >= (opts.limit ?? 5)) break;
    }
    return out;
  }

  async setContactFlags(p: Principal, contactId: string, flags: { vip: boolean; elderly: boolean }) {
    await this.d.contacts.get(p, contactId);
    await this.d.repo.setContactFlags(p.tenantId, contactId, flags);
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'service.contact_flags', target: contactId, details: flags });
  }

  // ---- the customer's side (ChatService, web-channel routes) ----

  /**
   * A customer message recorded while the conversation waits for or is with a person: to its agents' sockets; a
   * waiting customer is seen (not abandoned) and reminded now and then that they may leave a message instead.
   */
  async customerMessage(conv: Conversation, stored: StoredEvent[]): Promise<{ replies: Reply[] }> {
    await this.d.notifier.eventsAppended(conv, stored, { outbound: false });
    const replies = await this.repliesSincePrevious(conv, stored[0]?.seq ?? conv.lastSeq);
    if (conv.status !== 'handoff') return { replies };
    await this.d.repo.touchCustomers([conv.id]);
    if (!wantsNotices(conv.channel) && conv.channel !== 'api') return { replies };
    if (!(await this.d.coordination.setIfAbsent(`svc:waitnote:${conv.id}`, '1', WAIT_NOTE_EVERY_MS))) return { replies };
    const reply: Reply = { type: 'system', text: textsFor((conv.state as { lang?: string }).lang).stillWaiting };
    const r = await this.d.conversations.record(conv.tenantId, conv.id, [{ type: EV.replied, payload: { reply } }], { onlyIf: ['handoff'] });
    return { replies: r ? [...replies, reply] : replies };
  }

  /**
   * For the HTTP chat API (and the widget's HTTP fallback), which has no socket to push to: the agents' replies and
   * notices written since the customer's previous message come back with their next one. Socket and vendor channels
   * got them already and get nothing here.
   */
  private async repliesSincePrevious(conv: Conversation, seq: number): Promise<Reply[]> {
    if (conv.channel !== 'api' && conv.channel !== 'web') return [];
    const evs = await this.d.conversations.events(conv.tenantId, conv.id, { afterSeq: Math.max(0, seq - 50), types: [EV.received, EV.replied, EV.agentMessage], limit: 50 });
    const out: Reply[] = [];
    for (const e of evs.filter((x) => x.seq < seq).reverse()) {
      if (e.type === EV.received) break;
      const reply = e.payload.reply as Reply;
      // The robot's replies were the answer to that previous message already.
      if (e.type === EV.agentMessage || reply?.type === 'system') out.unshift(reply);
    }
    return out;
  }

  /**
   * The customer leaves a message instead of waiting (widget `leave-message`, or a message like 留言 / 不等了 while
   * queued): it becomes a work order, the conversation leaves the queue and is back with the robot. `text` is the
   * message; `record` is what the customer typed, recorded as their message in the same write.
   */
  async leaveMessage(conv: Conversation, text: string, opts: { contact?: string; record?: { text: string; channel: string; clientMsgId?: string } } = {}): Promise<{ workOrderId: string; replies: Reply[] }> {
    if (conv.status === 'agent') throw conflict('an agent is serving you: write to them here');
    if (conv.status === 'closed') throw new AppError('bad_request', 'this conversation has ended');
    const wo = await this.d.intake().fromConversation(conv.tenantId, conv.id, text, opts.contact);
    const reply: Reply = { type: 'system', text: textsFor((conv.state as { lang?: string }).lang).messageLeft(wo.id) };
    const events = [
      ...(opts.record ? [{ type: EV.received, payload: { text: opts.record.text, channel: opts.record.channel, leaveMessage: true }, ...(opts.record.clientMsgId ? { clientMsgId: opts.record.clientMsgId } : {}) }] : []),
      { type: EV.messageLeft, payload: { workOrderId: wo.id, ...(opts.contact ? { contactGiven: true } : {}) } },
      { type: EV.replied, payload: { reply } },
    ];
    const dq = await this.d.repo.dequeue(conv.tenantId, conv.id, () => ({ events, status: 'bot', onlyIf: ['handoff'] }));
    if (dq) {
      await this.d.notifier.committed(dq.appended);
      this.d.router.touchPositions(conv.tenantId, dq.row.groupId);
    }
    const appended = dq?.appended ?? (await this.d.conversations.record(conv.tenantId, conv.id, events, { status: 'bot', onlyIf: ['bot', 'handoff'] }))
      // An agent took the conversation meanwhile: the work order stands, the log says so, the agent serves on.
      ?? (await this.d.conversations.record(conv.tenantId, conv.id, events));
    if (appended && !dq) await this.d.notifier.eventsAppended(appended.conversation, appended.stored);
    if (appended?.conversation.status === 'bot') await this.d.notifier.toCustomer(conv.id, [{ type: 'status', status: 'bot' }]);
    return { workOrderId: wo.id, replies: [reply] };
  }

  /** The text of a work order left by a message like 留言: what the customer wrote since asking for a person. */
  async waitingText(conv: Conversation): Promise<string> {
    const evs = await this.d.conversations.events(conv.tenantId, conv.id, { types: [EV.received, EV.handoff], limit: 5000 });
    const lastHandoff = evs.map((e) => e.type).lastIndexOf(EV.handoff);
    const since = evs.slice(lastHandoff + 1).filter((e) => e.type === EV.received).map((e) => String(e.payload.text));
    const before = evs.slice(0, Math.max(0, lastHandoff)).filter((e) => e.type === EV.received).map((e) => String(e.payload.text));
    const texts = since.length ? since : before.slice(-3);
    return texts.join('\n') || '（客户留言，未写内容）';
  }
}
