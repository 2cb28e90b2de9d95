import { z } from 'zod';

/** Environment, parsed once at start-up and frozen. Every setting is documented in README.md. */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  LINGXI_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  LINGXI_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LINGXI_ADMIN_USER: z.string().min(3).default('admin'),
  LINGXI_ADMIN_PASSWORD: z.string().min(8).optional(),
  /** Seed the demo bank (tenant "demo", public bot "demo") when the database is empty. */
  LINGXI_DEMO: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  /** Secret for encrypting sensitive fields and signing; generated and kept in the data dir when absent. */
  LINGXI_SECRET: z.string().min(32).optional(),
  /** Largest request body accepted, bytes. */
  LINGXI_BODY_LIMIT: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  LINGXI_SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Outgoing webhooks: the first retry's delay; each further retry doubles it (capped at 6 hours). */
  LINGXI_WEBHOOK_BASE_BACKOFF_MS: z.coerce.number().int().min(1).max(3600_000).default(30_000),
  /** Outgoing webhooks: how often each node looks for due deliveries. */
  LINGXI_WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  /** Outgoing webhooks may target private and loopback addresses (on-premises receivers, tests); off by default (SSRF guard). */
  LINGXI_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** The demo bank's core banking service (packages/demo-core), reached by the demo tenant's `demo-core` connector. */
  LINGXI_DEMO_CORE_URL: z.string().url().default('http://127.0.0.1:3100'),
  /** The API key the `demo-core` connector sends (X-Api-Key); the in-process demo core accepts this key. */
  LINGXI_DEMO_CORE_API_KEY: z.string().min(1).default('demo-core-key'),
  /** Start the demo core inside the server process (with LINGXI_DEMO); set false when it runs elsewhere. */
  LINGXI_DEMO_CORE_START: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  /** The demo tenant's agent `agent1` (groups 综合 and 信用卡): its password, seeded once. */
  LINGXI_DEMO_AGENT_PASSWORD: z.string().min(8).default('agent-demo-password'),
  /** Human service: how often each node sweeps the queues (routing, vanished agents, customers gone, repairs). */
  LINGXI_SERVICE_SWEEP_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Human service: an agent whose workbench stops heartbeating is offline after this long. */
  LINGXI_SERVICE_PRESENCE_TTL_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Human service: an online agent without activity (no `ping` with active: true) for this long counts as away. */
  LINGXI_SERVICE_IDLE_AWAY_MS: z.coerce.number().int().min(1000).max(24 * 3600_000).default(10 * 60_000),
  /** Human service: the chats of an agent offline for longer than this go back to the queue. */
  LINGXI_SERVICE_AGENT_GRACE_MS: z.coerce.number().int().min(0).max(3600_000).default(60_000),
  /** Human service: a queued customer with no open widget and no message for this long is removed from the queue. */
  LINGXI_SERVICE_QUEUE_ABANDON_MS: z.coerce.number().int().min(1000).max(24 * 3600_000).default(5 * 60_000),
});

export type Config = Readonly<z.infer<typeof Env>>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${problems}`);
  }
  return Object.freeze(parsed.data);
}
