import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AgentConversation, AgentInfo, KnowledgeAnswer, Presence, QueueStats, QuickReply, SkillGroup, TranscriptItem } from '@lingxi/contracts';
import { principalOf, type Guards } from '../../http/auth.ts';
import { IDENTITY_KINDS } from '../contacts/contact-repository.ts';
import type { ServiceModule } from './index.ts';

const security = [{ bearer: [] }];
const Id = z.object({ id: z.string().min(1).max(64) });
const Unmasked = z.object({ unmasked: z.enum(['true', 'false']).default('false').describe('personal data in clear: only with pii:view, audited') });
const Items = <T extends z.ZodType>(t: T) => z.object({ items: z.array(t) });
const Text = z.string().trim().min(1).max(2000);

/** Wrap-up categories offered by the workbench (通话小结); free text is accepted too. */
export const WRAPUP_CATEGORIES = [
  { id: 'consultation', zh: '业务咨询', en: 'Enquiry' },
  { id: 'transaction', zh: '业务办理', en: 'Transaction' },
  { id: 'card', zh: '卡片问题', en: 'Card issue' },
  { id: 'complaint', zh: '投诉', en: 'Complaint' },
  { id: 'suggestion', zh: '建议', en: 'Suggestion' },
  { id: 'fraud', zh: '疑似诈骗', en: 'Suspected fraud' },
  { id: 'other', zh: '其他', en: 'Other' },
];

const CustomerDto = z.object({
  contact: z.object({
    id: z.string(), displayName: z.string(),
    identities: z.array(z.object({ kind: z.enum(IDENTITY_KINDS), value: z.string(), verified: z.boolean() })),
  }).nullable().describe('null for an anonymous web visitor'),
  flags: z.object({ vip: z.boolean(), elderly: z.boolean() }),
  history: z.array(z.object({
    conversationId: z.string(), botId: z.string(), channel: z.string(), status: z.string(), startedAt: z.string(), lastAt: z.string(), lastText: z.string().nullable(),
  })).describe("the contact's conversations on every channel, newest first (this one included)"),
  masked: z.boolean(),
});
const SupervisedAgent = AgentInfo.extend({ conversations: z.array(z.string()).describe('ids of the conversations they serve now') });

/**
 * The human service's REST API (docs/HUMAN-SERVICE.md "REST API"). Three audiences: administrators (skill groups,
 * agent profiles, priority flags: service:manage), agents (/api/v1/agent: service:agent) and supervisors
 * (/api/v1/supervisor: service:supervise). The workbench's live side is the WebSocket in agent-ws.ts.
 */
export const serviceRoutes = (service: ServiceModule, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const { desk, directory } = service;

  // ---- administration ----
  const adm = { tags: ['service'], security };

  app.get('/api/v1/service/groups', {
    schema: { ...adm, summary: 'Skill groups (技能组) with their routing, hours and out-of-hours message', response: { 200: Items(SkillGroup) } },
    preHandler: guards.require('service:agent'),
  }, async (req) => ({ items: await directory.groups(principalOf(req).tenantId) }));

  app.put('/api/v1/service/groups/:id', {
    schema: {
      ...adm, summary: 'Create or replace a skill group', params: z.object({ id: SkillGroup.shape.id }),
      description: 'The tenant always has exactly one default group (isDefault): making a group the default unsets the previous one; ' +
        'the first group becomes the default. workingHours null is always open; outside the hours a customer asking for a person gets ' +
        'outOfHoursMessage (or a standard text) and stays with the robot, and may leave a message.',
      body: SkillGroup.omit({ id: true }), response: { 200: SkillGroup },
    },
    preHandler: guards.require('service:manage'),
  }, async (req) => directory.putGroup(principalOf(req), { ...req.body, id: req.params.id }));

  app.delete('/api/v1/service/groups/:id', {
    schema: { ...adm, summary: 'Delete a skill group (not the default one, and not while conversations wait in it)', params: Id },
    preHandler: guards.require('service:manage'),
  }, async (req, reply) => {
    const p = principalOf(req);
    const waiting = (await service.repo.queueCounts(p.tenantId)).get(req.params.id)?.waiting ?? 0;
    await directory.deleteGroup(p, req.params.id, waiting);
    return reply.status(204).send();
  });

  app.get('/api/v1/service/agents', {
    schema: { ...adm, summary: 'Agents with their groups, presence and current load', response: { 200: Items(AgentInfo) } },
    preHandler: guards.require('service:agent'),
  }, async (req) => {
    const p = principalOf(req);
    return { items: (await desk.agents(p)).map(({ conversations: _c, ...a }) => a) };
  });

  app.put('/api/v1/service/agents/:userId', {
    schema: {
      ...adm, summary: "Create or update a user's agent profile (the user's role must have service:agent)",
      params: z.object({ userId: z.string().min(1).max(64) }),
      body: z.object({
        displayName: z.string().trim().min(1).max(32).optional().describe('what customers see, e.g. 客服小王'),
        maxConcurrent: z.number().int().min(1).max(50).optional().describe('most chats at once (default 3)'),
        groups: z.array(z.string().min(1).max(32)).max(50).optional(),
      }),
      response: { 200: AgentInfo },
    },
    preHandler: guards.require('service:manage'),
  }, async (req) => {
    const p = principalOf(req);
    const profile = await directory.putAgent(p, req.params.userId, req.body);
    return desk.agentInfo(p.tenantId, profile);
  });

  app.delete('/api/v1/service/agents/:userId', {
    schema: { ...adm, summary: 'Remove an agent profile (their current chats go back to the queue when they go offline)', params: z.object({ userId: z.string().min(1).max(64) }) },
    preHandler: guards.require('service:manage'),
  }, async (req, reply) => {
    await directory.deleteAgent(principalOf(req), req.params.userId);
    return reply.status(204).send();
  });

  app.put('/api/v1/service/contacts/:id/flags', {
    schema: {
      ...adm, summary: "A customer's queue priority: VIP (the bank's customer level) and the elderly direct line (敬老专线)", params: Id,
      body: z.object({ vip: z.boolean(), elderly: z.boolean() }), response: { 200: z.object({ vip: z.boolean(), elderly: z.boolean() }) },
    },
    preHandler: guards.require('service:manage'),
  }, async (req) => {
    await desk.setContactFlags(principalOf(req), req.params.id, req.body);
    return req.body;
  });

  app.get('/api/v1/service/wrapup-categories', {
    schema: { ...adm, summary: 'Wrap-up categories the workbench offers (free text is accepted too)', response: { 200: Items(z.object({ id: z.string(), zh: z.string(), en: z.string() })) } },
    preHandler: guards.require('service:agent'),
  }, async () => ({ items: WRAPUP_CATEGORIES }));

  // ---- the agent ----
  const ag = { tags: ['agent'], security };
  const agent = guards.require('service:agent');

  app.get('/api/v1/agent/me', {
    schema: { ...ag, summary: 'My agent profile, presence and load (a profile is created on first use)', response: { 200: AgentInfo } },
    preHandler: agent,
  }, async (req) => desk.profile(principalOf(req)));

  app.put('/api/v1/agent/presence', {
    schema: {
      ...ag, summary: 'Set my presence (online, busy, away, offline)',
      description: 'Also a heartbeat: without an open workbench WebSocket, presence lasts LINGXI_SERVICE_PRESENCE_TTL_MS.',
      body: z.object({ presence: Presence }), response: { 200: z.object({ presence: Presence }) },
    },
    preHandler: agent,
  }, async (req) => ({ presence: await desk.setPresence(principalOf(req), req.body.presence) }));

  app.get('/api/v1/agent/conversations', {
    schema: {
      ...ag, summary: 'My conversations with unread counts (active; or recent: those I left in the last 24 hours)',
      querystring: z.object({ scope: z.enum(['active', 'recent']).default('active') }), response: { 200: Items(AgentConversation) },
    },
    preHandler: agent,
  }, async (req) => ({ items: await desk.myConversations(principalOf(req), req.query.scope) }));

  app.get('/api/v1/agent/queue', {
    schema: {
      ...ag, summary: 'Conversations waiting in my groups, in serving order (to pick one: POST …/accept)',
      querystring: z.object({ group: z.string().max(32).optional() }), response: { 200: Items(AgentConversation) },
    },
    preHandler: agent,
  }, async (req) => ({ items: await desk.waiting(principalOf(req), req.query.group) }));

  app.get('/api/v1/agent/conversations/:id', {
    schema: {
      ...ag, summary: "A conversation's transcript, the robot's part included", params: Id, querystring: Unmasked,
      response: { 200: z.object({ conversation: AgentConversation, items: z.array(TranscriptItem), masked: z.boolean() }) },
    },
    preHandler: agent,
  }, async (req) => desk.transcript(principalOf(req), req.params.id, req.query.unmasked === 'true'));

  app.get('/api/v1/agent/conversations/:id/customer', {
    schema: { ...ag, summary: "The customer's profile and their history across channels", params: Id, querystring: Unmasked, response: { 200: CustomerDto } },
    preHandler: agent,
  }, async (req) => desk.customer(principalOf(req), req.params.id, req.query.unmasked === 'true'));

  app.post('/api/v1/agent/conversations/:id/accept', {
    schema: {
      ...ag, summary: 'Pick a waiting conversation', params: Id,
      description: 'Two agents picking the same conversation at once: one gets 200, the other 409. 409 also when I am at my maximum of concurrent chats.',
      response: { 200: AgentConversation },
    },
    preHandler: agent,
  }, async (req) => desk.accept(principalOf(req), req.params.id));

  app.post('/api/v1/agent/conversations/:id/messages', {
    schema: {
      ...ag, summary: 'Reply to the customer (to their widget, or their channel: WeChat, SMS, app push…)', params: Id,
      body: z.object({ text: Text, clientMsgId: z.string().min(1).max(64).optional().describe('a retried request with the same id is recorded once') }),
      response: { 200: z.object({ seq: z.number().int(), at: z.string() }) },
    },
    preHandler: agent,
  }, async (req) => desk.reply(principalOf(req), req.params.id, req.body.text, req.body.clientMsgId));

  app.post('/api/v1/agent/conversations/:id/read', {
    schema: { ...ag, summary: 'Mark read up to an event seq (unread counts the customer messages after it)', params: Id, body: z.object({ seq: z.number().int().min(0) }) },
    preHandler: agent,
  }, async (req, reply) => {
    await desk.markRead(principalOf(req), req.params.id, req.body.seq);
    return reply.status(204).send();
  });

  app.post('/api/v1/agent/conversations/:id/transfer', {
    schema: {
      ...ag, summary: 'Transfer to another agent (present, with a free slot) or to a group\'s queue, with a note', params: Id,
      body: z.object({ toAgentId: z.string().min(1).max(64).optional(), toGroup: z.string().min(1).max(32).optional(), note: z.string().max(500).optional() }),
    },
    preHandler: agent,
  }, async (req, reply) => {
    await desk.transfer(principalOf(req), req.params.id, req.body);
    return reply.status(204).send();
  });

  app.put('/api/v1/agent/conversations/:id/wrapup', {
    schema: {
      ...ag, summary: 'Wrap-up (通话小结): category and summary; also after the conversation closed', params: Id,
      body: z.object({ category: z.string().trim().min(1).max(64), summary: z.string().max(2000).default('') }),
      response: { 200: z.object({ seq: z.number().int() }) },
    },
    preHandler: agent,
  }, async (req) => desk.wrapup(principalOf(req), req.params.id, req.body));

  app.post('/api/v1/agent/conversations/:id/close', {
    schema: {
      ...ag, summary: 'Close the conversation: the customer is thanked and asked for a rating (1–5)', params: Id,
      body: z.object({ reason: z.string().max(200).optional() }).default({}),
    },
    preHandler: agent,
  }, async (req, reply) => {
    await desk.close(principalOf(req), req.params.id, req.body?.reason);
    return reply.status(204).send();
  });

  const QuickReplyBody = z.object({ title: z.string().trim().min(1).max(64), text: Text, sort: z.number().int().min(0).max(10_000).optional() });
  app.get('/api/v1/agent/quick-replies', {
    schema: { ...ag, summary: 'Quick replies (快捷回复): the team\'s and my own', response: { 200: Items(QuickReply) } },
    preHandler: agent,
  }, async (req) => ({ items: await desk.quickReplies(principalOf(req)) }));

  app.post('/api/v1/agent/quick-replies', {
    schema: {
      ...ag, summary: 'Add a quick reply (team ones: supervisors)', body: QuickReplyBody.extend({ scope: z.enum(['team', 'personal']).default('personal') }),
      response: { 200: QuickReply },
    },
    preHandler: agent,
  }, async (req) => desk.putQuickReply(principalOf(req), null, req.body));

  app.put('/api/v1/agent/quick-replies/:id', {
    schema: { ...ag, summary: 'Edit a quick reply', params: Id, body: QuickReplyBody, response: { 200: QuickReply } },
    preHandler: agent,
  }, async (req) => desk.putQuickReply(principalOf(req), req.params.id, { ...req.body, scope: 'personal' }));

  app.delete('/api/v1/agent/quick-replies/:id', {
    schema: { ...ag, summary: 'Delete a quick reply', params: Id },
    preHandler: agent,
  }, async (req, reply) => {
    await desk.deleteQuickReply(principalOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/v1/agent/knowledge', {
    schema: {
      ...ag, summary: 'Knowledge answers for a question, from the same model the robot uses',
      querystring: z.object({
        q: z.string().trim().min(1).max(500), conversationId: z.string().max(64).optional().describe("search the bot of this conversation"),
        bot: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(20).default(5),
      }),
      response: { 200: Items(KnowledgeAnswer) },
    },
    preHandler: agent,
  }, async (req) => ({ items: await desk.searchKnowledge(principalOf(req), req.query.q, req.query) }));

  // ---- supervisors ----
  const sv = { tags: ['supervisor'], security };
  const supervise = guards.require('service:supervise');

  app.get('/api/v1/supervisor/queues', {
    schema: { ...sv, summary: 'Queues live: waiting, longest wait, agents by presence, open or not, per group', response: { 200: Items(QueueStats) } },
    preHandler: supervise,
  }, async (req) => ({ items: await desk.queues(principalOf(req)) }));

  app.get('/api/v1/supervisor/agents', {
    schema: { ...sv, summary: 'Agents with presence, load and the conversations they serve', response: { 200: Items(SupervisedAgent) } },
    preHandler: supervise,
  }, async (req) => ({ items: await desk.agents(principalOf(req)) }));

  app.get('/api/v1/supervisor/queue', {
    schema: { ...sv, summary: 'Waiting conversations of every group (or one), in serving order', querystring: z.object({ group: z.string().max(32).optional() }), response: { 200: Items(AgentConversation) } },
    preHandler: supervise,
  }, async (req) => ({ items: await desk.waiting(principalOf(req), req.query.group) }));

  app.post('/api/v1/supervisor/conversations/:id/assign', {
    schema: { ...sv, summary: 'Force-assign a waiting conversation to an agent (present; capacity may be exceeded)', params: Id, body: z.object({ agentId: z.string().min(1).max(64) }) },
    preHandler: supervise,
  }, async (req, reply) => {
    await desk.forceAssign(principalOf(req), req.params.id, req.body.agentId);
    return reply.status(204).send();
  });

  app.post('/api/v1/supervisor/conversations/:id/take-over', {
    schema: { ...sv, summary: 'Take over: the conversation becomes mine (its agent is told, and freed)', params: Id, response: { 200: AgentConversation } },
    preHandler: supervise,
  }, async (req) => desk.takeOver(principalOf(req), req.params.id));

  app.post('/api/v1/supervisor/conversations/:id/join', {
    schema: { ...sv, summary: 'Join as a second agent: read everything live and write', params: Id, response: { 200: AgentConversation } },
    preHandler: supervise,
  }, async (req) => desk.join(principalOf(req), req.params.id));

  app.post('/api/v1/supervisor/conversations/:id/leave', {
    schema: { ...sv, summary: 'Leave a conversation I joined', params: Id },
    preHandler: supervise,
  }, async (req, reply) => {
    await desk.leave(principalOf(req), req.params.id);
    return reply.status(204).send();
  });
};
