import { z } from 'zod';
import { AppError } from '../../../platform/errors.ts';
import type { FieldCipher } from '../../../platform/crypto.ts';
import { newId } from '../../../platform/ids.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Principal } from '../../auth/roles.ts';
import type { TenancyService } from '../../tenancy/tenancy-service.ts';
import type { ChannelConfigRepository, ChannelConfigRow } from './channel-config-repository.ts';

/**
 * What a channel type accepts: its non-secret settings and its credentials, both validated at the boundary.
 * `secrets` must be an object of optional-or-required string fields; their values are never shown again.
 */
export type ChannelTypeSpec = {
  public: z.ZodType<Record<string, unknown>>;
  secrets: z.ZodType<Record<string, string | undefined>>;
  /** Names of the secret fields, for the API's `{"token": "set"}` view and the OpenAPI description. */
  secretFields: readonly string[];
  /** Checks across both (e.g. "safe mode needs an AES key"): an error message, or null when fine. */
  refine?: (pub: Record<string, unknown>, secrets: Record<string, string>) => string | null;
};

/** A config as the admin API shows it: secrets only as "set" markers. */
export type ChannelConfigView = {
  id: string;
  botId: string;
  type: string;
  name: string;
  public: Record<string, unknown>;
  secrets: Record<string, 'set'>;
  enabled: boolean;
  /** Where the vendor must send webhooks (relative to the server's public URL). */
  webhookPath: string;
  createdAt: Date;
  updatedAt: Date;
};

/** A config with its secrets decrypted, for channel adapters only (never serialised to a client or a log). */
export type ResolvedChannelConfig<P = Record<string, unknown>, S = Record<string, string | undefined>> = {
  id: string;
  tenantId: string;
  botId: string;
  type: string;
  name: string;
  public: P;
  secrets: S;
  enabled: boolean;
};

export type ChannelConfigInput = { botId: string; type: string; name: string; public?: Record<string, unknown>; secrets?: Record<string, string>; enabled?: boolean };
/** Patch: `public` keys are merged; a secret set to null is removed, absent secrets keep their value. */
export type ChannelConfigPatch = { name?: string; public?: Record<string, unknown>; secrets?: Record<string, string | null>; enabled?: boolean };

/** Inbound lookups happen on every webhook; a short cache keeps them off the database under load. */
const INBOUND_CACHE_MS = 1000;

/**
 * Channel configurations of a tenant: create/update/list/get/delete for the admin API, and getForInbound(id) for
 * webhooks that carry the config id in their path (the id is not a secret; the vendor's signature authenticates).
 * Credentials are encrypted with the installation's FieldCipher and never returned by the API after being set.
 */
export class ChannelConfigService {
  private specs = new Map<string, ChannelTypeSpec>();
  private cache = new Map<string, { at: number; cfg: ResolvedChannelConfig }>();

  constructor(private repo: ChannelConfigRepository, private cipher: FieldCipher, private audit: AuditLog, private tenancy: TenancyService) {}

  /** Each channel folder registers its type once at start-up (wechat, wecom, wecom_kf, sms, rcs…). */
  registerType(type: string, spec: ChannelTypeSpec) {
    if (this.specs.has(type)) throw new Error(`channel type ${type} registered twice`);
    this.specs.set(type, spec);
  }

  types(): string[] {
    return [...this.specs.keys()].sort();
  }

  private spec(type: string): ChannelTypeSpec {
    const s = this.specs.get(type);
    if (!s) throw new AppError('validation_failed', `unknown channel type: ${type} (known: ${this.types().join(', ') || 'none'})`);
    return s;
  }

  private validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const r = schema.safeParse(value);
    if (!r.success) {
      throw new AppError('validation_failed', `invalid ${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '/'} ${i.message}`).join('; ')}`);
    }
    return r.data;
  }

  private refine(spec: ChannelTypeSpec, pub: Record<string, unknown>, secrets: Record<string, string>) {
    const problem = spec.refine?.(pub, secrets);
    if (problem) throw new AppError('validation_failed', problem);
  }

  private secretsOf(row: ChannelConfigRow): Record<string, string> {
    if (!row.secretsEnc) return {};
    return JSON.parse(this.cipher.decrypt(row.secretsEnc)) as Record<string, string>;
  }

  private view(row: ChannelConfigRow): ChannelConfigView {
    const secrets: Record<string, 'set'> = {};
    for (const k of Object.keys(this.secretsOf(row))) secrets[k] = 'set';
    return {
      id: row.id, botId: row.botId, type: row.type, name: row.name, public: row.public, secrets, enabled: row.enabled,
      webhookPath: `/api/v1/channels/${row.id}/${row.type.replace(/_/g, '-')}`, createdAt: row.createdAt, updatedAt: row.updatedAt,
    };
  }

  async create(p: Principal, input: ChannelConfigInput): Promise<ChannelConfigView> {
    const spec = this.spec(input.type);
    const bot = await this.tenancy.getBot(p.tenantId, input.botId);
    const pub = this.validate(spec.public, input.public ?? {}, 'public settings');
    const secrets = dropEmpty(this.validate(spec.secrets, input.secrets ?? {}, 'secrets'));
    this.refine(spec, pub, secrets);
    const id = newId('ch');
    await this.repo.insert({
      id, tenantId: p.tenantId, botId: bot.id, type: input.type, name: input.name, public: pub,
      secretsEnc: Object.keys(secrets).length ? this.cipher.encrypt(JSON.stringify(secrets)) : null, enabled: input.enabled ?? true,
    });
    await this.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'channel.create', target: id, details: { type: input.type, botId: bot.id, secrets: Object.keys(secrets) } });
    return this.view((await this.repo.find(p.tenantId, id))!);
  }

  async update(p: Principal, id: string, patch: ChannelConfigPatch): Promise<ChannelConfigView> {
    const row = await this.repo.find(p.tenantId, id);
    if (!row) throw new AppError('not_found', 'channel not found');
    const spec = this.spec(row.type);
    const pub = patch.public ? this.validate(spec.public, { ...row.public, ...patch.public }, 'public settings') : undefined;
    let secretsEnc: string | null | undefined;
    let secrets = this.secretsOf(row);
    if (patch.secrets) {
      const merged: Record<string, string> = this.secretsOf(row);
      for (const [k, v] of Object.entries(patch.secrets)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      secrets = dropEmpty(this.validate(spec.secrets, merged, 'secrets'));
      secretsEnc = Object.keys(secrets).length ? this.cipher.encrypt(JSON.stringify(secrets)) : null;
    }
    this.refine(spec, pub ?? row.public, secrets);
    await this.repo.update(p.tenantId, id, { name: patch.name, public: pub, secretsEnc, enabled: patch.enabled });
    this.cache.delete(id);
    await this.audit.record({
      tenantId: p.tenantId, actor: p.actor, action: 'channel.update', target: id,
      // Which secrets changed, never their values.
      details: { fields: Object.keys(patch), secrets: patch.secrets ? Object.keys(patch.secrets) : [] },
    });
    return this.view((await this.repo.find(p.tenantId, id))!);
  }

  async list(tenantId: string, opts: { type?: string; botId?: string } = {}): Promise<ChannelConfigView[]> {
    return (await this.repo.list(tenantId, opts)).map((r) => this.view(r));
  }

  /** Another tenant's config is reported as not found, never as forbidden. */
  async get(tenantId: string, id: string): Promise<ChannelConfigView> {
    const row = await this.repo.find(tenantId, id);
    if (!row) throw new AppError('not_found', 'channel not found');
    return this.view(row);
  }

  async delete(p: Principal, id: string): Promise<void> {
    if (!(await this.repo.delete(p.tenantId, id))) throw new AppError('not_found', 'channel not found');
    this.cache.delete(id);
    await this.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'channel.delete', target: id });
  }

  /**
   * The config a webhook names, with secrets decrypted, only when it exists, is enabled and has the expected type.
   * Unknown, disabled and mistyped ids all look the same to the caller (not found).
   */
  async getForInbound<P = Record<string, unknown>, S = Record<string, string | undefined>>(id: string, type?: string): Promise<ResolvedChannelConfig<P, S>> {
    const hit = this.cache.get(id);
    let cfg = hit && Date.now() - hit.at < INBOUND_CACHE_MS ? hit.cfg : undefined;
    if (!cfg) {
      const row = id.length <= 64 ? await this.repo.findAnyTenant(id) : null;
      if (row) {
        cfg = { id: row.id, tenantId: row.tenantId, botId: row.botId, type: row.type, name: row.name, public: row.public, secrets: this.secretsOf(row), enabled: row.enabled };
        this.cache.set(id, { at: Date.now(), cfg });
        if (this.cache.size > 10_000) this.cache.clear();
      }
    }
    if (!cfg || !cfg.enabled || (type && cfg.type !== type)) throw new AppError('not_found', 'channel not found');
    return cfg as ResolvedChannelConfig<P, S>;
  }

  /** A config by id within its tenant, decrypted (outbound senders). */
  async resolve(tenantId: string, id: string): Promise<ResolvedChannelConfig | null> {
    const cfg = await this.getForInbound(id).catch(() => null);
    return cfg && cfg.tenantId === tenantId ? cfg : null;
  }

  /** Remembers where a conversation's customer is reachable (config + address, the address encrypted). */
  bind(tenantId: string, conversationId: string, configId: string, address: string) {
    return this.repo.bind({ tenantId, conversationId, configId, addressEnc: this.cipher.encrypt(address) });
  }

  async binding(tenantId: string, conversationId: string): Promise<{ configId: string; address: string } | null> {
    const b = await this.repo.binding(tenantId, conversationId);
    return b ? { configId: b.configId, address: this.cipher.decrypt(b.addressEnc) } : null;
  }

  getCursor(tenantId: string, configId: string, stream: string) {
    return this.repo.getCursor(tenantId, configId, stream);
  }
  setCursor(tenantId: string, configId: string, stream: string, cursor: string) {
    return this.repo.setCursor(tenantId, configId, stream, cursor);
  }
}

function dropEmpty(o: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && v !== '') out[k] = v;
  return out;
}
