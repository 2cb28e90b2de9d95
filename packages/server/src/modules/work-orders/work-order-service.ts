import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import { maskPii } from '../../platform/pii.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { checkAttachment, cleanFilename, MAX_ATTACHMENTS_PER_WORK_ORDER } from './attachments.ts';
import { calendarProblems, DEFAULT_CALENDAR, localDate, type BusinessCalendar } from './business-hours.ts';
import { builtinTypes, MESSAGE_TYPE_ID } from './builtin-types.ts';
import { fieldDefinitionProblems, maskFieldValues, validateFieldValues, type FieldValues } from './fields.ts';
import type { NotificationService } from './notifications.ts';
import { slaDueTimes, slaTarget, type SlaTarget } from './sla.ts';
import type {
  AttachmentMeta, Comment, Source, TypeWrite, WorkOrderPatch, WorkOrderQuery, WorkOrderRecord, WorkOrderRepository, WorkOrderType,
} from './work-order-repository.ts';
import { allowedTransitions, transition, type Priority, type Status } from './workflow.ts';

/** Who acts: a signed-in user or an API key (Principal), or the system (intake). */
export type Actor = { tenantId: string; actor: string; userId?: string; username?: string };

export type Problem = { path: string; code: string; message: string };

export type CreateInput = {
  typeId: string;
  title: string;
  description?: string;
  fields?: FieldValues;
  priority?: Priority;
  assigneeUserId?: string | null;
  assigneeGroup?: string | null;
  contactId?: string | null;
  conversationIds?: string[];
};
export type PatchInput = Partial<Pick<CreateInput, 'title' | 'description' | 'fields' | 'priority' | 'assigneeUserId' | 'assigneeGroup' | 'contactId'>>;
export type ListInput = Omit<WorkOrderQuery, 'now'>;

export type TypeView = Omit<WorkOrderType, 'tenantId'>;

export type WorkOrderView = {
  id: string;
  number: string;
  typeId: string;
  typeName: { zh: string; en: string } | null;
  title: string;
  description: string;
  fields: FieldValues;
  priority: Priority;
  status: Status;
  allowedTransitions: Status[];
  assignee: { userId: string; displayName: string | null } | null;
  assigneeGroup: string | null;
  contactId: string | null;
  source: Source;
  conversationIds: string[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  reopenCount: number;
  sla: { firstResponse: SlaTarget; resolution: SlaTarget; breached: boolean };
  /** Personal data in title, description, comments and custom fields is masked (the caller did not ask for, or may not see, it in clear). */
  masked: boolean;
};

export type CommentView = Omit<Comment, 'tenantId'>;
export type AttachmentView = Omit<AttachmentMeta, 'tenantId'>;

/** What the work orders need to know of skill groups (implemented by the service module). */
export type GroupDirectory = {
  exists(tenantId: string, group: string): Promise<boolean>;
  /** User ids of the group's agents. */
  members(tenantId: string, group: string): Promise<string[]>;
};

type Deps = {
  repo: WorkOrderRepository;
  cipher: FieldCipher;
  audit: AuditLog;
  clock: Clock;
  events: EventBus;
  notifications: NotificationService;
  logger: Logger;
};

const WRITE_RETRIES = 3;

function invalid(what: string, problems: Problem[]): AppError {
  return new AppError('validation_failed', `invalid ${what} (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
}

/**
 * Work orders (工单): admin-defined types with custom fields and SLA, the tenant's business hours, the status
 * workflow, comments, attachments, links to conversations and notifications to assignees. Every input is checked
 * before anything is written; every write is audited (ids and field names only — values may be personal data).
 * Another tenant's work orders are "not found".
 */
export class WorkOrderService {
  private groups: GroupDirectory | undefined;

  constructor(private d: Deps) {}

  /**
   * The assignee groups (the service module's skill groups). With it, an unknown group is refused and a work order
   * assigned to a group without a user notifies the group's members; without it any group name is taken as given.
   */
  setGroupDirectory(groups: GroupDirectory) {
    this.groups = groups;
  }

  // ---------------------------------------------------------------- types

  private typeView({ tenantId: _t, ...t }: WorkOrderType): TypeView {
    return t;
  }

  async listTypes(tenantId: string, includeDisabled = false): Promise<TypeView[]> {
    return (await this.d.repo.listTypes(tenantId, { includeDisabled })).map((t) => this.typeView(t));
  }

  async getType(tenantId: string, id: string): Promise<TypeView> {
    const t = await this.d.repo.getType(tenantId, id);
    if (!t) throw notFound('work order type');
    return this.typeView(t);
  }

  private checkType(t: TypeWrite) {
    const problems = fieldDefinitionProblems(t.fields).map((message) => ({ path: message.split(':')[0], code: 'invalid_definition', message: message.slice(message.indexOf(':') + 1).trim() }));
    if (problems.length) throw invalid('work order type', problems);
  }

  async createType(p: Actor, t: TypeWrite): Promise<TypeView> {
    this.checkType(t);
    const created = await this.d.repo.insertType(p.tenantId, t, p.actor, this.d.clock.now());
    if (!created) throw new AppError('conflict', `a work order type "${t.id}" exists already`);
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order_type.create', target: t.id, details: { fields: t.fields.map((f) => f.key) } });
    return this.typeView(created);
  }

  /** Replaces a type's definition. Existing work orders keep their values; the new rules apply to the next edit. */
  async updateType(p: Actor, t: TypeWrite): Promise<TypeView> {
    this.checkType(t);
    for (let i = 0; i < WRITE_RETRIES; i++) {
      const cur = await this.d.repo.getType(p.tenantId, t.id);
      if (!cur) throw notFound('work order type');
      const saved = await this.d.repo.updateType(p.tenantId, t, cur.revision, p.actor, this.d.clock.now());
      if (!saved) continue;
      await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order_type.update', target: t.id, details: { revision: saved.revision, fields: t.fields.map((f) => f.key), enabled: t.enabled } });
      return this.typeView(saved);
    }
    throw new AppError('conflict', 'the type was changed concurrently; try again');
  }

  /** Creates the built-in types (投诉, 业务办理, 客户留言) a tenant lacks. */
  async ensureBuiltinTypes(tenantId: string, only?: string[]): Promise<void> {
    for (const t of builtinTypes()) {
      if (only && !only.includes(t.id)) continue;
      if (await this.d.repo.insertType(tenantId, t, 'system', this.d.clock.now())) {
        await this.d.audit.record({ tenantId, actor: 'system', action: 'work_order_type.create', target: t.id, details: { builtin: true } });
      }
    }
  }

  // ---------------------------------------------------------------- business hours

  async getCalendar(tenantId: string): Promise<{ calendar: BusinessCalendar; isDefault: boolean }> {
    const c = await this.d.repo.getCalendar(tenantId);
    return c ? { calendar: c, isDefault: false } : { calendar: DEFAULT_CALENDAR, isDefault: true };
  }

  /** Sets the tenant's hours. Due times already set stay; new work orders and priority changes use the new hours. */
  async putCalendar(p: Actor, cal: BusinessCalendar): Promise<BusinessCalendar> {
    const problems = calendarProblems(cal).map((message) => ({ path: message.split(':')[0], code: 'invalid_calendar', message: message.slice(message.indexOf(':') + 1).trim() }));
    if (problems.length) throw invalid('business hours', problems);
    const clean: BusinessCalendar = {
      ...cal,
      holidays: [...cal.holidays].sort(),
      specialDays: [...cal.specialDays].sort((a, b) => a.date.localeCompare(b.date)),
    };
    await this.d.repo.putCalendar(p.tenantId, clean, p.actor, this.d.clock.now());
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'business_hours.update', details: { timeZone: cal.timeZone, holidays: cal.holidays.length, specialDays: cal.specialDays.length } });
    return clean;
  }

  // ---------------------------------------------------------------- work orders

  private openFields(r: WorkOrderRecord): FieldValues {
    return r.fieldsEnc ? (JSON.parse(this.d.cipher.decrypt(r.fieldsEnc)) as FieldValues) : {};
  }

  private sealFields(values: FieldValues): string | null {
    return Object.keys(values).length ? this.d.cipher.encrypt(JSON.stringify(values)) : null;
  }

  private view(r: WorkOrderRecord, type: WorkOrderType | undefined, unmasked: boolean): WorkOrderView {
    const now = this.d.clock.now();
    const fields = this.openFields(r);
    const firstResponse = slaTarget(r.firstResponseDue, r.firstResponseAt, now);
    const resolution = slaTarget(r.resolutionDue, r.resolvedAt, now);
    return {
      id: r.id, number: r.number, typeId: r.typeId, typeName: type?.name ?? null,
      title: unmasked ? r.title : maskPii(r.title),
      description: unmasked ? r.description : maskPii(r.description),
      fields: unmasked ? fields : maskFieldValues(type?.fields ?? [], fields),
      priority: r.priority, status: r.status, allowedTransitions: [...allowedTransitions(r.status)],
      assignee: r.assigneeUserId ? { userId: r.assigneeUserId, displayName: r.assigneeName } : null,
      assigneeGroup: r.assigneeGroup, contactId: r.contactId, source: r.source, conversationIds: r.conversationIds,
      createdBy: r.createdBy, createdAt: r.createdAt, updatedAt: r.updatedAt,
      firstResponseAt: r.firstResponseAt, resolvedAt: r.resolvedAt, closedAt: r.closedAt, reopenCount: r.reopenCount,
      sla: { firstResponse, resolution, breached: firstResponse.breached || resolution.breached },
      masked: !unmasked,
    };
  }

  private async record(tenantId: string, ref: string): Promise<WorkOrderRecord> {
    const r = await this.d.repo.get(tenantId, ref);
    if (!r) throw notFound('work order');
    return r;
  }

  private async typeMap(tenantId: string): Promise<Map<string, WorkOrderType>> {
    return new Map((await this.d.repo.listTypes(tenantId, { includeDisabled: true })).map((t) => [t.id, t]));
  }

  private async viewOf(p: Actor, r: WorkOrderRecord, unmasked = false): Promise<WorkOrderView> {
    const type = (await this.d.repo.getType(p.tenantId, r.typeId)) ?? undefined;
    return this.view(r, type, unmasked);
  }

  /** Problems of the references in a create or patch: assignee, contact, conversations, all within the tenant. */
  private async referenceProblems(tenantId: string, input: { assigneeUserId?: string | null; assigneeGroup?: string | null; contactId?: string | null; conversationIds?: string[] }): Promise<Problem[]> {
    const out: Problem[] = [];
    if (input.assigneeGroup && this.groups && !(await this.groups.exists(tenantId, input.assigneeGroup))) {
      out.push({ path: 'assigneeGroup', code: 'unknown_group', message: `no skill group "${input.assigneeGroup}"` });
    }
    if (input.assigneeUserId && !(await this.d.repo.user(tenantId, input.assigneeUserId))) {
      out.push({ path: 'assigneeUserId', code: 'unknown_user', message: 'no active user with this id' });
    }
    if (input.contactId && !(await this.d.repo.contactExists(tenantId, input.contactId))) {
      out.push({ path: 'contactId', code: 'unknown_contact', message: 'no contact with this id' });
    }
    for (const [i, c] of (input.conversationIds ?? []).entries()) {
      if (!(await this.d.repo.conversation(tenantId, c))) out.push({ path: `conversationIds.${i}`, code: 'unknown_conversation', message: `no conversation ${c}` });
    }
    return out;
  }

  /**
   * Creates a work order; any problem (custom fields, unknown references) is a 400 listing all of them, and nothing
   * is stored. `lenient` (intake only): a disabled type is accepted and custom values that do not validate are left
   * out instead of refusing the customer's message.
   */
  async create(p: Actor, input: CreateInput, opts: { source?: Source; lenient?: boolean } = {}): Promise<WorkOrderView> {
    const type = await this.d.repo.getType(p.tenantId, input.typeId);
    const problems: Problem[] = [];
    if (!type) problems.push({ path: 'typeId', code: 'unknown_type', message: `no work order type "${input.typeId}"` });
    else if (!type.enabled && !opts.lenient) problems.push({ path: 'typeId', code: 'type_disabled', message: `the type "${input.typeId}" is disabled` });
    const checked = type ? validateFieldValues(type.fields, input.fields ?? {}, 'create') : { values: {}, problems: [] };
    if (!opts.lenient) problems.push(...checked.problems.map((x) => ({ path: `fields.${x.field}`, code: x.code, message: x.message })));
    problems.push(...(await this.referenceProblems(p.tenantId, input)));
    if (problems.length || !type) throw invalid('work order', problems);

    const at = this.d.clock.now();
    const { calendar } = await this.getCalendar(p.tenantId);
    const priority = input.priority ?? type.defaultPriority;
    const due = slaDueTimes(type.sla, priority, at, calendar);
    const conversationIds = [...new Set(input.conversationIds ?? [])];
    let contactId = input.contactId ?? null;
    for (const c of conversationIds) contactId ??= (await this.d.repo.conversation(p.tenantId, c))?.contactId ?? null;
    const number = await this.allocateNumber(p.tenantId, calendar, at);
    const rec = await this.d.repo.create({
      id: newId('wo'), tenantId: p.tenantId, number, typeId: type.id, title: input.title, description: input.description ?? '',
      fieldsEnc: this.sealFields(checked.values), priority, status: 'new',
      assigneeUserId: input.assigneeUserId ?? null, assigneeGroup: input.assigneeGroup === undefined ? type.defaultGroup : input.assigneeGroup,
      contactId, source: opts.source ?? 'staff', createdBy: p.actor, createdAt: at,
      firstResponseDue: due.firstResponseDue, resolutionDue: due.resolutionDue,
    }, conversationIds);
    await this.d.audit.record({
      tenantId: p.tenantId, actor: p.actor, action: 'work_order.create', target: rec.id,
      details: { number, typeId: type.id, priority, source: rec.source, fields: Object.keys(checked.values), conversations: conversationIds.length },
    });
    this.d.events.emit({ type: 'work_order.created', tenantId: p.tenantId, at: at.toISOString(), workOrderId: rec.id, number, typeId: type.id, source: rec.source, conversationIds });
    await this.notifyAssignment(p, rec, null, null);
    return this.view(rec, type, false);
  }

  /** WO-<local date>-<sequence of the day, at least 4 digits>: readable on the phone, unique per tenant. */
  private async allocateNumber(tenantId: string, calendar: BusinessCalendar, at: Date): Promise<string> {
    const day = localDate(calendar.timeZone, at);
    const seq = await this.d.repo.nextNumber(tenantId, day);
    return `WO-${day.replaceAll('-', '')}-${String(seq).padStart(4, '0')}`;
  }

  async get(p: Actor, ref: string, opts: { unmasked?: boolean } = {}): Promise<WorkOrderView> {
    const r = await this.record(p.tenantId, ref);
    if (opts.unmasked) await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.view_unmasked', target: r.id });
    return this.viewOf(p, r, !!opts.unmasked);
  }

  /**
   * Changes fields of a work order. Custom fields merge over the stored ones (null removes one) and are validated
   * against the type; a new priority recomputes the SLA due times from the creation time. A change of assignee
   * notifies the new one.
   */
  async update(p: Actor, ref: string, patch: PatchInput): Promise<WorkOrderView> {
    for (let i = 0; i < WRITE_RETRIES; i++) {
      const cur = await this.record(p.tenantId, ref);
      const type = await this.d.repo.getType(p.tenantId, cur.typeId);
      const problems: Problem[] = [];
      let fieldsEnc: string | null | undefined;
      if (patch.fields) {
        const checked = validateFieldValues(type?.fields ?? [], patch.fields, 'patch', this.openFields(cur));
        problems.push(...checked.problems.map((x) => ({ path: `fields.${x.field}`, code: x.code, message: x.message })));
        fieldsEnc = this.sealFields(checked.values);
      }
      problems.push(...(await this.referenceProblems(p.tenantId, patch)));
      if (problems.length) throw invalid('work order', problems);

      const at = this.d.clock.now();
      const w: WorkOrderPatch = { updatedAt: at };
      const changed: string[] = [];
      const set = <K extends keyof WorkOrderPatch>(k: K, v: WorkOrderPatch[K] | undefined, old: unknown) => {
        if (v === undefined || v === old) return;
        w[k] = v;
        changed.push(k);
      };
      set('title', patch.title, cur.title);
      set('description', patch.description, cur.description);
      if (fieldsEnc !== undefined) { w.fieldsEnc = fieldsEnc; changed.push('fields'); }
      set('assigneeUserId', patch.assigneeUserId, cur.assigneeUserId);
      set('assigneeGroup', patch.assigneeGroup, cur.assigneeGroup);
      set('contactId', patch.contactId, cur.contactId);
      if (patch.priority && patch.priority !== cur.priority) {
        const due = slaDueTimes(type?.sla ?? { firstResponseMinutes: {}, resolutionMinutes: {} }, patch.priority, cur.createdAt, (await this.getCalendar(p.tenantId)).calendar);
        Object.assign(w, { priority: patch.priority, firstResponseDue: due.firstResponseDue, resolutionDue: due.resolutionDue });
        changed.push('priority');
      }
      if (!changed.length) return this.view(cur, type ?? undefined, false);
      const saved = await this.d.repo.update(p.tenantId, cur.id, cur.version, w);
      if (!saved) continue;
      await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.update', target: cur.id, details: { number: cur.number, changed } });
      if (changed.includes('assigneeUserId') || changed.includes('assigneeGroup')) {
        await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.assign', target: cur.id, details: { userId: saved.assigneeUserId, group: saved.assigneeGroup } });
        this.d.events.emit({ type: 'work_order.assigned', tenantId: p.tenantId, at: at.toISOString(), workOrderId: cur.id, userId: saved.assigneeUserId, group: saved.assigneeGroup });
        await this.notifyAssignment(p, saved, cur.assigneeUserId, cur.assigneeGroup);
      }
      return this.view(saved, type ?? undefined, false);
    }
    throw new AppError('conflict', 'the work order was changed concurrently; try again');
  }

  /**
   * Notifies whoever newly got the work order: the assignee user, or the members of a newly assigned group. Nobody
   * is notified of their own assignment.
   */
  private async notifyAssignment(p: Actor, r: WorkOrderRecord, prevUser: string | null, prevGroup: string | null) {
    const to = new Set<string>();
    if (r.assigneeUserId && r.assigneeUserId !== prevUser) to.add(r.assigneeUserId);
    if (!r.assigneeUserId && r.assigneeGroup && r.assigneeGroup !== prevGroup && this.groups) {
      for (const u of await this.groups.members(r.tenantId, r.assigneeGroup)) to.add(u);
    }
    if (p.userId) to.delete(p.userId);
    const title = `${r.number} ${maskPii(r.title)}`;
    for (const userId of to) await this.d.notifications.notifyWorkOrder(r.tenantId, userId, { id: r.id, title });
  }

  /** Moves a work order along the workflow; an illegal move is a 409 with the allowed ones. Optionally with a comment. */
  async transition(p: Actor, ref: string, to: Status, comment?: { body: string; visibility: 'internal' | 'public' }): Promise<WorkOrderView> {
    for (let i = 0; i < WRITE_RETRIES; i++) {
      const cur = await this.record(p.tenantId, ref);
      const at = this.d.clock.now();
      const r = transition(cur, to, at, isStaff(p));
      if (!r.ok) {
        throw new AppError('conflict', `a work order cannot go from ${r.from} to ${r.to}; allowed: ${r.allowed.join(', ') || 'none'}`, { from: r.from, to: r.to, allowed: r.allowed });
      }
      const saved = await this.d.repo.update(p.tenantId, cur.id, cur.version, { ...r.next, updatedAt: at });
      if (!saved) continue;
      await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.transition', target: cur.id, details: { number: cur.number, from: cur.status, to, reopen: r.reopen } });
      this.d.events.emit({ type: 'work_order.status_changed', tenantId: p.tenantId, at: at.toISOString(), workOrderId: cur.id, from: cur.status, to, reopen: r.reopen });
      if (comment) await this.addComment(p, cur.id, comment);
      return this.viewOf(p, comment ? await this.record(p.tenantId, cur.id) : saved);
    }
    throw new AppError('conflict', 'the work order was changed concurrently; try again');
  }

  async list(p: Actor, q: ListInput, opts: { unmasked?: boolean } = {}): Promise<{ items: WorkOrderView[]; total: number; limit: number; offset: number }> {
    const { items, total } = await this.d.repo.list({ ...q, tenantId: p.tenantId, now: this.d.clock.now() });
    if (opts.unmasked && items.length) await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.list_unmasked', details: { count: items.length } });
    const types = await this.typeMap(p.tenantId);
    return { items: items.map((r) => this.view(r, types.get(r.typeId), !!opts.unmasked)), total, limit: q.limit, offset: q.offset };
  }

  /** Open work orders with a target overdue or due within `withinMinutes` (wall clock), the most urgent first. */
  async slaWatch(p: Actor, withinMinutes: number, limit: number): Promise<{ items: WorkOrderView[]; now: Date }> {
    const now = this.d.clock.now();
    const rows = await this.d.repo.slaWatch(p.tenantId, new Date(now.getTime() + withinMinutes * 60_000), limit);
    const types = await this.typeMap(p.tenantId);
    return { items: rows.map((r) => this.view(r, types.get(r.typeId), false)), now };
  }

  // ---------------------------------------------------------------- comments, links, attachments

  private commentView({ tenantId: _t, ...c }: Comment, unmasked: boolean): CommentView {
    return { ...c, body: unmasked ? c.body : maskPii(c.body) };
  }

  /** A staff member's public comment is the work order's first response when it has none. */
  async addComment(p: Actor, ref: string, input: { body: string; visibility: 'internal' | 'public' }): Promise<CommentView> {
    const r = await this.record(p.tenantId, ref);
    const at = this.d.clock.now();
    const c = await this.d.repo.addComment({
      id: newId('wc'), tenantId: p.tenantId, workOrderId: r.id, visibility: input.visibility, body: input.body, author: p.actor,
      authorName: p.username ?? null, createdAt: at,
    });
    if (input.visibility === 'public' && isStaff(p) && !r.firstResponseAt) await this.d.repo.markFirstResponse(p.tenantId, r.id, at);
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.comment', target: r.id, details: { commentId: c.id, visibility: c.visibility } });
    this.d.events.emit({ type: 'work_order.commented', tenantId: p.tenantId, at: at.toISOString(), workOrderId: r.id, commentId: c.id, visibility: c.visibility });
    return this.commentView(c, false);
  }

  async listComments(p: Actor, ref: string, opts: { visibility?: 'internal' | 'public'; unmasked?: boolean } = {}): Promise<CommentView[]> {
    const r = await this.record(p.tenantId, ref);
    if (opts.unmasked) await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.view_unmasked', target: r.id, details: { comments: true } });
    return (await this.d.repo.listComments(p.tenantId, r.id, opts.visibility)).map((c) => this.commentView(c, !!opts.unmasked));
  }

  async link(p: Actor, ref: string, conversationId: string): Promise<WorkOrderView> {
    const r = await this.record(p.tenantId, ref);
    const conv = await this.d.repo.conversation(p.tenantId, conversationId);
    if (!conv) throw notFound('conversation');
    if (await this.d.repo.addLink(p.tenantId, r.id, conversationId, p.actor, this.d.clock.now())) {
      await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.link', target: r.id, details: { conversationId } });
    }
    if (!r.contactId && conv.contactId) await this.d.repo.update(p.tenantId, r.id, r.version, { contactId: conv.contactId, updatedAt: this.d.clock.now() });
    return this.viewOf(p, await this.record(p.tenantId, r.id));
  }

  async unlink(p: Actor, ref: string, conversationId: string): Promise<WorkOrderView> {
    const r = await this.record(p.tenantId, ref);
    if (!(await this.d.repo.removeLink(p.tenantId, r.id, conversationId))) throw notFound('link');
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.unlink', target: r.id, details: { conversationId } });
    return this.viewOf(p, await this.record(p.tenantId, r.id));
  }

  async addAttachment(p: Actor, ref: string, input: { filename: string; contentType: string; data: Buffer }): Promise<AttachmentView> {
    const r = await this.record(p.tenantId, ref);
    const check = checkAttachment(input.contentType, input.data);
    if (!check.ok) {
      if (check.code === 'size') throw new AppError('payload_too_large', check.message);
      throw new AppError('validation_failed', check.message, { problems: [{ path: check.code === 'type' ? 'contentType' : 'data', code: `attachment_${check.code}`, message: check.message }] });
    }
    const a = {
      id: newId('wa'), tenantId: p.tenantId, workOrderId: r.id, filename: cleanFilename(input.filename), contentType: check.contentType,
      size: input.data.length, sha256: createHash('sha256').update(input.data).digest('hex'), data: input.data, createdBy: p.actor, createdAt: this.d.clock.now(),
    };
    if (!(await this.d.repo.addAttachment(a, MAX_ATTACHMENTS_PER_WORK_ORDER))) {
      throw new AppError('conflict', `a work order holds at most ${MAX_ATTACHMENTS_PER_WORK_ORDER} attachments`);
    }
    await this.d.audit.record({ tenantId: p.tenantId, actor: p.actor, action: 'work_order.attach', target: r.id, details: { attachmentId: a.id, contentType: a.contentType, size: a.size } });
    const { tenantId: _t, data: _d, ...meta } = a;
    return meta;
  }

  async listAttachments(p: Actor, ref: string): Promise<AttachmentView[]> {
    const r = await this.record(p.tenantId, ref);
    return (await this.d.repo.listAttachments(p.tenantId, r.id)).map(({ tenantId: _t, ...a }) => a);
  }

  async getAttachment(p: Actor, ref: string, id: string) {
    const r = await this.record(p.tenantId, ref);
    const a = await this.d.repo.getAttachment(p.tenantId, r.id, id);
    if (!a) throw notFound('attachment');
    return a;
  }

  // ---------------------------------------------------------------- intake

  /**
   * A customer's message left while queued becomes a 客户留言 work order linked to the conversation, with the
   * conversation's contact. The same text from the same conversation within ten minutes (a re-sent message) gives
   * back the first work order. A tenant without the message type gets it re-created: a message is never lost.
   */
  async fromConversation(tenantId: string, conversationId: string, text: string, contact?: string): Promise<{ id: string }> {
    const body = text.trim();
    if (!body) throw new AppError('validation_failed', 'the message is empty');
    if (!(await this.d.repo.conversation(tenantId, conversationId))) throw notFound('conversation');
    let type = await this.d.repo.getType(tenantId, MESSAGE_TYPE_ID);
    if (!type) {
      await this.ensureBuiltinTypes(tenantId, [MESSAGE_TYPE_ID]);
      type = await this.d.repo.getType(tenantId, MESSAGE_TYPE_ID);
    }
    const system: Actor = { tenantId, actor: 'system:intake' };
    const oneLine = body.replace(/\s+/g, ' ');
    const title = `客户留言：${[...oneLine].length > 40 ? `${[...oneLine].slice(0, 40).join('')}…` : oneLine}`;
    let fields: FieldValues = {};
    let description = body;
    const c = contact?.trim();
    if (c) {
      // The contact goes into the type's `contact` field when the type (perhaps edited by an admin) accepts it there;
      // otherwise it is kept in the description rather than dropped.
      const checked = validateFieldValues(type?.fields ?? [], { contact: c }, 'create');
      if (!checked.problems.some((x) => x.field === 'contact')) fields = { contact: checked.values.contact };
      else description = `${body}\n\n联系方式：${c}`;
    }
    const since = new Date(this.d.clock.now().getTime() - 10 * 60_000);
    const existing = await this.d.repo.findIntake(tenantId, conversationId, description, since);
    if (existing) return { id: existing };
    const wo = await this.create(system, { typeId: MESSAGE_TYPE_ID, title, description, fields, conversationIds: [conversationId] }, { source: 'conversation', lenient: true });
    return { id: wo.id };
  }
}

/** Changes by people (a user or an API key) count as responses; the system's own do not. */
const isStaff = (p: Actor) => !p.actor.startsWith('system');
