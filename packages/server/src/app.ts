import { smsRoutes } from './modules/messaging/routes.ts';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from './compose.ts';
import { installErrorHandling, installStrictJson } from './http/errors.ts';
import { makeGuards } from './http/auth.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { tenancyRoutes } from './modules/tenancy/routes.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { knowledgeRoutes } from './modules/knowledge/routes.ts';
import { conversationRoutes } from './modules/conversations/routes.ts';
import { webChannelRoutes } from './modules/web-channel/routes.ts';
import { benchEchoRoutes } from './http/bench-echo.ts';
import { channelConfigRoutes } from './modules/channels/core/routes.ts';
import { wechatRoutes } from './modules/channels/wechat/routes.ts';
import { wecomRoutes } from './modules/channels/wecom/routes.ts';
import { smsChannelRoutes } from './modules/channels/sms/routes.ts';
import { rcsChannelRoutes } from './modules/channels/rcs/routes.ts';
import { appChannelRoutes } from './modules/channels/app/routes.ts';
import { webhookRoutes } from './modules/webhooks/routes.ts';
import { adminUiRoutes } from './modules/admin-ui/routes.ts';
import { webAppRoutes } from './http/web-app.ts';
import { contactRoutes } from './modules/contacts/routes.ts';
import { connectorRoutes } from './modules/connectors/routes.ts';
import { flowRoutes } from './modules/flows/routes.ts';
import { serviceRoutes } from './modules/service/routes.ts';
import { AgentGateway, agentSocketRoutes } from './modules/service/agent-ws.ts';
import { workOrderRoutes } from './modules/work-orders/routes.ts';
import { satisfactionRoutes } from './modules/satisfaction/routes.ts';
import { assistRoutes } from './modules/assist/routes.ts';
import { analyticsRoutes } from './modules/analytics/routes.ts';
import { testConsoleRoutes } from './modules/robot/test-console-routes.ts';
import { learningRoutes } from './modules/learning/routes.ts';

export type App = FastifyInstance;

/** Builds the HTTP/WebSocket server around already-composed dependencies. Tests call this and use inject(). */
export async function buildApp(deps: Deps): Promise<App> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance's default logger type for plugins.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.LINGXI_BODY_LIMIT,
    // Per-request lines only at debug level: at info they would double the log volume of a busy chat node.
    logController: new LogController({ disableRequestLogging: deps.config.LINGXI_LOG_LEVEL !== 'debug' && deps.config.LINGXI_LOG_LEVEL !== 'trace' }),
    trustProxy: true,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installStrictJson(app);
  installErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lingxi (灵犀) API',
        version: '0.1.0',
        description:
          'Intelligent customer service for financial institutions. Public chat needs no credentials for public bots; ' +
          'everything else takes `Authorization: Bearer <session token from /api/v1/auth/login | API key>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'chat', description: 'Public chat API and WebSocket (web widget, app SDK)' },
        { name: 'auth', description: 'Login, users, API keys' },
        { name: 'bots', description: 'Tenants and bots' },
        { name: 'knowledge', description: 'Knowledge base: categories, FAQ entries, synonyms, versions, import/export' },
        { name: 'conversations', description: 'Conversation log' },
        { name: 'channels', description: 'Channel configuration and vendor callbacks: WeChat, WeCom, SMS, 5G messages, app SDK' },
        { name: 'webhooks', description: 'Outgoing webhooks with signed, retried deliveries' },
        { name: 'flows', description: "Business flows of a bot: edit, validate, dry-run (live with the next knowledge publish)" },
        { name: 'connectors', description: "Declarative HTTP connectors to the bank's systems (secrets write-only)" },
        { name: 'work-orders', description: 'Work orders (工单): types with custom fields and SLA, business hours, workflow, comments, attachments, links, notifications' },
        { name: 'service', description: 'Human service administration: skill groups, agent profiles, customers\' queue priority' },
        { name: 'agent', description: 'Agent workbench: presence, my conversations, transcript, customer, reply, transfer, wrap-up, close, quick replies, knowledge; WebSocket /api/v1/agent/ws' },
        { name: 'supervisor', description: 'Supervisors: queues and agents live, force-assign, take over, join' },
        { name: 'analytics', description: 'Dashboards: conversations by channel and hour, self-service / hand-off / fallback / clarification rates, top intents and entries, satisfaction, agent KPIs, work-order SLA; CSV and Excel export' },
        { name: 'system', description: 'Health' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { tags: ['system'], summary: 'Liveness and storage check' } }, async () => {
    await deps.db.query('SELECT 1');
    return { status: 'ok', node: deps.nodeId, storage: deps.db.kind, coordination: deps.coordination.kind };
  });

  const guards = makeGuards(deps.auth);
  await app.register(authRoutes(deps, guards));
  await app.register(tenancyRoutes(deps, guards));
  await app.register(auditRoutes(deps, guards));
  await app.register(knowledgeRoutes(deps, guards));
  await app.register(conversationRoutes(deps, guards));
  await app.register(webChannelRoutes(deps));
  await app.register(channelConfigRoutes(deps.channels.configs, guards));
  await app.register(wechatRoutes(deps.channels.wechat));
  await app.register(wecomRoutes(deps.channels.wecom));
  await app.register(smsChannelRoutes(deps.smsChannel));
  await app.register(rcsChannelRoutes(deps.rcsChannel));
  await app.register(appChannelRoutes(deps.appChannel));
  await app.register(webhookRoutes(deps.webhooks, guards));
  await app.register(contactRoutes(deps, guards));
  await app.register(connectorRoutes(deps.connectors, guards));
  await app.register(flowRoutes(deps.flows, guards));
  await app.register(smsRoutes(deps.sms, deps.audit, guards));
  await app.register(serviceRoutes(deps.service, guards));
  await app.register(agentSocketRoutes(new AgentGateway({ service: deps.service, auth: deps.auth, coordination: deps.coordination, logger: deps.logger })));
  await app.register(workOrderRoutes(deps.workOrders.service, deps.workOrders.notifications, guards));
  await app.register(satisfactionRoutes(deps, guards));
  await app.register(assistRoutes(deps.assist, guards));
  await app.register(analyticsRoutes(deps.analytics.service, guards));
  await app.register(testConsoleRoutes(deps, guards));
  await app.register(learningRoutes(deps, guards));
  await app.register(adminUiRoutes());
  await app.register(webAppRoutes());
  // A bare echo endpoint on the same stack, the benchmark's peer; active only with LINGXI_BENCH_ECHO=1.
  await app.register(benchEchoRoutes());
  return app;
}
