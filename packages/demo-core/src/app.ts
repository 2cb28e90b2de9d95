import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { CoreError, CoreStore } from './core-store.ts';
import { generateCoreData, type GenerateOptions } from './data.ts';

export type CoreAppOptions = {
  /** When set, requests may authenticate with `X-Api-Key: <apiKey>`. */
  apiKey?: string;
  /** When set, requests may authenticate with an HMAC-SHA256 signature (see verifySignature). */
  hmacSecret?: string;
  /** Constant extra latency on every business request (demo realism). */
  latencyMs?: number;
  /** Enables `POST /__faults` (tests only). */
  faults?: boolean;
  data?: GenerateOptions;
  now?: () => Date;
  logger?: boolean;
};

export type Faults = { latencyMs: number; failRate: number; failNext: number; failStatus: number; malformed: boolean };
const NO_FAULTS: Faults = { latencyMs: 0, failRate: 0, failNext: 0, failStatus: 503, malformed: false };

export const SIGNATURE_WINDOW_S = 300;

/** The string the HMAC covers: `timestamp \n METHOD \n path-with-query \n raw body`. */
export const signingString = (timestamp: string, method: string, pathWithQuery: string, body: string) =>
  `${timestamp}\n${method.toUpperCase()}\n${pathWithQuery}\n${body}`;

export const signRequest = (secret: string, timestamp: string, method: string, pathWithQuery: string, body: string) =>
  createHmac('sha256', secret).update(signingString(timestamp, method, pathWithQuery, body)).digest('hex');

/** Constant-time string comparison (hash first so lengths do not leak through timingSafeEqual's length check). */
function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

const CustomerId = z.string().regex(/^C\d{4}$/, 'customer ids look like C0001');
const AccountId = z.string().regex(/^A\d{5}$/, 'account ids look like A00001');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date');

/**
 * The demo bank's core system: a separate HTTP service Lingxi reaches through its declarative connector, exactly as it
 * would reach a real one. In-memory; state (card status, loss reports) resets on restart.
 */
export type CoreApp = FastifyInstance & { coreStore: CoreStore };

export async function buildCoreApp(opts: CoreAppOptions = {}): Promise<CoreApp> {
  const now = opts.now ?? (() => new Date());
  const store = new CoreStore(generateCoreData(opts.data), now);
  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true, routerOptions: { maxParamLength: 100 } }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // The raw body is kept for signature checks: re-serialising the parsed JSON would not reproduce the signed bytes.
  const rawBodies = new WeakMap<FastifyRequest, string>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    rawBodies.set(req, text);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new CoreError(400, 'malformed_json', 'request body is not valid JSON'), undefined);
    }
  });

  let faults: Faults = { ...NO_FAULTS };
  // Pending latency sleeps end when the server closes, so a test's 30 s fault does not hold the process open.
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      sleepers.delete(done);
      resolve();
    };
    const t = setTimeout(done, ms);
    sleepers.add(done);
  });
  app.addHook('preClose', async () => {
    for (const wake of [...sleepers]) wake();
  });

  const isOpenRoute = (req: FastifyRequest) => req.routeOptions.url === '/healthz' || req.routeOptions.url === '/__faults';
  const authRequired = Boolean(opts.apiKey || opts.hmacSecret);

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof CoreError) return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
    if (hasZodFastifySchemaValidationErrors(err)) {
      const msg = err.validation.map((v) => `${v.instancePath || '/'} ${v.message}`).join('; ');
      return reply.status(400).send({ error: { code: 'validation_failed', message: `invalid ${err.validationContext ?? 'request'}: ${msg}` } });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.status(status).send({ error: { code: 'bad_request', message: (err as Error).message } });
    req.log.error({ err }, 'unhandled');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }));

  // Authentication runs after body parsing (the signature covers the body) and before validation (no schema hints
  // to an unauthenticated caller).
  app.addHook('preValidation', async (req) => {
    if (isOpenRoute(req) || !authRequired) return;
    const key = req.headers['x-api-key'];
    if (opts.apiKey && typeof key === 'string' && safeEqual(key, opts.apiKey)) return;
    const sig = req.headers['x-signature'];
    const ts = req.headers['x-timestamp'];
    if (opts.hmacSecret && typeof sig === 'string' && typeof ts === 'string') {
      const t = Number(ts);
      if (!/^\d{1,12}$/.test(ts) || Math.abs(now().getTime() / 1000 - t) > SIGNATURE_WINDOW_S) {
        throw new CoreError(401, 'stale_timestamp', `X-Timestamp must be unix seconds within ±${SIGNATURE_WINDOW_S} s of the server clock`);
      }
      const expected = signRequest(opts.hmacSecret, ts, req.method, req.url, rawBodies.get(req) ?? '');
      if (safeEqual(sig.toLowerCase(), expected)) return;
      throw new CoreError(401, 'bad_signature', 'signature does not match');
    }
    throw new CoreError(401, 'unauthorized', 'missing or wrong credentials (X-Api-Key or X-Signature + X-Timestamp)');
  });

  app.addHook('preHandler', async (req, reply) => {
    if (isOpenRoute(req)) return;
    const delay = (opts.latencyMs ?? 0) + faults.latencyMs;
    if (delay > 0) await sleep(delay);
    if (faults.failNext > 0 || (faults.failRate > 0 && Math.random() < faults.failRate)) {
      if (faults.failNext > 0) faults.failNext--;
      return reply.status(faults.failStatus).send({ error: { code: 'unavailable', message: 'injected fault' } });
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (!faults.malformed || isOpenRoute(req)) return payload;
    reply.header('content-type', 'application/json; charset=utf-8');
    return '{"balance": 12.3, "items": [';
  });

  app.get('/healthz', async () => ({ status: 'ok', customers: store.data.customers.length, today: store.data.today }));

  if (opts.faults) {
    app.post('/__faults', {
      schema: {
        body: z.object({
          latencyMs: z.number().int().min(0).max(120_000).optional(), failRate: z.number().min(0).max(1).optional(),
          failNext: z.number().int().min(0).max(1000).optional(), failStatus: z.number().int().min(400).max(599).optional(), malformed: z.boolean().optional(),
        }).strict(),
      },
    }, async (req) => {
      // Each call replaces the whole fault state; `{}` clears every fault.
      faults = { ...NO_FAULTS, ...req.body };
      return { faults };
    });
  }

  // A POST, not GET /customers/by-phone/:phone: personal data never goes into URLs (they end up in access logs).
  app.post('/customers/lookup', {
    schema: { body: z.object({ phone: z.string().regex(/^(\+?86)?1[3-9]\d{9}$/, 'a mainland mobile number, 11 digits starting 13–19') }).strict() },
  }, async (req) => store.customerByPhone(req.body.phone.replace(/^\+/, '')));

  app.get('/customers/:id/accounts', {
    schema: { params: z.object({ id: CustomerId }), querystring: z.object({ cardLast4: z.string().regex(/^\d{4}$/, 'the last four digits of a card number').optional() }).strict() },
  }, async (req) => store.accounts(req.params.id, req.query.cardLast4));

  app.get('/accounts/:id/balance', { schema: { params: z.object({ id: AccountId }) } }, async (req) => store.balance(req.params.id));

  app.get('/accounts/:id/transactions', {
    schema: { params: z.object({ id: AccountId }), querystring: z.object({ from: Day.optional(), to: Day.optional(), order: z.enum(['asc', 'desc']).optional() }).strict() },
  }, async (req) => store.transactions(req.params.id, req.query.from, req.query.to, req.query.order));

  app.get('/customers/:id/credit-cards/bill', { schema: { params: z.object({ id: CustomerId }) } }, async (req) => store.creditCardBill(req.params.id));

  app.get('/customers/:id/wealth', { schema: { params: z.object({ id: CustomerId }) } }, async (req) => store.wealth(req.params.id));

  app.get('/customers/:id/loans', {
    schema: { params: z.object({ id: CustomerId }), querystring: z.object({ periods: z.coerce.number().int().min(1).max(480).default(12) }).strict() },
  }, async (req) => store.loans(req.params.id, req.query.periods));

  app.post('/cards/:cardNo/report-loss', {
    schema: {
      params: z.object({ cardNo: z.string().regex(/^\d{16,19}$/, 'card numbers are 16–19 digits') }),
      headers: z.object({ 'idempotency-key': z.string().min(8).max(64).optional() }).passthrough(),
      body: z.object({ customerId: CustomerId, requestId: z.string().min(8).max(64).optional(), reason: z.enum(['lost', 'stolen']).default('lost') }).strict(),
    },
  }, async (req, reply) => {
    // The request id comes from the body or, as HTTP clients send it, the Idempotency-Key header.
    const requestId = req.body.requestId ?? req.headers['idempotency-key'];
    if (!requestId) throw new CoreError(400, 'request_id_required', 'a requestId (body) or Idempotency-Key (header) is required');
    const r = store.reportLoss(req.params.cardNo, { customerId: req.body.customerId, requestId, reason: req.body.reason });
    reply.status(r.replayed ? 200 : 201);
    return r;
  });

  // The store rides along so tests can check state changes without an extra endpoint.
  return Object.assign(app, { coreStore: store });
}
