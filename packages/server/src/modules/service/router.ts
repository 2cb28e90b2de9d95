import type { Clock } from '../../platform/clock.ts';
import type { Coordination } from '../../platform/coordination.ts';
import type { DomainEvent } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Conversation, ConversationStatus, NewEvent } from '../conversations/conversation-repository.ts';
import { EV, type ConversationService } from '../conversations/conversation-service.ts';
import type { BotModelRegistry } from '../robot/bot-model-registry.ts';
import type { ServiceDirectory } from './directory.ts';
import { agentConversation, type ServiceNotifier } from './notifier.ts';
import type { PresenceService } from './presence.ts';
import { chooseAgent, etaSeconds, pickGroup, priorityOf, type Candidate } from './routing.ts';
import type { AssignResult, AssignSource, QueueRow, ServiceRepository } from './service-repository.ts';
import { notice, textsFor } from './texts.ts';
import { isOpen } from './working-hours.ts';

export type ServiceTimings = {
  sweepMs: number;
  /** An agent offline this long loses their chats to the queue. */
  graceMs: number;
  /** A queued web/app customer without an open widget or a message this long is removed. */
  abandonMs: number;
};

/** What a hand-off carries (robot-service.ts, flow-turn.ts): the reason, and for flows the queue and a note. */
export type HandoffPayload = { reason?: string; queue?: string; flowId?: string; note?: string; vip?: boolean; elderly?: boolean; priority?: number };

/** How long a customer's widget counts as open after its last heartbeat (web-channel/routes.ts beats every 10 s). */
export const CUSTOMER_PRESENCE_TTL_MS = 30_000;
const customerKey = (conversationId: string) => `svc:cust:${conversationId}`;
const lockKey = (t: string, g: string) => `svc:route:${t}:${g}`;
const dirtyKey = (t: string, g: string) => `svc:dirty:${t}:${g}`;
const rrKey = (t: string, g: string) => `svc:rr:${t}:${g}`;
const goneKey = (t: string, u: string) => `svc:gone:${t}:${u}`;
const ROUTE_LOCK_MS = 10_000;
/** Longest a routing pass looks ahead in a queue. */
const PASS_LOOKAHEAD = 200;
/** Repairs touch conversations untouched for this long only (a hand-off being queued right now is not an orphan). */
const ORPHAN_AFTER_MS = 10_000;
/** Customer channels whose presence is a socket (web widget, app SDK); the others are asynchronous. */
const LIVE_CHANNELS = ['web', 'app'];
const DEFAULT_HANDLE_SECONDS = 180;
/** Assignments of one pass running at once (each a short transaction on its own connection). */
const PASS_CONCURRENCY = 8;
/** Waiting customers' positions are recomputed at most this often per group and node. */
const POSITIONS_EVERY_MS = 500;

/** Runs fn over items with at most n in flight. */
async function inParallel<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/**
 * Queues and routing. Runs on every node: a hand-off is queued durably by the node that recorded it; routing passes
 * are triggered by an enqueue, an agent becoming free or online, and a periodic sweep, and run under a per
 * tenant+group lock of the coordination port. A trigger that finds the lock taken leaves a "dirty" mark that the
 * holder sees before it lets go, so no trigger is lost between nodes; the sweep covers a node that died holding it.
 * The assignment itself is a compare-and-set on the queue row (the repository's transaction), so even two routers
 * that both believed they held the lock could not give one conversation to two agents.
 */
export class ServiceRouter {
  private running = new Set<string>();
  private rerun = new Set<string>();
  private positionTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private lastPosition = new Map<string, string>();
  private handleCache = new Map<string, { at: number; s: number }>();
  private sweeper?: ReturnType<typeof setInterval>;
  private sweeping?: Promise<void>;
  private stopped = false;

  constructor(private d: {
    repo: ServiceRepository; directory: ServiceDirectory; presence: PresenceService; notifier: ServiceNotifier; conversations: ConversationService;
    coordination: Coordination; models: BotModelRegistry; clock: Clock; logger: Logger; timings: ServiceTimings;
  }) {}

  // ---- hand-off → queue ----

  /** EventBus listener of conversation.handoff. */
  async onHandoff(e: DomainEvent): Promise<void> {
    await this.enqueueHandoff(e.tenantId, String(e.conversationId), (e.payload ?? {}) as HandoffPayload);
  }

  /**
   * Queues a conversation that asked for a person: its group (routing.ts pickGroup), its priority (VIP and elderly
   * flags of the contact or the hand-off, aging with the wait), or — outside the group's working hours — the
   * out-of-hours message, and the conversation stays with the robot (the customer may leave a message).
   */
  async enqueueHandoff(tenantId: string, conversationId: string, h: HandoffPayload, opts: { from?: ConversationStatus[] } = {}): Promise<QueueRow | null> {
    const conv = await this.d.conversations.get(tenantId, conversationId).catch(() => null);
    const from = opts.from ?? ['handoff'];
    if (!conv || !from.includes(conv.status)) return null;
    const groups = await this.d.directory.ensureDefaultGroup(tenantId);
    const state = conv.state as { lang?: string; lastEntryId?: string };
    const lang = state.lang;
    let category: string | null = null;
    if (state.lastEntryId && !h.queue) {
      const loaded = await this.d.models.get({ id: conv.botId, tenantId }).catch(() => null);
      category = loaded?.entries.get(state.lastEntryId)?.category ?? null;
    }
    const choice = pickGroup(groups, { queue: h.queue, entryId: state.lastEntryId, category, lang })!;
    const group = choice.group;
    const texts = textsFor(lang);
    const groupName = lang === 'en' ? group.name.en : group.name.zh;
    if (!isOpen(group.workingHours, this.d.clock.now())) {
      const text = (lang === 'en' ? group.outOfHoursMessage.en : group.outOfHoursMessage.zh) || texts.outOfHours;
      const r = await this.d.conversations.record(tenantId, conversationId, [
        { type: EV.outOfHours, payload: { group: group.id } },
        { type: EV.replied, payload: { reply: { type: 'system', text } } },
      ], { status: 'bot', onlyIf: from });
      if (r) {
        await this.d.notifier.toCustomer(conversationId, [{ type: 'status', status: 'bot' }]);
        await this.d.notifier.eventsAppended(r.conversation, r.stored, { agents: [] });
      }
      return null;
    }
    const flags = conv.contactId ? await this.d.repo.contactFlags(tenantId, conv.contactId) : { vip: false, elderly: false };
    const vip = flags.vip || !!h.vip;
    const elderly = flags.elderly || !!h.elderly;
    const priority = priorityOf({ vip, elderly, extra: typeof h.priority === 'number' ? h.priority : 0 });
    const preferredAgent = group.strategy === 'last_agent' ? await this.d.repo.lastAgentOf(tenantId, conversationId, conv.contactId ?? null) : null;
    const reason = h.reason ?? 'customer_request';
    const r = await this.d.repo.enqueue(
      { tenantId, conversationId, groupId: group.id, priority, reason, note: h.note ?? null, preferredAgent, lang: lang ?? null },
      () => ({
        events: [
          { type: EV.queued, payload: { group: group.id, groupName: group.name.zh, queue: group.id, priority, reason, via: choice.via, ...(vip ? { vip } : {}), ...(elderly ? { elderly } : {}) } },
          ...notice(conv.channel, texts.queued(groupName)),
        ],
        status: 'handoff', onlyIf: from,
      }),
    );
    if (!r) return null;
    await this.d.notifier.committed(r.appended, { agents: [] });
    await this.d.notifier.toCustomer(conversationId, [{ type: 'status', status: 'handoff' }]);
    this.touchPositions(tenantId, group.id);
    void this.route(tenantId, group.id);
    return r.row;
  }

  // ---- assignment ----

  /**
   * Gives a conversation to an agent (routing, pick, transfer, supervisor) and tells everyone: the agent's sockets
   * (`assigned`), the previous agent (`unassigned`), the customer (`status` agent, and a notice naming the agent).
   */
  async assign(a: {
    tenantId: string; conversationId: string; agentId: string; via: 'routing' | 'pick' | 'transfer' | 'supervisor' | 'takeover';
    source: AssignSource; checkCapacity: boolean; groupId?: string; lang?: string | null; channel?: string | null;
    transfer?: { fromAgentId: string; fromAgentName: string; note: string | null };
  }, opts: { background?: boolean } = {}): Promise<AssignResult> {
    const agent = await this.d.directory.agent(a.tenantId, a.agentId) ?? await this.d.repo.getAgent(a.tenantId, a.agentId);
    if (!agent) return { ok: false, reason: 'not_agent' };
    const texts = textsFor(a.lang);
    const r = await this.d.repo.assign(
      { tenantId: a.tenantId, conversationId: a.conversationId, agentId: a.agentId, via: a.via, source: a.source, checkCapacity: a.checkCapacity, groupId: a.groupId },
      (info) => {
        const events: NewEvent[] = [];
        if (a.transfer) events.push({ type: EV.transferred, payload: { fromAgentId: a.transfer.fromAgentId, fromAgentName: a.transfer.fromAgentName, toAgentId: a.agentId, toAgentName: agent.displayName, note: a.transfer.note } });
        else if (info.previousAgent) events.push({ type: EV.unassigned, payload: { agentId: info.previousAgent, reason: a.via === 'takeover' ? 'taken_over' : 'reassigned' } });
        events.push(
          { type: EV.assigned, payload: { agentId: a.agentId, agentName: agent.displayName, group: info.groupId, queue: info.groupId, by: a.via } },
          ...notice(a.channel, texts.assigned(agent.displayName)),
        );
        return { events, status: 'agent', onlyIf: ['handoff', 'agent'] };
      },
    );
    if (!r.ok) return r;
    if (r.previousAgent) void this.agentAvailable(a.tenantId, r.previousAgent);
    const told = this.announceAssignment(a, agent.displayName, r).catch((err) => this.d.logger.error({ err, conversationId: a.conversationId }, 'assignment not announced'));
    // A routing pass lets go of the group's lock once the assignments are committed; telling people runs on.
    if (opts.background) this.track(told);
    else await told;
    return r;
  }

  private inflight = new Set<Promise<unknown>>();
  private track(p: Promise<unknown>) {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async announceAssignment(a: { tenantId: string; conversationId: string; agentId: string; via: string; source: AssignSource; transfer?: { note: string | null } }, agentName: string, r: Extract<AssignResult, { ok: true }>) {
    const [line, joined] = await Promise.all([this.d.repo.line(a.tenantId, a.conversationId, a.agentId), this.joinedAgents(a.tenantId, a.conversationId, a.agentId)]);
    const note = a.transfer?.note ?? r.note ?? undefined;
    if (line) await this.d.notifier.toAgent(a.tenantId, a.agentId, { type: 'assigned', conversation: agentConversation(line), ...(note ? { note } : {}) });
    if (r.previousAgent) {
      await this.d.notifier.toAgent(a.tenantId, r.previousAgent, { type: 'unassigned', conversationId: a.conversationId, reason: a.via === 'transfer' ? 'transferred' : 'taken_over' });
    }
    await this.d.notifier.toCustomer(a.conversationId, [{ type: 'status', status: 'agent', agentName }]);
    await this.d.notifier.committed(r.appended, { agents: [a.agentId, ...joined] });
    if (r.assignment.groupId && a.source.kind !== 'agent') this.touchPositions(a.tenantId, r.assignment.groupId);
  }

  private async joinedAgents(tenantId: string, conversationId: string, except: string) {
    return (await this.d.repo.active(tenantId, conversationId)).filter((x) => x.agentId !== except).map((x) => x.agentId);
  }

  /**
   * Ends an agent's hold on a conversation and queues it again, keeping the customer's priority and waiting time
   * (an agent who vanished, a transfer to a group).
   */
  async requeue(c: Pick<Conversation, 'id' | 'tenantId' | 'state' | 'channel'>, agentId: string, opts: { reason: string; groupId?: string; note?: string | null; transfer?: { fromAgentName: string } }) {
    const lang = (c.state as { lang?: string }).lang ?? null;
    const texts = textsFor(lang);
    const agent = await this.d.directory.agent(c.tenantId, agentId);
    const target = opts.groupId ? await this.d.directory.group(c.tenantId, opts.groupId) : undefined;
    const r = await this.d.repo.endAssignments(
      { tenantId: c.tenantId, conversationId: c.id, agentIds: [agentId], role: 'primary', reason: opts.reason, requeue: { groupId: opts.groupId, reason: opts.reason, note: opts.note ?? null, lang } },
      (ended) => {
        const primary = ended.find((x) => x.role === 'primary');
        const groupId = opts.groupId ?? primary?.groupId ?? null;
        const events: NewEvent[] = opts.transfer
          ? [{ type: EV.transferred, payload: { fromAgentId: agentId, fromAgentName: opts.transfer.fromAgentName, toGroup: groupId, note: opts.note ?? null } }]
          : [{ type: EV.unassigned, payload: { agentId, agentName: agent?.displayName, reason: opts.reason } }];
        events.push(
          { type: EV.queued, payload: { group: groupId, groupName: target?.name.zh ?? groupId, queue: groupId, priority: primary?.priority ?? 0, reason: opts.reason } },
          ...notice(c.channel, opts.transfer ? texts.toGroup((lang === 'en' ? target?.name.en : target?.name.zh) ?? String(groupId)) : texts.requeued),
        );
        return { events, status: 'handoff', onlyIf: ['agent'] };
      },
    );
    if (!r) return null;
    const groupId = opts.groupId ?? r.ended.find((x) => x.role === 'primary')?.groupId;
    for (const x of r.ended) await this.d.notifier.toAgent(c.tenantId, x.agentId, { type: 'unassigned', conversationId: c.id, reason: opts.reason });
    await this.d.notifier.committed(r.appended);
    await this.d.notifier.toCustomer(c.id, [{ type: 'status', status: 'handoff' }]);
    if (groupId) {
      this.touchPositions(c.tenantId, groupId);
      void this.route(c.tenantId, groupId);
    }
    void this.agentAvailable(c.tenantId, agentId);
    return r;
  }

  // ---- routing ----

  /** An agent may take more chats (came online, closed or passed one on): route their groups. */
  async agentAvailable(tenantId: string, userId: string): Promise<void> {
    const agent = await this.d.directory.agent(tenantId, userId);
    for (const g of agent?.groups ?? []) await this.route(tenantId, g);
  }

  /** Routes one group's queue, once per trigger, across nodes (see the class comment). */
  async route(tenantId: string, groupId: string): Promise<void> {
    if (this.stopped) return;
    const key = `${tenantId}\u0000${groupId}`;
    if (this.running.has(key)) {
      this.rerun.add(key);
      return;
    }
    this.running.add(key);
    const { coordination } = this.d;
    try {
      for (let round = 0; round < 20 && !this.stopped; round++) {
        let release = await coordination.tryLock(lockKey(tenantId, groupId), ROUTE_LOCK_MS);
        if (!release) {
          // Held elsewhere: leave a mark the holder looks for before it lets go, then try once more in case it
          // let go in between (then the mark is ours to clear).
          await coordination.set(dirtyKey(tenantId, groupId), '1', ROUTE_LOCK_MS * 3);
          release = await coordination.tryLock(lockKey(tenantId, groupId), ROUTE_LOCK_MS);
          if (!release) return;
        }
        try {
          for (let i = 0; i < 50 && !this.stopped; i++) {
            this.rerun.delete(key);
            // Marks left from now on ask for another pass.
            await coordination.del(dirtyKey(tenantId, groupId));
            await this.pass(tenantId, groupId);
            if (!this.rerun.has(key) && !(await coordination.get(dirtyKey(tenantId, groupId)))) break;
          }
        } finally {
          await release();
        }
        // A trigger that came between our last look and the release found the lock still taken: look again.
        if (!this.rerun.has(key) && !(await coordination.get(dirtyKey(tenantId, groupId)))) return;
      }
    } catch (err) {
      this.d.logger.error({ err, tenantId, groupId }, 'routing pass failed');
    } finally {
      this.running.delete(key);
    }
  }

  /**
   * One routing pass: the group's queue in order, each to the agent the group's strategy picks. The plan is made
   * first (who gets whom), then the assignments run concurrently — each is its own transaction on distinct rows, so
   * they do not wait for each other. One that fails (the agent filled up through a pick or another group, the
   * customer left) leaves its row queued and asks for another pass.
   */
  private async pass(tenantId: string, groupId: string): Promise<number> {
    const group = await this.d.directory.group(tenantId, groupId);
    const strategy = group?.strategy ?? 'least_busy';
    const agents = (await this.d.directory.agents(tenantId)).filter((a) => a.groups.includes(groupId));
    if (agents.length === 0) return 0;
    const ids = agents.map((a) => a.userId);
    const [presence, loads] = await Promise.all([this.d.presence.getMany(tenantId, ids), this.d.repo.loads(tenantId, ids)]);
    const candidates: Candidate[] = agents
      .filter((a) => presence.get(a.userId) === 'online')
      .map((a) => ({ userId: a.userId, maxConcurrent: a.maxConcurrent, load: loads.get(a.userId)?.load ?? 0, lastAssignedAt: loads.get(a.userId)?.lastAssignedAt ?? 0 }));
    const free = candidates.reduce((n, c) => n + Math.max(0, c.maxConcurrent - c.load), 0);
    if (free === 0) return 0;
    const rows = await this.d.repo.queued(tenantId, groupId, Math.min(PASS_LOOKAHEAD, free));
    if (rows.length === 0) return 0;
    let lastServed = strategy === 'round_robin' ? await this.d.coordination.get(rrKey(tenantId, groupId)) : null;
    const plan: { row: QueueRow; agentId: string }[] = [];
    for (const row of rows) {
      const c = chooseAgent(strategy, candidates, { preferred: row.preferredAgent, lastServed });
      if (!c) break;
      c.load++;
      c.lastAssignedAt = Date.now();
      lastServed = c.userId;
      plan.push({ row, agentId: c.userId });
    }
    if (lastServed && strategy === 'round_robin') await this.d.coordination.set(rrKey(tenantId, groupId), lastServed);
    let made = 0;
    let failed = false;
    await inParallel(plan, PASS_CONCURRENCY, async ({ row, agentId }) => {
      const r = await this.assign({ tenantId, conversationId: row.conversationId, agentId, via: 'routing', source: { kind: 'queue' }, checkCapacity: true, lang: row.lang, channel: row.channel }, { background: true });
      if (r.ok) made++;
      else if (r.reason === 'full' || r.reason === 'not_agent') failed = true;
    });
    if (failed) this.rerun.add(`${tenantId}\u0000${groupId}`);
    return made;
  }

  // ---- queue position and ETA for waiting customers ----

  /** Sends waiting customers of a group their position and ETA soon (coalesced; only to open widgets, only changes). */
  touchPositions(tenantId: string, groupId: string): void {
    const key = `${tenantId}\u0000${groupId}`;
    if (this.positionTimers.has(key) || this.stopped) return;
    const t = setTimeout(() => {
      this.positionTimers.delete(key);
      void this.publishPositions(tenantId, groupId).catch((err) => this.d.logger.warn({ err, groupId }, 'queue positions not published'));
    }, POSITIONS_EVERY_MS);
    t.unref?.();
    this.positionTimers.set(key, t);
  }

  /** Position (1 = next) and estimated wait of every conversation in a group's queue, in serving order. */
  async positions(tenantId: string, groupId: string): Promise<{ conversationId: string; position: number; etaSeconds: number | null }[]> {
    const rows = await this.d.repo.queued(tenantId, groupId, 1000);
    if (rows.length === 0) return [];
    const agents = (await this.d.directory.agents(tenantId)).filter((a) => a.groups.includes(groupId));
    const presence = await this.d.presence.getMany(tenantId, agents.map((a) => a.userId));
    const capacity = agents.filter((a) => presence.get(a.userId) !== 'offline').reduce((n, a) => n + a.maxConcurrent, 0);
    const handle = await this.avgHandle(tenantId, groupId);
    return rows.map((r, i) => ({ conversationId: r.conversationId, position: i + 1, etaSeconds: etaSeconds(i + 1, handle, capacity) }));
  }

  private async avgHandle(tenantId: string, groupId: string): Promise<number> {
    const key = `${tenantId}\u0000${groupId}`;
    const c = this.handleCache.get(key);
    if (c && Date.now() - c.at < 30_000) return c.s;
    const s = (await this.d.repo.avgHandleSeconds(tenantId, groupId)) ?? DEFAULT_HANDLE_SECONDS;
    this.handleCache.set(key, { at: Date.now(), s });
    return s;
  }

  private async publishPositions(tenantId: string, groupId: string) {
    const all = await this.positions(tenantId, groupId);
    if (all.length === 0) return;
    // Only customers with an open widget can see it; the others would cost a publish for nobody.
    const open = await this.d.coordination.getMany(all.map((p) => customerKey(p.conversationId)));
    for (const [i, p] of all.entries()) {
      if (!open[i]) continue;
      const sig = `${groupId}:${p.position}:${p.etaSeconds}`;
      if (this.lastPosition.get(p.conversationId) === sig) continue;
      this.lastPosition.set(p.conversationId, sig);
      await this.d.notifier.toCustomer(p.conversationId, [{ type: 'queue', position: p.position, etaSeconds: p.etaSeconds, group: groupId }]);
    }
    if (this.lastPosition.size > 50_000) this.lastPosition.clear();
  }

  /** What a (re)connecting customer's widget should show now: the service status and, when queued, the position. */
  async customerView(c: Pick<Conversation, 'id' | 'tenantId' | 'status'>): Promise<({ type: 'status'; status: ConversationStatus; agentName?: string } | { type: 'queue'; position: number; etaSeconds: number | null; group: string })[]> {
    if (c.status === 'bot') return [];
    if (c.status === 'closed') return [{ type: 'status', status: 'closed' }];
    if (c.status === 'agent') {
      const primary = (await this.d.repo.active(c.tenantId, c.id)).find((a) => a.role === 'primary');
      const agent = primary && (await this.d.directory.agent(c.tenantId, primary.agentId));
      return [{ type: 'status', status: 'agent', ...(agent ? { agentName: agent.displayName } : {}) }];
    }
    const row = await this.d.repo.queueRow(c.tenantId, c.id);
    if (!row) return [{ type: 'status', status: 'handoff' }];
    const p = (await this.positions(c.tenantId, row.groupId)).find((x) => x.conversationId === c.id);
    this.lastPosition.delete(c.id);
    return [{ type: 'status', status: 'handoff' }, ...(p ? [{ type: 'queue' as const, position: p.position, etaSeconds: p.etaSeconds, group: row.groupId }] : [])];
  }

  /** A customer's widget is open on a conversation waiting for or with a person (heartbeat, see CUSTOMER_PRESENCE_TTL_MS). */
  async customerPresent(conversationId: string): Promise<void> {
    await this.d.coordination.set(customerKey(conversationId), '1', CUSTOMER_PRESENCE_TTL_MS);
  }

  async customerGone(conversationId: string): Promise<void> {
    await this.d.coordination.del(customerKey(conversationId));
  }

  // ---- the sweep ----

  start(): void {
    if (this.sweeper || this.stopped) return;
    this.sweeper = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep().catch((err) => this.d.logger.error({ err }, 'service sweep failed')).finally(() => { this.sweeping = undefined; });
    }, this.d.timings.sweepMs);
    this.sweeper.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const t of this.positionTimers.values()) clearTimeout(t);
    this.positionTimers.clear();
    await this.sweeping;
    await Promise.allSettled([...this.inflight]);
  }

  /**
   * Every node, every sweepMs: route every group that has someone waiting (a node killed mid-queue loses nothing:
   * its queue rows are here for the others), then — one node at a time — the maintenance rules.
   */
  async sweep(): Promise<void> {
    for (const { tenantId, groupId } of await this.d.repo.queuedGroups()) await this.route(tenantId, groupId);
    const release = await this.d.coordination.tryLock('svc:maintenance', 60_000);
    if (!release) return;
    try {
      await this.maintain();
    } finally {
      await release();
    }
  }

  /** The fault rules (docs/HUMAN-SERVICE.md "Faults"): vanished agents, customers gone from the queue, orphans. */
  async maintain(): Promise<void> {
    const now = this.d.clock.now().getTime();
    const { coordination } = this.d;
    // 1. Agents offline (no heartbeat, last socket closed) for longer than the grace time: their chats are requeued.
    const holding = await this.d.repo.agentsWithChats();
    for (const tenantId of new Set(holding.map((x) => x.tenantId))) {
      const mine = holding.filter((x) => x.tenantId === tenantId);
      const [presence, gone] = await Promise.all([
        this.d.presence.getMany(tenantId, mine.map((x) => x.agentId)),
        coordination.getMany(mine.map((x) => goneKey(tenantId, x.agentId))),
      ]);
      for (const [i, x] of mine.entries()) {
        if (this.stopped) return;
        const gk = goneKey(tenantId, x.agentId);
        if (presence.get(x.agentId) !== 'offline') {
          if (gone[i]) await coordination.del(gk);
          continue;
        }
        if (!gone[i]) {
          await coordination.setIfAbsent(gk, String(now), Math.max(this.d.timings.graceMs * 10, 600_000));
          if (this.d.timings.graceMs > 0) continue;
        }
        const since = Number(gone[i] ?? now);
        if (now - since < this.d.timings.graceMs) continue;
        for (const conversationId of x.conversations) {
          const c = await this.d.conversations.get(tenantId, conversationId).catch(() => null);
          if (c) await this.requeue(c, x.agentId, { reason: 'agent_offline' });
        }
        await coordination.del(gk);
      }
    }
    // 2. Queued customers of live channels: an open widget keeps them; gone (no widget, no message) too long: removed.
    const rows = await this.d.repo.queuedOfChannels(LIVE_CHANNELS, 2000);
    if (rows.length) {
      const open = await coordination.getMany(rows.map((r) => customerKey(r.conversationId)));
      await this.d.repo.touchCustomers(rows.filter((_, i) => open[i]).map((r) => r.conversationId));
      for (const [i, r] of rows.entries()) {
        if (open[i] || now - r.customerSeenAt.getTime() < this.d.timings.abandonMs || this.stopped) continue;
        await this.abandon(r);
      }
    }
    // 3. Orphans: waiting for a person with neither a queue row nor an agent (a node died between two writes).
    for (const o of await this.d.repo.orphans(new Date(now - ORPHAN_AFTER_MS), 100)) {
      if (this.stopped) return;
      const evs = await this.d.conversations.events(o.tenantId, o.conversationId, { types: [EV.handoff, EV.queued] });
      const last = evs.reverse().find((e) => e.type === EV.handoff)?.payload as HandoffPayload | undefined;
      const queued = evs.find((e) => e.type === EV.queued)?.payload as { group?: string } | undefined;
      this.d.logger.warn({ conversationId: o.conversationId, status: o.status }, 'repairing a conversation that lost its queue row or agent');
      await this.enqueueHandoff(o.tenantId, o.conversationId, { ...(last ?? {}), ...(queued?.group ? { queue: queued.group } : {}), reason: 'repair' }, { from: [o.status] });
    }
  }

  /** A waiting customer left (widget closed, no message) for longer than abandonMs: out of the queue, closed. */
  private async abandon(row: QueueRow & { channel: string }) {
    const texts = textsFor(row.lang);
    const r = await this.d.repo.dequeue(row.tenantId, row.conversationId, () => ({
      events: [
        { type: EV.closed, payload: { by: 'customer', closedBy: 'customer', reason: 'left_queue', group: row.groupId } },
        ...notice(row.channel, texts.abandoned),
      ],
      status: 'closed', onlyIf: ['handoff'],
    }));
    if (!r) return;
    await this.d.notifier.committed(r.appended, { agents: [] });
    await this.d.notifier.toCustomer(row.conversationId, [{ type: 'status', status: 'closed' }]);
    this.touchPositions(row.tenantId, row.groupId);
  }
}

