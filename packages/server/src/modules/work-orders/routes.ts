import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf, type Guards } from '../../http/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { can } from '../auth/roles.ts';
import { ALLOWED_CONTENT_TYPES, downloadHeaders, MAX_ATTACHMENT_BYTES, UPLOAD_BODY_LIMIT } from './attachments.ts';
import { addBusinessMinutes, BusinessCalendarInput, businessMinutesBetween } from './business-hours.ts';
import { FIELD_KINDS, FieldDefinition, Label } from './fields.ts';
import type { NotificationService } from './notifications.ts';
import { SlaPolicy } from './sla.ts';
import type { WorkOrderService } from './work-order-service.ts';
import { PRIORITIES, STATUSES } from './workflow.ts';

const tags = ['work-orders'];
const security = [{ bearer: [] }];

const Priority = z.enum(PRIORITIES);
const Status = z.enum(STATUSES);
const Visibility = z.enum(['internal', 'public']);
const Problems = 'Any problem is a 400 `validation_failed` listing every one in `error.details.problems` ([{path, code, message}], e.g. path `fields.cardNumber`, code `invalid_card`); nothing is stored.';
const Unmasked = z.enum(['true', 'false']).default('false').describe('personal data in clear (roles with pii:view only; audited)');

const TypeBody = z.object({
  name: Label,
  description: z.string().max(500).nullable().default(null),
  fields: z.array(FieldDefinition).max(50).default([]).describe(`custom fields; kinds: ${FIELD_KINDS.join(', ')}`),
  defaultPriority: Priority.default('normal'),
  sla: SlaPolicy.default({ firstResponseMinutes: {}, resolutionMinutes: {} }),
  defaultGroup: z.string().min(1).max(64).nullable().default(null).describe('skill group a new work order of this type is assigned to'),
  enabled: z.boolean().default(true).describe('a disabled type is not offered for new work orders'),
});
const TypeId = z.string().regex(/^[a-z][a-z0-9_-]{1,39}$/, 'lower-case letters, digits, _ or -, starting with a letter (2–40)');
const TypeDto = z.object({
  id: z.string(), name: z.object({ zh: z.string(), en: z.string() }), description: z.string().nullable(), fields: z.array(z.record(z.string(), z.unknown())),
  defaultPriority: Priority, sla: z.object({ firstResponseMinutes: z.record(z.string(), z.number()), resolutionMinutes: z.record(z.string(), z.number()) }),
  defaultGroup: z.string().nullable(), enabled: z.boolean(), revision: z.number(), createdAt: z.date(), updatedAt: z.date(), updatedBy: z.string().nullable(),
});

const SlaTargetDto = z.object({
  dueAt: z.date().nullable(), state: z.enum(['none', 'pending', 'met', 'breached']), breached: z.boolean(),
  remainingMinutes: z.number().nullable().describe('wall-clock minutes to the due time (negative: overdue); null once done'),
});
const WorkOrderDto = z.object({
  id: z.string(), number: z.string().describe('WO-<local date>-<sequence of the day>'), typeId: z.string(), typeName: z.object({ zh: z.string(), en: z.string() }).nullable(),
  title: z.string(), description: z.string(), fields: z.record(z.string(), z.unknown()).describe('custom field values (phone and card numbers masked unless unmasked)'),
  priority: Priority, status: Status, allowedTransitions: z.array(Status),
  assignee: z.object({ userId: z.string(), displayName: z.string().nullable() }).nullable(), assigneeGroup: z.string().nullable(),
  contactId: z.string().nullable(), source: z.enum(['staff', 'conversation']), conversationIds: z.array(z.string()),
  createdBy: z.string(), createdAt: z.date(), updatedAt: z.date(), firstResponseAt: z.date().nullable(), resolvedAt: z.date().nullable(), closedAt: z.date().nullable(),
  reopenCount: z.number(), sla: z.object({ firstResponse: SlaTargetDto, resolution: SlaTargetDto, breached: z.boolean() }), masked: z.boolean(),
});
const CommentDto = z.object({ id: z.string(), workOrderId: z.string(), visibility: Visibility, body: z.string(), author: z.string(), authorName: z.string().nullable(), createdAt: z.date() });
const AttachmentDto = z.object({ id: z.string(), workOrderId: z.string(), filename: z.string(), contentType: z.string(), size: z.number(), sha256: z.string(), createdBy: z.string(), createdAt: z.date() });
const NotificationDto = z.object({ id: z.string(), kind: z.string(), refId: z.string().describe('the work order id for kind work_order'), title: z.string(), createdAt: z.date(), readAt: z.date().nullable() });

const Title = z.string().trim().min(1).max(200);
const Description = z.string().max(10_000);
const Ref = z.string().min(1).max(64);
const CreateBody = z.object({
  typeId: z.string().min(1).max(40),
  title: Title,
  description: Description.default(''),
  fields: z.record(z.string(), z.unknown()).default({}).describe('custom field values by key, validated against the type'),
  priority: Priority.optional().describe("default: the type's"),
  assigneeUserId: z.string().min(1).max(64).nullable().optional(),
  assigneeGroup: z.string().min(1).max(64).nullable().optional().describe("default: the type's default group"),
  contactId: z.string().min(1).max(64).nullable().optional().describe("default: the first linked conversation's contact"),
  conversationIds: z.array(z.string().min(1).max(64)).max(20).default([]),
});
const PatchBody = z.object({
  title: Title.optional(),
  description: Description.optional(),
  fields: z.record(z.string(), z.unknown()).optional().describe('merged over the stored values; null removes a value. Send only what changed (masked values are not valid input)'),
  priority: Priority.optional().describe('recomputes the SLA due times from the creation time'),
  assigneeUserId: z.string().min(1).max(64).nullable().optional().describe('null unassigns'),
  assigneeGroup: z.string().min(1).max(64).nullable().optional(),
  contactId: z.string().min(1).max(64).nullable().optional(),
}).refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change');

const csv = <T extends string>(values: readonly [T, ...T[]]) => z.string().max(200).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(z.enum(values)));
const ListQuery = z.object({
  status: csv(STATUSES).optional().describe('comma-separated, e.g. new,in_progress'),
  typeId: z.string().max(40).optional(),
  priority: csv(PRIORITIES).optional().describe('comma-separated'),
  assignee: z.string().max(64).optional().describe('a user id, `me`, or `none` (unassigned)'),
  group: z.string().max(64).optional(),
  breached: z.enum(['true', 'false']).optional().describe('any SLA target done late or overdue now'),
  createdFrom: z.coerce.date().optional().describe('ISO 8601, inclusive'),
  createdTo: z.coerce.date().optional().describe('ISO 8601, exclusive'),
  conversationId: z.string().max(64).optional().describe('work orders linked to this conversation'),
  q: z.string().trim().min(1).max(100).optional().describe('text in the number, title, description or a comment'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  unmasked: Unmasked,
});

/**
 * Work orders (工单) over REST: types and business hours (admins), work orders with their workflow, comments,
 * attachments and conversation links (agents and supervisors), an SLA-breach view, and each user's notifications.
 */
export const workOrderRoutes = (workOrders: WorkOrderService, notifications: NotificationService, guards: Guards): FastifyPluginAsyncZod => async (app) => {
  const read = guards.require('workorder:read');
  const write = guards.require('workorder:write');
  const admin = guards.require('workorder:admin');
  const clear = (req: { query: { unmasked?: string } } & Parameters<typeof principalOf>[0]) => req.query.unmasked === 'true' && can(principalOf(req), 'pii:view');

  // ------------------------------------------------------------ types

  app.get('/api/v1/work-order-types', {
    schema: { tags, security, summary: 'Work order types', querystring: z.object({ includeDisabled: z.enum(['true', 'false']).default('false') }), response: { 200: z.object({ items: z.array(TypeDto) }) } },
    preHandler: read,
  }, async (req) => ({ items: await workOrders.listTypes(principalOf(req).tenantId, req.query.includeDisabled === 'true') }));

  app.post('/api/v1/work-order-types', {
    schema: {
      tags, security, summary: 'Define a work order type', body: TypeBody.extend({ id: TypeId }),
      description: 'Custom fields, default priority, SLA targets in business minutes per priority, default group. Problems of the definition: 400 with each in `error.details.problems`; an existing id: 409.',
      response: { 201: TypeDto },
    },
    preHandler: admin,
  }, async (req, reply) => reply.status(201).send(await workOrders.createType(principalOf(req), req.body)));

  app.get('/api/v1/work-order-types/:typeId', {
    schema: { tags, security, summary: 'One work order type', params: z.object({ typeId: z.string().max(40) }), response: { 200: TypeDto } },
    preHandler: read,
  }, async (req) => workOrders.getType(principalOf(req).tenantId, req.params.typeId));

  app.put('/api/v1/work-order-types/:typeId', {
    schema: {
      tags, security, summary: 'Replace a work order type', params: z.object({ typeId: z.string().max(40) }), body: TypeBody,
      description: "Existing work orders keep their values; the new fields' rules apply when they are next edited. Set `enabled: false` to retire a type.",
      response: { 200: TypeDto },
    },
    preHandler: admin,
  }, async (req) => workOrders.updateType(principalOf(req), { ...req.body, id: req.params.typeId }));

  // ------------------------------------------------------------ business hours

  const CalendarDto = z.object({
    timeZone: z.string(), weekly: z.record(z.string(), z.array(z.object({ start: z.string(), end: z.string() }))), holidays: z.array(z.string()),
    specialDays: z.array(z.object({ date: z.string(), intervals: z.array(z.object({ start: z.string(), end: z.string() })), note: z.string().optional() })),
  });

  app.get('/api/v1/business-hours', {
    schema: { tags, security, summary: "The tenant's business hours (SLA targets count only these)", response: { 200: CalendarDto.extend({ isDefault: z.boolean() }) } },
    preHandler: read,
  }, async (req) => {
    const { calendar, isDefault } = await workOrders.getCalendar(principalOf(req).tenantId);
    return { ...calendar, isDefault };
  });

  app.put('/api/v1/business-hours', {
    schema: {
      tags, security, summary: 'Set the business hours', body: BusinessCalendarInput,
      description: 'Weekly open intervals (local time; a shift across midnight is two intervals), holidays and special days (调休). Applies to work orders created afterwards and to priority changes. ' +
        'Problems: 400 with each in `error.details.problems`.',
      response: { 200: CalendarDto },
    },
    preHandler: admin,
  }, async (req) => workOrders.putCalendar(principalOf(req), req.body));

  app.get('/api/v1/business-hours/add', {
    schema: {
      tags, security, summary: 'When N business minutes after a time end (SLA preview)',
      querystring: z.object({ from: z.coerce.date(), minutes: z.coerce.number().int().min(0).max(366 * 24 * 60) }),
      response: { 200: z.object({ from: z.date(), minutes: z.number(), due: z.date().nullable() }) },
    },
    preHandler: read,
  }, async (req) => {
    const { calendar } = await workOrders.getCalendar(principalOf(req).tenantId);
    return { from: req.query.from, minutes: req.query.minutes, due: addBusinessMinutes(calendar, req.query.from, req.query.minutes) };
  });

  app.get('/api/v1/business-hours/elapsed', {
    schema: {
      tags, security, summary: 'Business minutes between two times',
      querystring: z.object({ from: z.coerce.date(), to: z.coerce.date() }),
      response: { 200: z.object({ from: z.date(), to: z.date(), minutes: z.number() }) },
    },
    preHandler: read,
  }, async (req) => {
    const { calendar } = await workOrders.getCalendar(principalOf(req).tenantId);
    if (req.query.to.getTime() - req.query.from.getTime() > 5 * 366 * 86400_000) throw new AppError('bad_request', 'at most five years apart');
    return { from: req.query.from, to: req.query.to, minutes: businessMinutesBetween(calendar, req.query.from, req.query.to) };
  });

  // ------------------------------------------------------------ work orders

  const base = '/api/v1/work-orders';
  const IdParam = z.object({ id: Ref.describe('work order id or number (WO-20261124-0001)') });

  app.get(base, {
    schema: {
      tags, security, summary: 'Work orders: filters, text search, pagination (newest first)', querystring: ListQuery,
      response: { 200: z.object({ items: z.array(WorkOrderDto), total: z.number(), limit: z.number(), offset: z.number() }) },
    },
    preHandler: read,
  }, async (req) => {
    const p = principalOf(req);
    const { assignee, breached, q, unmasked: _u, ...rest } = req.query;
    return workOrders.list(p, {
      ...rest,
      assigneeUserId: assignee === undefined ? undefined : assignee === 'none' ? null : assignee === 'me' ? (p.userId ?? '-') : assignee,
      breached: breached === undefined ? undefined : breached === 'true',
      text: q,
    }, { unmasked: clear(req) });
  });

  app.post(base, {
    schema: { tags, security, summary: 'Create a work order', description: Problems, body: CreateBody, response: { 201: WorkOrderDto } },
    preHandler: write,
  }, async (req, reply) => reply.status(201).send(await workOrders.create(principalOf(req), req.body)));

  app.get(`${base}/sla-breaches`, {
    schema: {
      tags, security, summary: 'SLA-breach view: open work orders overdue or due within N minutes, most urgent first',
      querystring: z.object({ withinMinutes: z.coerce.number().int().min(0).max(7 * 24 * 60).default(60), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ items: z.array(WorkOrderDto), now: z.date() }) },
    },
    preHandler: read,
  }, async (req) => workOrders.slaWatch(principalOf(req), req.query.withinMinutes, req.query.limit));

  app.get(`${base}/:id`, {
    schema: { tags, security, summary: 'One work order', params: IdParam, querystring: z.object({ unmasked: Unmasked }), response: { 200: WorkOrderDto } },
    preHandler: read,
  }, async (req) => workOrders.get(principalOf(req), req.params.id, { unmasked: clear(req) }));

  app.patch(`${base}/:id`, {
    schema: { tags, security, summary: 'Edit, reprioritise or (re)assign a work order (the new assignee is notified)', description: Problems, params: IdParam, body: PatchBody, response: { 200: WorkOrderDto } },
    preHandler: write,
  }, async (req) => workOrders.update(principalOf(req), req.params.id, req.body));

  app.post(`${base}/:id/transitions`, {
    schema: {
      tags, security, params: IdParam, summary: 'Move a work order along its workflow',
      description: 'new → in_progress → pending_customer → resolved → closed; reopen: resolved/closed → in_progress. An illegal move is a 409 `conflict` with `error.details` {from, to, allowed}. ' +
        'A change by staff is the first response if there was none. An optional comment is added with it.',
      body: z.object({ to: Status, comment: z.object({ body: z.string().trim().min(1).max(10_000), visibility: Visibility.default('internal') }).optional() }),
      response: { 200: WorkOrderDto },
    },
    preHandler: write,
  }, async (req) => workOrders.transition(principalOf(req), req.params.id, req.body.to, req.body.comment));

  app.get(`${base}/:id/comments`, {
    schema: {
      tags, security, summary: 'Comments, oldest first', params: IdParam,
      querystring: z.object({ visibility: Visibility.optional(), unmasked: Unmasked }), response: { 200: z.object({ items: z.array(CommentDto) }) },
    },
    preHandler: read,
  }, async (req) => ({ items: await workOrders.listComments(principalOf(req), req.params.id, { visibility: req.query.visibility, unmasked: clear(req) }) }));

  app.post(`${base}/:id/comments`, {
    schema: {
      tags, security, summary: 'Comment: internal (staff only) or public (for the customer; the first one is the first response)', params: IdParam,
      body: z.object({ body: z.string().trim().min(1).max(10_000), visibility: Visibility.default('internal') }), response: { 201: CommentDto },
    },
    preHandler: write,
  }, async (req, reply) => reply.status(201).send(await workOrders.addComment(principalOf(req), req.params.id, req.body)));

  app.get(`${base}/:id/attachments`, {
    schema: { tags, security, summary: 'Attachments (metadata)', params: IdParam, response: { 200: z.object({ items: z.array(AttachmentDto) }) } },
    preHandler: read,
  }, async (req) => ({ items: await workOrders.listAttachments(principalOf(req), req.params.id) }));

  app.post(`${base}/:id/attachments`, {
    bodyLimit: UPLOAD_BODY_LIMIT,
    schema: {
      tags, security, summary: 'Upload an attachment (JSON, the file as base64)', params: IdParam,
      description: `At most ${MAX_ATTACHMENT_BYTES} bytes (413 above). Types: ${ALLOWED_CONTENT_TYPES.join(', ')}; the bytes must match the type. Anything else: 400.`,
      body: z.object({
        filename: z.string().min(1).max(255),
        contentType: z.string().min(1).max(200),
        data: z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64').describe('the file, base64 (standard alphabet, padded)'),
      }),
      response: { 201: AttachmentDto },
    },
    preHandler: write,
  }, async (req, reply) => {
    const { filename, contentType, data } = req.body;
    if (data.length % 4 !== 0) throw new AppError('bad_request', 'data is not padded base64');
    const bytes = Buffer.from(data, 'base64');
    return reply.status(201).send(await workOrders.addAttachment(principalOf(req), req.params.id, { filename, contentType, data: bytes }));
  });

  app.get(`${base}/:id/attachments/:attachmentId`, {
    schema: {
      tags, security, summary: 'Download an attachment (always as a download, never rendered inline)', params: IdParam.extend({ attachmentId: Ref }),
      description: 'The stored content type, `Content-Disposition: attachment`, `X-Content-Type-Options: nosniff` and a sandboxing CSP.',
    },
    preHandler: read,
  }, async (req, reply) => {
    const a = await workOrders.getAttachment(principalOf(req), req.params.id, req.params.attachmentId);
    return reply.headers(downloadHeaders(a)).send(a.data);
  });

  app.post(`${base}/:id/links`, {
    schema: {
      tags, security, summary: 'Link a conversation of this tenant', params: IdParam,
      description: "Unknown conversation: 404. Linking twice changes nothing. The work order takes the conversation's contact if it has none.",
      body: z.object({ conversationId: Ref }), response: { 200: WorkOrderDto },
    },
    preHandler: write,
  }, async (req) => workOrders.link(principalOf(req), req.params.id, req.body.conversationId));

  app.delete(`${base}/:id/links/:conversationId`, {
    schema: { tags, security, summary: 'Unlink a conversation', params: IdParam.extend({ conversationId: Ref }), response: { 200: WorkOrderDto } },
    preHandler: write,
  }, async (req) => workOrders.unlink(principalOf(req), req.params.id, req.params.conversationId));

  // ------------------------------------------------------------ notifications

  app.get('/api/v1/notifications', {
    schema: {
      tags, security, summary: 'My notifications, newest first (work orders assigned to me...)',
      querystring: z.object({ unread: z.enum(['true', 'false']).default('false'), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: { 200: z.object({ items: z.array(NotificationDto), unread: z.number() }) },
    },
    preHandler: guards.require(),
  }, async (req) => notifications.list(principalOf(req), { unreadOnly: req.query.unread === 'true', limit: req.query.limit }));

  app.post('/api/v1/notifications/read-all', {
    schema: { tags, security, summary: 'Mark all my notifications read', response: { 200: z.object({ updated: z.number() }) } },
    preHandler: guards.require(),
  }, async (req) => ({ updated: await notifications.markAllRead(principalOf(req)) }));

  app.post('/api/v1/notifications/:id/read', {
    schema: { tags, security, summary: 'Mark one notification read', params: z.object({ id: Ref }), response: { 200: NotificationDto } },
    preHandler: guards.require(),
  }, async (req) => notifications.markRead(principalOf(req), req.params.id));
};
