import { join, resolve } from 'node:path';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { EventBus } from './platform/event-bus.ts';
import { InMemoryCoordination, type Coordination } from './platform/coordination.ts';
import { createFieldCipher, type FieldCipher } from './platform/crypto.ts';
import { newToken } from './platform/ids.ts';
import type { Db } from './storage/db.ts';
import { openPgliteDb } from './storage/pglite-db.ts';
import { openPostgresDb } from './storage/pg-db.ts';
import { migrate } from './storage/migrate.ts';
import { PgAuditLog, type AuditLog } from './modules/audit/audit-log.ts';
import { PgAuthRepository } from './modules/auth/pg-auth-repository.ts';
import { AuthService } from './modules/auth/auth-service.ts';
import { PgTenancyRepository } from './modules/tenancy/pg-tenancy-repository.ts';
import { TenancyService } from './modules/tenancy/tenancy-service.ts';
import { PgKnowledgeRepository } from './modules/knowledge/pg-knowledge-repository.ts';
import { KnowledgeService } from './modules/knowledge/knowledge-service.ts';
import { PgConversationRepository } from './modules/conversations/pg-conversation-repository.ts';
import { ConversationService } from './modules/conversations/conversation-service.ts';
import { BotModelRegistry } from './modules/robot/bot-model-registry.ts';
import { RobotService } from './modules/robot/robot-service.ts';
import { ChatService } from './modules/web-channel/chat-service.ts';
import { PgContactRepository } from './modules/contacts/pg-contact-repository.ts';
import { ContactService } from './modules/contacts/contact-service.ts';
import { createChannels, type Channels } from './modules/channels/core/index.ts';
import { createEmailChannel, type EmailModule } from './modules/channels/email/index.ts';
import { PgSmsRepository } from './modules/messaging/pg-sms-repository.ts';
import { SmsService } from './modules/messaging/sms-service.ts';
import { PgWebhookRepository } from './modules/webhooks/pg-webhook-repository.ts';
import { WebhookService } from './modules/webhooks/webhook-service.ts';
import { WebhookDispatcher } from './modules/webhooks/webhook-dispatcher.ts';
import { SmsChannel } from './modules/channels/sms/sms-channel.ts';
import { RcsChannel } from './modules/channels/rcs/rcs-channel.ts';
import { AppChannel } from './modules/channels/app/app-channel.ts';
import { IdentityVerificationService } from './modules/identity/identity-verification-service.ts';
import { PgIdentityRepository } from './modules/identity/pg-identity-repository.ts';
import { PgConnectorRepository } from './modules/connectors/pg-connector-repository.ts';
import { ConnectorService } from './modules/connectors/connector-service.ts';
import { PgFlowRepository } from './modules/flows/pg-flow-repository.ts';
import { FlowService } from './modules/flows/flow-service.ts';
import { FlowTurns } from './modules/robot/flow-turn.ts';
import { createService, type ServiceModule } from './modules/service/index.ts';
import { createWorkOrders, type WorkOrdersModule } from './modules/work-orders/index.ts';
import { PgRatingRepository } from './modules/satisfaction/pg-rating-repository.ts';
import { SatisfactionService } from './modules/satisfaction/satisfaction-service.ts';
import { AssistService } from './modules/assist/assist-service.ts';
import { createAnalytics, type AnalyticsModule } from './modules/analytics/index.ts';
import { TestConsoleService } from './modules/robot/test-console.ts';
import { PgWorkingCopyFingerprint } from './modules/robot/pg-working-copy.ts';
import { LearningService } from './modules/learning/learning-service.ts';
import { PgLearningRepository } from './modules/learning/pg-learning-repository.ts';
import { ConversationIndexer } from './modules/conversations/conversation-index.ts';
import { ConversationSearchService } from './modules/conversations/conversation-search.ts';
import { PgConversationSearchRepository } from './modules/conversations/pg-search-repository.ts';

export type Deps = {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Db;
  coordination: Coordination;
  events: EventBus;
  cipher: FieldCipher;
  audit: AuditLog;
  auth: AuthService;
  tenancy: TenancyService;
  knowledge: KnowledgeService;
  conversations: ConversationService;
  contacts: ContactService;
  models: BotModelRegistry;
  robot: RobotService;
  chat: ChatService;
  channels: Channels;
  email: EmailModule;
  sms: SmsService;
  identity: IdentityVerificationService;
  webhooks: WebhookService;
  webhookDispatcher: WebhookDispatcher;
  smsChannel: SmsChannel;
  rcsChannel: RcsChannel;
  appChannel: AppChannel;
  /** Business robot: connectors to the bank's systems (tenant data) and each bot's flows (versioned with its knowledge). */
  connectors: ConnectorService;
  flows: FlowService;
  flowTurns: FlowTurns;
  /** Work orders (工单): types, business hours, workflow, comments, attachments, notifications; `intake` for leave-message. */
  workOrders: WorkOrdersModule;
  /** Satisfaction ratings (满意度): the public rating API, the WebSocket `rate` message (`satisfaction.rate`), reports. */
  satisfaction: SatisfactionService;
  /** Conversation search (issue 6): conversation_search kept up to date by a listener on conversation events. */
  conversationIndex: ConversationIndexer;
  conversationSearch: ConversationSearchService;
  /** Agent assist (坐席辅助): a listener on conversation events, suggestions pushed to the assigned agent. */
  assist: AssistService;
  /** Analytics (数据分析): a projector folding conversation events into rollups, and the dashboards' queries. */
  analytics: AnalyticsModule;
  /** Test console (issue 6): chat with a bot's draft or a published version, with a trace per turn. */
  testConsole: TestConsoleService;
  /** Learning from traffic (issue 6): unanswered questions clustered, hot-question statistics and menu. */
  learning: LearningService;
  /** Human service (issue 5): skill groups, agents & presence, queues & routing, the agent and supervisor desk. */
  service: ServiceModule;
  /** Starts the loops a serving process runs (webhook deliveries, mailbox polling, SMTP listener); not in tests or CLIs. */
  startBackground(): Promise<void>;
  /** A name for this process, distinct across cluster nodes (logs, presence). */
  nodeId: string;
  close(): Promise<void>;
};

export type ComposeOverrides = { logger?: Logger; clock?: Clock; db?: Db; coordination?: Coordination };

/**
 * The one place that picks adapters: embedded PGlite or PostgreSQL (DATABASE_URL), in-memory or Redis
 * coordination (REDIS_URL). Everything else receives its collaborators.
 */
export async function compose(config: Config, over: ComposeOverrides = {}): Promise<Deps> {
  const logger = over.logger ?? createLogger(config.LINGXI_LOG_LEVEL);
  const clock = over.clock ?? systemClock;
  const db = over.db ?? (config.DATABASE_URL ? await openPostgresDb(config.DATABASE_URL) : await openPgliteDb(join(resolve(config.LINGXI_DATA_DIR), 'pg')));
  await migrate(db);
  const coordination = over.coordination ?? (config.REDIS_URL ? await openRedis(config.REDIS_URL) : new InMemoryCoordination());
  const nodeId = `node-${process.pid}-${newToken(4)}`;
  const events = new EventBus((err, e) => logger.error({ err, event: e.type }, 'event listener failed'));
  const secret = config.LINGXI_SECRET ?? (await installationSecret(db));
  const cipher = createFieldCipher(secret);

  const audit = new PgAuditLog(db);
  const auth = new AuthService(new PgAuthRepository(db), audit, clock, config.LINGXI_SESSION_TTL_HOURS * 3600_000);
  const tenancy = new TenancyService(new PgTenancyRepository(db), audit);
  const knowledge = new KnowledgeService({ db, repo: new PgKnowledgeRepository(db), tenancy, audit, clock, coordination, events });
  // Business flows: connectors as tenant data (secrets sealed by the cipher); flows go live with the knowledge publish.
  const connectors = new ConnectorService({ repo: new PgConnectorRepository(db), cipher, audit, clock, logger });
  const flowRepo = new PgFlowRepository(db);
  const flows = new FlowService({ repo: flowRepo, tenancy, connectors, audit, clock });
  knowledge.setFlows({ repo: flowRepo, validate: (tenantId, defs) => flows.validateAll(tenantId, defs) });
  const conversations = new ConversationService(new PgConversationRepository(db), coordination, events, clock);
  const models = new BotModelRegistry({ db, knowledge, coordination, logger, clock });
  const sms = new SmsService({ repo: new PgSmsRepository(db), hashKey: `sms-phone:${secret}`, clock, logger });
  // One-time codes before personal data (the business robot's flows use it); the recording SMS provider until a
  // tenant's gateway is chosen per flow.
  const identity = new IdentityVerificationService({
    repo: new PgIdentityRepository(db), sms, coordination, audit, clock, secret,
    bankName: async (tenantId) => (await tenancy.findTenant(tenantId))?.name ?? '灵犀',
    // The tenant's SMS gateway (its SMS channel endpoint) when it has one; else the recording provider.
    provider: async (tenantId) => (await smsChannel.providerForTenant(tenantId)) ?? sms.recording,
  });
  // The business robot's turns: flows, their connector calls and the one-time-code check, personal data sealed.
  const flowTurns = new FlowTurns({ cipher, identity, connectors, clock, logger });
  const robot = new RobotService({ models, clock, flows: flowTurns });
  const contacts = new ContactService(new PgContactRepository(db), cipher, `contact-id:${secret}`, audit);
  const chat = new ChatService({ tenancy, conversations, contacts, robot, models, logger, clock, coordination });
  const channels = createChannels({ db, cipher, audit, tenancy, chat, conversations, contacts, models, coordination, logger });
  const { configs, turns, outbound } = channels;
  const email = createEmailChannel({ db, tenancy, conversations, contacts, robot, coordination, cipher, logger, clock }, channels);
  const smsChannel = new SmsChannel({ configs, turns, outbound, sms, coordination, logger });
  const rcsChannel = new RcsChannel({ configs, turns, outbound, sms, coordination, cipher, logger });
  const appChannel = new AppChannel({ configs, outbound, chat, contacts, coordination, logger });
  for (const ch of [smsChannel, rcsChannel, appChannel]) ch.register();
  const webhookRepo = new PgWebhookRepository(db);
  const webhooks = new WebhookService({ repo: webhookRepo, cipher, audit, clock, logger, allowPrivateNetworks: config.LINGXI_WEBHOOK_ALLOW_PRIVATE });
  webhooks.listen(events);
  const webhookDispatcher = new WebhookDispatcher({ repo: webhookRepo, cipher, clock, logger }, {
    pollMs: config.LINGXI_WEBHOOK_POLL_MS, baseBackoffMs: config.LINGXI_WEBHOOK_BASE_BACKOFF_MS, allowPrivateNetworks: config.LINGXI_WEBHOOK_ALLOW_PRIVATE,
  });
  const workOrders = createWorkOrders({ db, cipher, audit, clock, coordination, events, logger });
  const satisfaction = new SatisfactionService({ repo: new PgRatingRepository(db), conversations, tenancy, coordination, audit, clock });
  const assist = new AssistService({ conversations, tenancy, models, coordination, clock, logger });
  const stopAssist = assist.listen(events);
  const analytics = createAnalytics({ db, coordination, clock, logger });
  const testConsole = new TestConsoleService({ tenancy, knowledge: new PgKnowledgeRepository(db), flows: flowRepo, models, robot, clock, logger, fingerprint: new PgWorkingCopyFingerprint(db) });
  const learning = new LearningService({ repo: new PgLearningRepository(db), tenancy, knowledge, audit, clock, logger });
  const stopLearning = learning.listen(events);
  robot.setHotQuestions(learning);
  const searchRepo = new PgConversationSearchRepository(db);
  const conversationIndex = new ConversationIndexer(searchRepo, (err, ids) => logger.error({ err, conversations: ids.length }, 'conversation search index failed'));
  const stopSearchIndex = conversationIndex.listen(events);
  const conversationSearch = new ConversationSearchService({ repo: searchRepo, conversations, contacts, tenancy, audit });
  // Human service: hand-offs are queued and routed; while a person serves, customers' messages go to them.
  const service = createService({
    db, coordination, events, conversations, contacts, models, tenancy, auth, audit, clock, logger,
    options: {
      sweepMs: config.LINGXI_SERVICE_SWEEP_MS, presenceTtlMs: config.LINGXI_SERVICE_PRESENCE_TTL_MS, idleMs: config.LINGXI_SERVICE_IDLE_AWAY_MS,
      graceMs: config.LINGXI_SERVICE_AGENT_GRACE_MS, abandonMs: config.LINGXI_SERVICE_QUEUE_ABANDON_MS,
    },
  });
  service.setOutbound(outbound);
  service.setWorkOrderIntake(workOrders.intake);
  chat.setHumanDesk(service.desk);
  chat.setRatings({ rate: async (tenantId, id, score, comment) => void (await satisfaction.rate({ id, tenantId }, { score, comment })) });
  knowledge.setBeforeAnnounce((tenantId, botId, version) => models.prepare(tenantId, botId, version));
  await models.start();

  return {
    config, logger, clock, db, coordination, events, cipher, audit, auth, tenancy, knowledge, conversations, contacts, models, robot, chat, nodeId,
    channels, email, sms, identity, webhooks, webhookDispatcher, smsChannel, rcsChannel, appChannel, connectors, flows, flowTurns, service, workOrders,
    satisfaction, assist, analytics, conversationIndex, conversationSearch, testConsole, learning,
    async startBackground() {
      webhookDispatcher.start();
      service.start();
      await email.runtime.start();
      analytics.projector.start(events);
    },
    async close() {
      stopAssist();
      await analytics.projector.stop();
      stopLearning();
      stopSearchIndex();
      await channels.close();
      webhooks.stop();
      await webhookDispatcher.stop();
      await email.close();
      await service.stop();
      await models.stop();
      await conversations.close();
      await conversationIndex.idle();
      await learning.idle();
      await coordination.close();
      await db.close();
    },
  };
}

async function openRedis(url: string): Promise<Coordination> {
  const { RedisCoordination } = await import('./platform/redis-coordination.ts');
  return RedisCoordination.connect(url);
}

/** The installation's secret, generated once and kept in the database (set LINGXI_SECRET to manage it yourself). */
async function installationSecret(db: Db): Promise<string> {
  await db.query(`INSERT INTO system_settings(key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING`, [JSON.stringify(newToken(48))]);
  const [r] = await db.query(`SELECT value FROM system_settings WHERE key = 'secret'`);
  return r.value as string;
}
