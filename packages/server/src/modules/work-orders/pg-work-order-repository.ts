import type { Db, Row } from '../../storage/db.ts';
import type { BusinessCalendar } from './business-hours.ts';
import type {
  Attachment, AttachmentMeta, Comment, NewWorkOrder, Notification, TypeWrite, WorkOrderPatch, WorkOrderQuery, WorkOrderRecord, WorkOrderRepository, WorkOrderType,
} from './work-order-repository.ts';

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

const typeOf = (r: Row): WorkOrderType => ({
  tenantId: r.tenant_id, id: r.id, name: { zh: r.name_zh, en: r.name_en }, description: r.description ?? null, fields: json(r.fields),
  defaultPriority: r.default_priority, sla: { firstResponseMinutes: {}, resolutionMinutes: {}, ...json<object>(r.sla) }, defaultGroup: r.default_group ?? null,
  enabled: r.enabled, revision: Number(r.revision), createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at), updatedBy: r.updated_by ?? null,
});

const orderOf = (r: Row): WorkOrderRecord => ({
  id: r.id, tenantId: r.tenant_id, number: r.number, typeId: r.type_id, title: r.title, description: r.description, fieldsEnc: r.fields_enc ?? null,
  priority: r.priority, status: r.status, assigneeUserId: r.assignee_user_id ?? null, assigneeName: r.assignee_name ?? null, assigneeGroup: r.assignee_group ?? null,
  contactId: r.contact_id ?? null, source: r.source, createdBy: r.created_by, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
  firstResponseAt: date(r.first_response_at), resolvedAt: date(r.resolved_at), closedAt: date(r.closed_at), reopenCount: Number(r.reopen_count),
  firstResponseDue: date(r.first_response_due), resolutionDue: date(r.resolution_due), version: Number(r.version),
  conversationIds: (r.conversation_ids ?? []) as string[],
});

const commentOf = (r: Row): Comment => ({
  id: r.id, tenantId: r.tenant_id, workOrderId: r.work_order_id, visibility: r.visibility, body: r.body, author: r.author, authorName: r.author_name ?? null, createdAt: new Date(r.created_at),
});

const attachmentMetaOf = (r: Row): AttachmentMeta => ({
  id: r.id, tenantId: r.tenant_id, workOrderId: r.work_order_id, filename: r.filename, contentType: r.content_type, size: Number(r.size), sha256: r.sha256,
  createdBy: r.created_by, createdAt: new Date(r.created_at),
});

const notificationOf = (r: Row): Notification => ({
  id: r.id, tenantId: r.tenant_id, userId: r.user_id, kind: r.kind, refId: r.ref_id, title: r.title, createdAt: new Date(r.created_at), readAt: date(r.read_at),
});

const SELECT_ORDER = `SELECT w.*, u.display_name AS assignee_name,
  ARRAY(SELECT l.conversation_id FROM work_order_links l WHERE l.work_order_id = w.id ORDER BY l.created_at, l.conversation_id) AS conversation_ids
  FROM work_orders w LEFT JOIN users u ON u.id = w.assignee_user_id`;

/** Whether any SLA target is breached at $now: done late, or not done and overdue. */
const BREACHED = (now: string) => `((w.first_response_due IS NOT NULL AND COALESCE(w.first_response_at, ${now}) > w.first_response_due)
  OR (w.resolution_due IS NOT NULL AND COALESCE(w.resolved_at, ${now}) > w.resolution_due))`;

const PATCH_COLUMNS: Record<keyof WorkOrderPatch, string> = {
  title: 'title', description: 'description', fieldsEnc: 'fields_enc', priority: 'priority', status: 'status', assigneeUserId: 'assignee_user_id',
  assigneeGroup: 'assignee_group', contactId: 'contact_id', firstResponseAt: 'first_response_at', resolvedAt: 'resolved_at', closedAt: 'closed_at',
  reopenCount: 'reopen_count', firstResponseDue: 'first_response_due', resolutionDue: 'resolution_due', updatedAt: 'updated_at',
};

/** LIKE pattern for a substring, with the wildcards of the input taken literally. */
const likeSubstring = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class PgWorkOrderRepository implements WorkOrderRepository {
  constructor(private db: Db) {}

  async listTypes(tenantId: string, opts: { includeDisabled: boolean }) {
    const rows = await this.db.query('SELECT * FROM work_order_types WHERE tenant_id = $1 AND (enabled OR $2::boolean) ORDER BY created_at, id', [tenantId, opts.includeDisabled]);
    return rows.map(typeOf);
  }

  async getType(tenantId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM work_order_types WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return r ? typeOf(r) : null;
  }

  async insertType(tenantId: string, t: TypeWrite, actor: string, at: Date) {
    const [r] = await this.db.query(
      `INSERT INTO work_order_types(tenant_id, id, name_zh, name_en, description, fields, default_priority, sla, default_group, enabled, revision, created_at, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11, $12) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING *`,
      [tenantId, t.id, t.name.zh, t.name.en, t.description, JSON.stringify(t.fields), t.defaultPriority, JSON.stringify(t.sla), t.defaultGroup, t.enabled, at, actor],
    );
    return r ? typeOf(r) : null;
  }

  async updateType(tenantId: string, t: TypeWrite, expectedRevision: number, actor: string, at: Date) {
    const [r] = await this.db.query(
      `UPDATE work_order_types SET name_zh = $3, name_en = $4, description = $5, fields = $6, default_priority = $7, sla = $8, default_group = $9,
         enabled = $10, revision = revision + 1, updated_at = $11, updated_by = $12
       WHERE tenant_id = $1 AND id = $2 AND revision = $13 RETURNING *`,
      [tenantId, t.id, t.name.zh, t.name.en, t.description, JSON.stringify(t.fields), t.defaultPriority, JSON.stringify(t.sla), t.defaultGroup, t.enabled, at, actor, expectedRevision],
    );
    return r ? typeOf(r) : null;
  }

  async getCalendar(tenantId: string) {
    const [r] = await this.db.query('SELECT calendar FROM business_calendars WHERE tenant_id = $1', [tenantId]);
    return r ? json<BusinessCalendar>(r.calendar) : null;
  }

  async putCalendar(tenantId: string, cal: BusinessCalendar, actor: string, at: Date) {
    await this.db.query(
      `INSERT INTO business_calendars(tenant_id, calendar, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id) DO UPDATE SET calendar = EXCLUDED.calendar, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [tenantId, JSON.stringify(cal), at, actor],
    );
  }

  async nextNumber(tenantId: string, day: string) {
    const [r] = await this.db.query(
      `INSERT INTO work_order_counters(tenant_id, day, last) VALUES ($1, $2, 1)
       ON CONFLICT (tenant_id, day) DO UPDATE SET last = work_order_counters.last + 1 RETURNING last`,
      [tenantId, day],
    );
    return Number(r.last);
  }

  async create(w: NewWorkOrder, conversationIds: string[]) {
    await this.db.tx(async (q) => {
      await q.query(
        `INSERT INTO work_orders(id, tenant_id, number, type_id, title, description, fields_enc, priority, status, assignee_user_id, assignee_group, contact_id,
           source, created_by, created_at, updated_at, first_response_due, resolution_due)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17)`,
        [w.id, w.tenantId, w.number, w.typeId, w.title, w.description, w.fieldsEnc, w.priority, w.status, w.assigneeUserId, w.assigneeGroup, w.contactId,
          w.source, w.createdBy, w.createdAt, w.firstResponseDue, w.resolutionDue],
      );
      for (const c of new Set(conversationIds)) {
        await q.query('INSERT INTO work_order_links(tenant_id, work_order_id, conversation_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5)', [w.tenantId, w.id, c, w.createdAt, w.createdBy]);
      }
    });
    return (await this.get(w.tenantId, w.id))!;
  }

  async get(tenantId: string, idOrNumber: string) {
    const [r] = await this.db.query(`${SELECT_ORDER} WHERE w.tenant_id = $1 AND (w.id = $2 OR w.number = $2)`, [tenantId, idOrNumber]);
    return r ? orderOf(r) : null;
  }

  async update(tenantId: string, id: string, expectedVersion: number, patch: WorkOrderPatch) {
    const sets: string[] = [];
    const params: unknown[] = [tenantId, id, expectedVersion];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      params.push(v);
      sets.push(`${PATCH_COLUMNS[k as keyof WorkOrderPatch]} = $${params.length}`);
    }
    const rows = await this.db.query(
      `UPDATE work_orders SET ${sets.join(', ')}, version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3 RETURNING id`,
      params,
    );
    return rows.length ? this.get(tenantId, id) : null;
  }

  async markFirstResponse(tenantId: string, id: string, at: Date) {
    await this.db.query(
      'UPDATE work_orders SET first_response_at = $3, updated_at = $3, version = version + 1 WHERE tenant_id = $1 AND id = $2 AND first_response_at IS NULL',
      [tenantId, id, at],
    );
  }

  async list(q: WorkOrderQuery & { tenantId: string }) {
    const where: string[] = ['w.tenant_id = $1'];
    const params: unknown[] = [q.tenantId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.status?.length) where.push(`w.status = ANY(${p(q.status)}::text[])`);
    if (q.priority?.length) where.push(`w.priority = ANY(${p(q.priority)}::text[])`);
    if (q.typeId) where.push(`w.type_id = ${p(q.typeId)}`);
    if (q.assigneeUserId === null) where.push('w.assignee_user_id IS NULL');
    else if (q.assigneeUserId) where.push(`w.assignee_user_id = ${p(q.assigneeUserId)}`);
    if (q.group) where.push(`w.assignee_group = ${p(q.group)}`);
    if (q.createdFrom) where.push(`w.created_at >= ${p(q.createdFrom)}`);
    if (q.createdTo) where.push(`w.created_at < ${p(q.createdTo)}`);
    if (q.conversationId) where.push(`EXISTS (SELECT 1 FROM work_order_links l WHERE l.work_order_id = w.id AND l.conversation_id = ${p(q.conversationId)})`);
    if (q.breached !== undefined) where.push(`${BREACHED(`${p(q.now)}::timestamptz`)} = ${p(q.breached)}::boolean`);
    if (q.text) {
      const like = p(likeSubstring(q.text));
      where.push(`(w.number ILIKE ${like} OR w.title ILIKE ${like} OR w.description ILIKE ${like}
        OR EXISTS (SELECT 1 FROM work_order_comments c WHERE c.work_order_id = w.id AND c.body ILIKE ${like}))`);
    }
    const cond = where.join(' AND ');
    const [count] = await this.db.query(`SELECT count(*)::int AS n FROM work_orders w WHERE ${cond}`, params);
    const rows = await this.db.query(`${SELECT_ORDER} WHERE ${cond} ORDER BY w.created_at DESC, w.id DESC LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`, params);
    return { items: rows.map(orderOf), total: Number(count.n) };
  }

  async slaWatch(tenantId: string, until: Date, limit: number) {
    const rows = await this.db.query(
      `SELECT * FROM (${SELECT_ORDER}
         WHERE w.tenant_id = $1 AND w.status IN ('new', 'in_progress', 'pending_customer')) w
       WHERE (w.first_response_at IS NULL AND w.first_response_due <= $2) OR (w.resolved_at IS NULL AND w.resolution_due <= $2)
       ORDER BY LEAST(CASE WHEN w.first_response_at IS NULL THEN w.first_response_due END, CASE WHEN w.resolved_at IS NULL THEN w.resolution_due END), w.id
       LIMIT $3`,
      [tenantId, until, limit],
    );
    return rows.map(orderOf);
  }

  async findIntake(tenantId: string, conversationId: string, description: string, since: Date) {
    const [r] = await this.db.query(
      `SELECT w.id FROM work_orders w JOIN work_order_links l ON l.work_order_id = w.id
       WHERE w.tenant_id = $1 AND l.conversation_id = $2 AND w.source = 'conversation' AND w.description = $3 AND w.created_at >= $4
       ORDER BY w.created_at DESC LIMIT 1`,
      [tenantId, conversationId, description, since],
    );
    return r ? (r.id as string) : null;
  }

  async conversation(tenantId: string, conversationId: string) {
    const [r] = await this.db.query('SELECT contact_id FROM conversations WHERE tenant_id = $1 AND id = $2', [tenantId, conversationId]);
    return r ? { contactId: (r.contact_id as string | null) ?? null } : null;
  }

  async contactExists(tenantId: string, contactId: string) {
    return (await this.db.query('SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $2', [tenantId, contactId])).length > 0;
  }

  async user(tenantId: string, userId: string) {
    const [r] = await this.db.query('SELECT id, display_name FROM users WHERE tenant_id = $1 AND id = $2 AND NOT disabled', [tenantId, userId]);
    return r ? { id: r.id as string, displayName: r.display_name as string } : null;
  }

  async addLink(tenantId: string, workOrderId: string, conversationId: string, actor: string, at: Date) {
    const rows = await this.db.query(
      `INSERT INTO work_order_links(tenant_id, work_order_id, conversation_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (work_order_id, conversation_id) DO NOTHING RETURNING conversation_id`,
      [tenantId, workOrderId, conversationId, at, actor],
    );
    return rows.length > 0;
  }

  async removeLink(tenantId: string, workOrderId: string, conversationId: string) {
    const rows = await this.db.query('DELETE FROM work_order_links WHERE tenant_id = $1 AND work_order_id = $2 AND conversation_id = $3 RETURNING conversation_id', [tenantId, workOrderId, conversationId]);
    return rows.length > 0;
  }

  async addComment(c: Comment) {
    const [r] = await this.db.query(
      `INSERT INTO work_order_comments(id, tenant_id, work_order_id, visibility, body, author, author_name, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [c.id, c.tenantId, c.workOrderId, c.visibility, c.body, c.author, c.authorName, c.createdAt],
    );
    return commentOf(r);
  }

  async listComments(tenantId: string, workOrderId: string, visibility?: 'internal' | 'public') {
    const rows = await this.db.query(
      'SELECT * FROM work_order_comments WHERE tenant_id = $1 AND work_order_id = $2 AND ($3::text IS NULL OR visibility = $3) ORDER BY created_at, id',
      [tenantId, workOrderId, visibility ?? null],
    );
    return rows.map(commentOf);
  }

  async addAttachment(a: Attachment, maxCount: number) {
    const rows = await this.db.query(
      `INSERT INTO work_order_attachments(id, tenant_id, work_order_id, filename, content_type, size, sha256, data, created_by, created_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
       WHERE (SELECT count(*) FROM work_order_attachments WHERE work_order_id = $3) < $11 RETURNING id`,
      [a.id, a.tenantId, a.workOrderId, a.filename, a.contentType, a.size, a.sha256, a.data, a.createdBy, a.createdAt, maxCount],
    );
    return rows.length > 0;
  }

  async listAttachments(tenantId: string, workOrderId: string) {
    const rows = await this.db.query(
      `SELECT id, tenant_id, work_order_id, filename, content_type, size, sha256, created_by, created_at FROM work_order_attachments
       WHERE tenant_id = $1 AND work_order_id = $2 ORDER BY created_at, id`,
      [tenantId, workOrderId],
    );
    return rows.map(attachmentMetaOf);
  }

  async getAttachment(tenantId: string, workOrderId: string, id: string) {
    const [r] = await this.db.query('SELECT * FROM work_order_attachments WHERE tenant_id = $1 AND work_order_id = $2 AND id = $3', [tenantId, workOrderId, id]);
    return r ? { ...attachmentMetaOf(r), data: Buffer.from(r.data as Uint8Array) } : null;
  }

  async addNotification(n: Notification) {
    await this.db.query(
      'INSERT INTO notifications(id, tenant_id, user_id, kind, ref_id, title, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [n.id, n.tenantId, n.userId, n.kind, n.refId, n.title, n.createdAt, n.readAt],
    );
  }

  async listNotifications(tenantId: string, userId: string, opts: { unreadOnly: boolean; limit: number }) {
    const rows = await this.db.query(
      `SELECT * FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND (read_at IS NULL OR NOT $3::boolean) ORDER BY created_at DESC, id DESC LIMIT $4`,
      [tenantId, userId, opts.unreadOnly, opts.limit],
    );
    const [c] = await this.db.query('SELECT count(*)::int AS n FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL', [tenantId, userId]);
    return { items: rows.map(notificationOf), unread: Number(c.n) };
  }

  async markNotificationRead(tenantId: string, userId: string, id: string, at: Date) {
    const [r] = await this.db.query(
      'UPDATE notifications SET read_at = COALESCE(read_at, $4) WHERE tenant_id = $1 AND user_id = $2 AND id = $3 RETURNING *',
      [tenantId, userId, id, at],
    );
    return r ? notificationOf(r) : null;
  }

  async markAllNotificationsRead(tenantId: string, userId: string, at: Date) {
    const rows = await this.db.query('UPDATE notifications SET read_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL RETURNING id', [tenantId, userId, at]);
    return rows.length;
  }
}
