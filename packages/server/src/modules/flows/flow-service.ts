import { FlowDefinition } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ConnectorService } from '../connectors/connector-service.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import { dryRunFlow, type DryRunInput, type DryRunResult } from './dry-run.ts';
import { sameFlow, type FlowRepository, type StoredFlow } from './flow-repository.ts';
import { validateFlow, type FlowProblem } from './validate.ts';

export type Actor = { tenantId: string; actor: string };
export type FlowView = Omit<StoredFlow, 'tenantId'>;

type Deps = {
  repo: FlowRepository;
  tenancy: TenancyService;
  connectors: Pick<ConnectorService, 'operations' | 'callForFlow'>;
  audit: AuditLog;
  clock: Clock;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalidFlow(problems: FlowProblem[]): AppError {
  const lines = problems.map((p) => (p.stepId ? `step "${p.stepId}": ${p.message}` : p.message));
  return new AppError('validation_failed', `invalid flow (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${lines.join('; ')}`, { problems });
}

/**
 * A bot's business flows (the working copy). Every write is checked by validateFlow() against the tenant's
 * connectors; a flow goes live with the next knowledge publish, which copies the enabled flows into the immutable
 * version (KnowledgeService.publish). Other tenants' bots are "not found". Every change is audited.
 */
export class FlowService {
  constructor(private d: Deps) {}

  private bot(tenantId: string, botRef: string) {
    return this.d.tenancy.getBot(tenantId, botRef);
  }

  private view({ tenantId: _t, ...f }: StoredFlow): FlowView {
    return f;
  }

  async list(tenantId: string, botRef: string): Promise<FlowView[]> {
    const bot = await this.bot(tenantId, botRef);
    return (await this.d.repo.list(tenantId, bot.id)).map((f) => this.view(f));
  }

  async get(tenantId: string, botRef: string, id: string): Promise<FlowView> {
    const bot = await this.bot(tenantId, botRef);
    const f = await this.d.repo.get(tenantId, bot.id, id);
    if (!f) throw notFound('flow');
    return this.view(f);
  }

  /**
   * Problems of a flow as authored (schema first, then structure, `call` steps against the tenant's connectors).
   * `id` and `version` may be left out (the path and the store supply them).
   */
  async validate(tenantId: string, raw: unknown, id?: string): Promise<FlowProblem[]> {
    if (!isObject(raw)) return [{ message: 'a flow is a JSON object' }];
    const candidate = { ...raw, id: raw.id ?? id, version: raw.version ?? 1 };
    return validateFlow(candidate, { connectors: await this.d.connectors.operations(tenantId) });
  }

  /** Problems of each flow, with the tenant's connectors read once (for the knowledge publish). */
  async validateAll(tenantId: string, defs: FlowDefinition[]): Promise<{ flowId: string; problems: FlowProblem[] }[]> {
    const connectors = await this.d.connectors.operations(tenantId);
    return defs.map((def) => ({ flowId: def.id, problems: validateFlow(def, { connectors }) })).filter((x) => x.problems.length);
  }

  /**
   * Creates or replaces a flow. The stored version grows by one with every change (the body's version is
   * ignored); saving an identical definition changes nothing. Any problem: 400 validation_failed, all of them in
   * details.problems.
   */
  async put(p: Actor, botRef: string, id: string, raw: unknown): Promise<{ flow: FlowView; created: boolean; changed: boolean }> {
    const bot = await this.bot(p.tenantId, botRef);
    if (isObject(raw) && raw.id !== undefined && raw.id !== id) throw new AppError('bad_request', `the body's id "${String(raw.id)}" differs from the path's "${id}"`);
    const problems = await this.validate(p.tenantId, raw, id);
    if (problems.length) throw invalidFlow(problems);
    const def = FlowDefinition.parse({ ...(raw as object), id, version: 1 });
    for (let attempt = 0; attempt < 3; attempt++) {
      const cur = await this.d.repo.get(p.tenantId, bot.id, id);
      if (cur && sameFlow(cur.definition, def)) return { flow: this.view(cur), created: false, changed: false };
      const version = (cur?.version ?? 0) + 1;
      const saved = await this.d.repo.save(p.tenantId, bot.id, { id, version, definition: { ...def, version }, enabled: cur?.enabled ?? true, updatedBy: p.actor }, cur?.version ?? null, this.d.clock.now());
      if (!saved) continue; // another write came first: re-read
      await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: cur ? 'flow.update' : 'flow.create', target: id, details: { botId: bot.id, version } });
      return { flow: this.view(saved), created: !cur, changed: true };
    }
    throw new AppError('conflict', 'the flow was changed concurrently; try again');
  }

  async setEnabled(p: Actor, botRef: string, id: string, enabled: boolean): Promise<FlowView> {
    const bot = await this.bot(p.tenantId, botRef);
    const cur = await this.d.repo.get(p.tenantId, bot.id, id);
    if (!cur) throw notFound('flow');
    if (cur.enabled === enabled) return this.view(cur);
    const f = await this.d.repo.setEnabled(p.tenantId, bot.id, id, enabled, p.actor, this.d.clock.now());
    if (!f) throw notFound('flow');
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: enabled ? 'flow.enable' : 'flow.disable', target: id, details: { botId: bot.id } });
    return this.view(f);
  }

  /** Removes a flow from the working copy; the published version keeps serving it until the next publish. */
  async remove(p: Actor, botRef: string, id: string): Promise<void> {
    const bot = await this.bot(p.tenantId, botRef);
    if (!(await this.d.repo.delete(p.tenantId, bot.id, id))) throw notFound('flow');
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'flow.delete', target: id, details: { botId: bot.id } });
  }

  /**
   * Plays a conversation against a flow of the working copy (`{flowId}`) or an unsaved definition (`{definition}`),
   * touching no conversation. Calls without a mock reach the live connector, so each dry run is audited with the
   * calls it made. A definition that does not parse is refused (400); structural problems are returned beside the
   * run (the interpreter copes with them the way the live robot would).
   */
  /**
   * `liveCalls`: whether calls without a mock may reach the live connector. A live call reads real customers' data,
   * so only those who may manage connectors get it (the routes decide); others get `live_calls_not_allowed`.
   */
  async dryRun(p: Actor, botRef: string, src: { flowId: string } | { definition: unknown }, input: DryRunInput, opts: { liveCalls: boolean } = { liveCalls: true }): Promise<DryRunResult & { flowId: string; version: number; problems: FlowProblem[] }> {
    const bot = await this.bot(p.tenantId, botRef);
    let def: FlowDefinition;
    let problems: FlowProblem[];
    if ('flowId' in src) {
      const f = await this.d.repo.get(p.tenantId, bot.id, src.flowId);
      if (!f) throw notFound('flow');
      def = f.definition;
      problems = await this.validate(p.tenantId, def);
    } else {
      problems = await this.validate(p.tenantId, src.definition, isObject(src.definition) && typeof src.definition.id === 'string' ? src.definition.id : 'draft');
      const raw = src.definition as Record<string, unknown>;
      const parsed = isObject(raw) ? FlowDefinition.safeParse({ ...raw, id: raw.id ?? 'draft', version: raw.version ?? 1 }) : undefined;
      if (!parsed?.success) throw invalidFlow(problems);
      def = parsed.data;
    }
    const lang = input.lang ?? (bot.locale?.toLowerCase().startsWith('en') ? 'en' : 'zh');
    const result = await dryRunFlow(def, { ...input, lang }, async (effect, vars) => (opts.liveCalls ? this.d.connectors.callForFlow(p.tenantId, effect, vars) : { ok: false, error: 'live_calls_not_allowed' }), this.d.clock.now());
    await this.d.audit.record({
      tenantId: p.tenantId, actor: p.actor, action: 'flow.dry_run', target: def.id,
      details: { botId: bot.id, saved: 'flowId' in src, messages: input.messages.length, outcome: result.outcome, calls: result.calls.map((c) => `${c.connector}.${c.operation}:${c.source}`) },
    });
    return { flowId: def.id, version: def.version, ...result, problems };
  }
}
