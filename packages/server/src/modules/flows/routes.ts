import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Reply } from '@lingxi/contracts';
import { principalOf, type Guards } from '../../http/auth.ts';
import type { FlowService } from './flow-service.ts';
import { can } from '../auth/roles.ts';

const tags = ['flows'];
const security = [{ bearer: [] }];
const BotParam = z.object({ botId: z.string().min(1).max(64).describe('bot id or slug') });
const FlowParam = BotParam.extend({ flowId: z.string().min(1).max(64) });
const FlowBody = z.record(z.string(), z.unknown()).describe('a FlowDefinition (packages/contracts/src/flow.ts); `id` defaults to the path, `version` is assigned by the server');
const Problem = z.object({ stepId: z.string().optional(), message: z.string() });
const FlowDto = z.object({
  botId: z.string(), id: z.string(), version: z.number(), enabled: z.boolean(),
  definition: z.record(z.string(), z.unknown()).describe('the FlowDefinition, defaults applied'),
  createdAt: z.date(), updatedAt: z.date(), updatedBy: z.string().nullable(),
});
const Mock = z.union([
  z.object({ ok: z.literal(true), vars: z.record(z.string(), z.unknown()).optional() }),
  z.object({ ok: z.literal(false), error: z.string().min(1).max(64) }),
]);
const DryRunBody = z.object({
  messages: z.array(z.string().min(1).max(2000)).min(1).max(50).describe('the first message starts the flow; each further one answers it'),
  lang: z.enum(['zh', 'en']).optional().describe("default: the bot's locale"),
  identity: z.object({ verified: z.boolean(), phone: z.string().regex(/^1\d{10}$/, 'an 11-digit mainland mobile number').optional() }).optional()
    .describe('how verify-identity steps are answered; default verified with phone 13800138000'),
  mocks: z.record(z.string().regex(/^[^.\s]+\.[^.\s]+$/, '"connector.operation"'), Mock).optional()
    .describe('answers for connector calls by "connector.operation"; calls without a mock reach the live connector'),
});
const DryRunDto = z.object({
  flowId: z.string(), version: z.number(),
  turns: z.array(z.object({
    user: z.string(), replies: z.array(Reply),
    events: z.array(z.object({ type: z.string(), payload: z.record(z.string(), z.unknown()) })),
    state: z.record(z.string(), z.unknown()).nullable().describe('the flow state after the turn; null once the flow ended'),
  })),
  outcome: z.enum(['active', 'end', 'transfer', 'cancelled', 'failed']),
  unplayed: z.array(z.string()).describe('messages after the flow had ended'),
  calls: z.array(z.object({ connector: z.string(), operation: z.string(), source: z.enum(['mock', 'live']), ok: z.boolean(), error: z.string().optional() })),
  problems: z.array(Problem).describe('validation problems of the flow (it is run anyway)'),
});

/**
 * The flow designer's API: a bot's flows (the working copy; they go live with the next knowledge publish),
 * validation without saving, and dry runs against a saved or an unsaved flow.
 */
export const flowRoutes = (flows: FlowService, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const base = '/api/v1/bots/:botId/flows';
  const read = guards.require('kb:read');
  const manage = guards.require('flow:manage');

  app.get(base, {
    schema: { tags, security, summary: "The bot's flows (working copy)", params: BotParam, response: { 200: z.object({ items: z.array(FlowDto) }) } },
    preHandler: read,
  }, async (req) => ({ items: await flows.list(principalOf(req).tenantId, req.params.botId) }));

  app.post(`${base}/validate`, {
    schema: {
      tags, security, params: BotParam, body: FlowBody,
      summary: 'Check a flow without saving it',
      description: 'Schema, structure (unknown or unreachable steps, undeclared slots, variables used before set, loops) and `call` steps against the tenant\'s connectors. Always 200.',
      response: { 200: z.object({ ok: z.boolean(), problems: z.array(Problem) }) },
    },
    preHandler: manage,
  }, async (req) => {
    const p = principalOf(req);
    const problems = await flows.validate(p.tenantId, req.body, typeof req.body.id === 'string' ? req.body.id : 'draft');
    return { ok: problems.length === 0, problems };
  });

  app.post(`${base}/dry-run`, {
    schema: {
      tags, security, params: BotParam, body: DryRunBody.extend({ flow: FlowBody }),
      summary: 'Play a conversation against an unsaved flow',
      description: 'Runs the flow on the given messages without any conversation. Connector calls use `mocks` when given, else the live connector (audited; only for roles that may manage connectors — others get the error `live_calls_not_allowed`).',
      response: { 200: DryRunDto },
    },
    preHandler: manage,
  }, async (req) => {
    const { flow, ...input } = req.body;
    const p = principalOf(req);
    return flows.dryRun(p, req.params.botId, { definition: flow }, input, { liveCalls: can(p, 'connector:manage') });
  });

  app.get(`${base}/:flowId`, {
    schema: { tags, security, summary: 'One flow of the working copy', params: FlowParam, response: { 200: FlowDto } },
    preHandler: read,
  }, async (req) => flows.get(principalOf(req).tenantId, req.params.botId, req.params.flowId));

  app.put(`${base}/:flowId`, {
    schema: {
      tags, security, params: FlowParam, body: FlowBody,
      summary: 'Create or replace a flow',
      description: 'Validated like POST /validate; any problem is a 400 `validation_failed` with every problem in `error.details.problems` ([{stepId?, message}]). ' +
        'The stored version grows with each change. The flow goes live with the next knowledge publish.',
      response: { 200: FlowDto, 201: FlowDto },
    },
    preHandler: manage,
  }, async (req, reply) => {
    const r = await flows.put(principalOf(req), req.params.botId, req.params.flowId, req.body);
    return reply.status(r.created ? 201 : 200).send(r.flow);
  });

  app.patch(`${base}/:flowId`, {
    schema: {
      tags, security, params: FlowParam, body: z.object({ enabled: z.boolean() }),
      summary: 'Enable or disable a flow (a disabled flow is left out of the next publish)', response: { 200: FlowDto },
    },
    preHandler: manage,
  }, async (req) => flows.setEnabled(principalOf(req), req.params.botId, req.params.flowId, req.body.enabled));

  app.delete(`${base}/:flowId`, {
    schema: { tags, security, params: FlowParam, summary: 'Delete a flow from the working copy (the published version keeps it until the next publish)' },
    preHandler: manage,
  }, async (req, reply) => {
    await flows.remove(principalOf(req), req.params.botId, req.params.flowId);
    return reply.status(204).send();
  });

  app.post(`${base}/:flowId/dry-run`, {
    schema: {
      tags, security, params: FlowParam, body: DryRunBody,
      summary: 'Play a conversation against a saved flow (draft or enabled)',
      description: 'Runs the working copy of the flow on the given messages without any conversation. Connector calls use `mocks` when given, else the live connector (audited; only for roles that may manage connectors — others get the error `live_calls_not_allowed`).',
      response: { 200: DryRunDto },
    },
    preHandler: manage,
  }, async (req) => {
    const p = principalOf(req);
    return flows.dryRun(p, req.params.botId, { flowId: req.params.flowId }, req.body, { liveCalls: can(p, 'connector:manage') });
  });
};
