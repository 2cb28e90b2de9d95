import type { Clock } from '../../platform/clock.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { CallEffect } from '../flows/executor.ts';
import type { ConnectorResult as FlowConnectorResult } from '../flows/interpreter.ts';
import { ConnectorDefinition, validateConnector } from './connector-definition.ts';
import type { ConnectorRepository, StoredConnector } from './connector-repository.ts';
import { createConnector, type Connector, type ConnectorDeps } from './http-connector.ts';

export type Actor = { tenantId: string; actor: string };

/** How a stored secret is shown: the API never returns one. Sending it back in a PUT keeps the stored secret. */
export const SECRET_MASK = '••••';

export type ConnectorView = {
  id: string;
  name: string;
  baseUrl: string;
  /** The definition with defaults applied and the secret shown as SECRET_MASK. */
  definition: Record<string, unknown>;
  operations: string[];
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
};

type Secrets = { value?: string; secret?: string };
type Deps = {
  repo: ConnectorRepository;
  cipher: FieldCipher;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** For tests: the fetch the connectors use. */
  fetch?: ConnectorDeps['fetch'];
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How long a connector's definition is trusted before it is read again (edits reach every node within it). */
const CHECK_MS = 500;

/**
 * Connectors as tenant data: a bank wires its core system by writing a declarative HTTP connector
 * (connector-definition.ts), no code. Secrets (the auth header value, the HMAC secret) are stored sealed by the
 * field cipher and never returned. At run time flows reach the connectors through callForFlow(); each node keeps
 * one connector instance per definition revision, so a connector's circuit breaker persists across calls.
 */
export class ConnectorService {
  private cache = new Map<string, { stamp: string; connector: Connector; checkedAt: number }>();

  constructor(private d: Deps) {}

  async list(tenantId: string): Promise<ConnectorView[]> {
    return (await this.d.repo.list(tenantId)).map((r) => this.view(r));
  }

  async get(tenantId: string, id: string): Promise<ConnectorView> {
    const r = await this.d.repo.get(tenantId, id);
    if (!r) throw notFound('connector');
    return this.view(r);
  }

  /**
   * Creates or replaces a connector. The body is a connector definition; its id defaults to the one in the path. A
   * secret left out or sent back as SECRET_MASK keeps the stored one. Every problem is reported at once (400).
   */
  async put(p: Actor, id: string, raw: unknown): Promise<{ connector: ConnectorView; created: boolean }> {
    if (!isObject(raw)) throw new AppError('validation_failed', 'invalid connector: the body must be a JSON object', { problems: ['(definition): expected an object'] });
    if (raw.id !== undefined && raw.id !== id) throw new AppError('bad_request', `the body's id "${String(raw.id)}" differs from the path's "${id}"`);
    const existing = await this.d.repo.get(p.tenantId, id);
    const kept = existing ? this.secretsOf(existing) : {};
    const candidate: Record<string, unknown> = { ...raw, id };
    const problems: string[] = [];
    let missing: string | undefined;
    if (isObject(raw.auth)) {
      const auth = { ...raw.auth };
      const field = auth.type === 'header' ? 'value' : auth.type === 'hmac' ? 'secret' : undefined;
      if (field && (auth[field] === undefined || auth[field] === SECRET_MASK)) {
        if (kept[field]) auth[field] = kept[field];
        else {
          missing = `auth.${field}:`;
          delete auth[field];
          problems.push(`auth.${field}: the secret is required (a stored secret is shown as ${SECRET_MASK}; this connector has none stored)`);
        }
      }
      candidate.auth = auth;
    }
    problems.push(...validateConnector(candidate).filter((m) => !missing || !m.startsWith(missing)));
    if (problems.length) throw new AppError('validation_failed', `invalid connector: ${problems.join('; ')}`, { problems });
    const def = ConnectorDefinition.parse(candidate);
    const { auth, ...rest } = def;
    const secrets: Secrets = auth.type === 'header' ? { value: auth.value } : auth.type === 'hmac' ? { secret: auth.secret } : {};
    const publicAuth = auth.type === 'header' ? { type: auth.type, name: auth.name } : auth.type === 'hmac' ? { type: auth.type, header: auth.header, timestampHeader: auth.timestampHeader } : auth;
    this.cache.delete(this.key(p.tenantId, id));
    const row = await this.d.repo.upsert(p.tenantId, {
      id, definition: { ...rest, auth: publicAuth }, secretsEnc: Object.keys(secrets).length ? this.d.cipher.encrypt(JSON.stringify(secrets)) : null, updatedBy: p.actor,
    }, this.d.clock.now());
    const secretChanged = (secrets.value ?? secrets.secret) !== (kept.value ?? kept.secret);
    await this.d.audit.record({
      tenantId: p.tenantId, actor: p.actor, action: existing ? 'connector.update' : 'connector.create', target: id,
      details: { name: def.name, baseUrl: def.baseUrl, auth: auth.type, operations: Object.keys(def.operations), secretChanged, revision: row.revision },
    });
    return { connector: this.view(row), created: !existing };
  }

  async remove(p: Actor, id: string): Promise<void> {
    this.cache.delete(this.key(p.tenantId, id));
    if (!(await this.d.repo.delete(p.tenantId, id))) throw notFound('connector');
    this.cache.delete(this.key(p.tenantId, id));
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'connector.delete', target: id });
  }

  // ------------------------------------------------------------------ runtime registry

  /**
   * The runnable connector, or null when the tenant has none by that id. Built once per definition revision and
   * kept, so that its circuit breaker sees consecutive calls; a changed definition (on any node) replaces it.
   */
  async connectorFor(tenantId: string, id: string): Promise<Connector | null> {
    const key = this.key(tenantId, id);
    // A flow turn makes several calls: the definition is re-read at most every CHECK_MS (an edit takes effect within
    // it on every node), not once per call.
    const fresh = this.cache.get(key);
    if (fresh && Date.now() - fresh.checkedAt < CHECK_MS) return fresh.connector;
    const row = await this.d.repo.get(tenantId, id);
    if (!row) {
      this.cache.delete(key);
      return null;
    }
    const stamp = `${row.revision}@${row.updatedAt.getTime()}`;
    const hit = this.cache.get(key);
    if (hit?.stamp === stamp) {
      hit.checkedAt = Date.now();
      return hit.connector;
    }
    const s = this.secretsOf(row);
    const auth = row.definition.auth as Record<string, unknown> | undefined;
    const def = { ...row.definition, auth: auth?.type === 'header' ? { ...auth, value: s.value } : auth?.type === 'hmac' ? { ...auth, secret: s.secret } : auth };
    const connector = createConnector(def as never, { logger: this.d.logger, ...(this.d.fetch ? { fetch: this.d.fetch } : {}) });
    this.cache.set(key, { stamp, connector, checkedAt: Date.now() });
    return connector;
  }

  /** Connector id → its operation names: what validateFlow() checks `call` steps against. */
  async operations(tenantId: string): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const r of await this.d.repo.list(tenantId)) out[r.id] = Object.keys((r.definition.operations as Record<string, unknown>) ?? {});
    return out;
  }

  /**
   * A flow's connector call, as the interpreter takes it back. `vars` are the flow's variables with the step's input
   * over them; a fresh `requestId` is added unless the flow set one (it is the demo core's idempotency key).
   */
  async callForFlow(tenantId: string, effect: Pick<CallEffect, 'connector' | 'operation'> & Partial<CallEffect>, vars: Record<string, unknown>): Promise<FlowConnectorResult> {
    const c = await this.connectorFor(tenantId, effect.connector);
    if (!c) return { ok: false, error: 'unknown_connector' };
    const r = await c.call(effect.operation, { ...vars, requestId: vars.requestId ?? newId('req') });
    return r.ok ? { ok: true, vars: r.vars } : { ok: false, error: r.error, ...(r.status ? { status: r.status } : {}) };
  }

  // ------------------------------------------------------------------ helpers

  private key(tenantId: string, id: string) {
    return `${tenantId}\u0000${id}`;
  }

  private secretsOf(r: StoredConnector): Secrets {
    if (!r.secretsEnc) return {};
    return JSON.parse(this.d.cipher.decrypt(r.secretsEnc)) as Secrets;
  }

  private view(r: StoredConnector): ConnectorView {
    const auth = r.definition.auth as Record<string, unknown> | undefined;
    const masked = auth?.type === 'header' ? { ...auth, value: SECRET_MASK } : auth?.type === 'hmac' ? { ...auth, secret: SECRET_MASK } : auth;
    return {
      id: r.id, name: String(r.definition.name ?? r.id), baseUrl: String(r.definition.baseUrl ?? ''),
      definition: { ...r.definition, ...(masked ? { auth: masked } : {}) },
      operations: Object.keys((r.definition.operations as Record<string, unknown>) ?? {}),
      revision: r.revision, createdAt: r.createdAt, updatedAt: r.updatedAt, updatedBy: r.updatedBy,
    };
  }
}
