import type { BusinessCalendar } from './business-hours.ts';
import type { FieldDefinition, Label } from './fields.ts';
import type { SlaPolicy } from './sla.ts';
import type { Priority, Status } from './workflow.ts';

export type WorkOrderType = {
  tenantId: string;
  id: string;
  name: Label;
  description: string | null;
  fields: FieldDefinition[];
  defaultPriority: Priority;
  sla: SlaPolicy;
  defaultGroup: string | null;
  enabled: boolean;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
};
export type TypeWrite = Pick<WorkOrderType, 'id' | 'name' | 'description' | 'fields' | 'defaultPriority' | 'sla' | 'defaultGroup' | 'enabled'>;

export type Source = 'staff' | 'conversation';

/** A stored work order. Custom field values stay sealed here (`fieldsEnc`); the service opens them. */
export type WorkOrderRecord = {
  id: string;
  tenantId: string;
  number: string;
  typeId: string;
  title: string;
  description: string;
  fieldsEnc: string | null;
  priority: Priority;
  status: Status;
  assigneeUserId: string | null;
  assigneeName: string | null;
  assigneeGroup: string | null;
  contactId: string | null;
  source: Source;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  reopenCount: number;
  firstResponseDue: Date | null;
  resolutionDue: Date | null;
  version: number;
  conversationIds: string[];
};
export type NewWorkOrder = Omit<WorkOrderRecord, 'assigneeName' | 'version' | 'conversationIds' | 'updatedAt' | 'firstResponseAt' | 'resolvedAt' | 'closedAt' | 'reopenCount'>;
export type WorkOrderPatch = Partial<Pick<WorkOrderRecord,
  'title' | 'description' | 'fieldsEnc' | 'priority' | 'status' | 'assigneeUserId' | 'assigneeGroup' | 'contactId' |
  'firstResponseAt' | 'resolvedAt' | 'closedAt' | 'reopenCount' | 'firstResponseDue' | 'resolutionDue'>> & { updatedAt: Date };

export type WorkOrderQuery = {
  status?: Status[];
  typeId?: string;
  priority?: Priority[];
  /** A user id, or null: unassigned. */
  assigneeUserId?: string | null;
  group?: string;
  /** Any target breached (done late, or overdue at `now`), or none. */
  breached?: boolean;
  createdFrom?: Date;
  createdTo?: Date;
  conversationId?: string;
  /** Substring of the number, title, description or a comment (case-insensitive). */
  text?: string;
  limit: number;
  offset: number;
  now: Date;
};

export type Comment = {
  id: string;
  tenantId: string;
  workOrderId: string;
  visibility: 'internal' | 'public';
  body: string;
  author: string;
  authorName: string | null;
  createdAt: Date;
};

export type AttachmentMeta = {
  id: string;
  tenantId: string;
  workOrderId: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  createdBy: string;
  createdAt: Date;
};
export type Attachment = AttachmentMeta & { data: Buffer };

export type Notification = {
  id: string;
  tenantId: string;
  userId: string;
  kind: string;
  refId: string;
  title: string;
  createdAt: Date;
  readAt: Date | null;
};

/** The work orders port. Every method is scoped by tenant: another tenant's rows are never seen. */
export type WorkOrderRepository = {
  listTypes(tenantId: string, opts: { includeDisabled: boolean }): Promise<WorkOrderType[]>;
  getType(tenantId: string, id: string): Promise<WorkOrderType | null>;
  /** Null when a type with this id exists already. */
  insertType(tenantId: string, t: TypeWrite, actor: string, at: Date): Promise<WorkOrderType | null>;
  /** Replaces a type if it is still at `expectedRevision`; null when it changed meanwhile (or is gone). */
  updateType(tenantId: string, t: TypeWrite, expectedRevision: number, actor: string, at: Date): Promise<WorkOrderType | null>;

  getCalendar(tenantId: string): Promise<BusinessCalendar | null>;
  putCalendar(tenantId: string, cal: BusinessCalendar, actor: string, at: Date): Promise<void>;

  /** The next number of the tenant's local day (1, 2, ...), atomically across nodes. */
  nextNumber(tenantId: string, day: string): Promise<number>;
  /** Inserts a work order and its conversation links in one transaction. */
  create(w: NewWorkOrder, conversationIds: string[]): Promise<WorkOrderRecord>;
  /** By id or by number (WO-20261124-0001). */
  get(tenantId: string, idOrNumber: string): Promise<WorkOrderRecord | null>;
  /** Writes a patch if the work order is still at `expectedVersion` (the version grows); null when it changed. */
  update(tenantId: string, id: string, expectedVersion: number, patch: WorkOrderPatch): Promise<WorkOrderRecord | null>;
  /** Sets the first response time if there is none yet; bumps the version. */
  markFirstResponse(tenantId: string, id: string, at: Date): Promise<void>;
  list(q: WorkOrderQuery & { tenantId: string }): Promise<{ items: WorkOrderRecord[]; total: number }>;
  /** Open work orders with a pending target already overdue or due before `until`, earliest due first. */
  slaWatch(tenantId: string, until: Date, limit: number): Promise<WorkOrderRecord[]>;
  /** A work order made from this conversation with the same text since `since` (a re-sent leave-message). */
  findIntake(tenantId: string, conversationId: string, description: string, since: Date): Promise<string | null>;

  /** Whether the conversation exists in the tenant, with its customer contact when known. */
  conversation(tenantId: string, conversationId: string): Promise<{ contactId: string | null } | null>;
  contactExists(tenantId: string, contactId: string): Promise<boolean>;
  /** An active user of the tenant. */
  user(tenantId: string, userId: string): Promise<{ id: string; displayName: string } | null>;
  /** False when already linked. */
  addLink(tenantId: string, workOrderId: string, conversationId: string, actor: string, at: Date): Promise<boolean>;
  removeLink(tenantId: string, workOrderId: string, conversationId: string): Promise<boolean>;

  addComment(c: Comment): Promise<Comment>;
  listComments(tenantId: string, workOrderId: string, visibility?: 'internal' | 'public'): Promise<Comment[]>;

  /** Inserts unless the work order already has `maxCount` attachments; false then. */
  addAttachment(a: Attachment, maxCount: number): Promise<boolean>;
  listAttachments(tenantId: string, workOrderId: string): Promise<AttachmentMeta[]>;
  getAttachment(tenantId: string, workOrderId: string, id: string): Promise<Attachment | null>;

  addNotification(n: Notification): Promise<void>;
  listNotifications(tenantId: string, userId: string, opts: { unreadOnly: boolean; limit: number }): Promise<{ items: Notification[]; unread: number }>;
  markNotificationRead(tenantId: string, userId: string, id: string, at: Date): Promise<Notification | null>;
  markAllNotificationsRead(tenantId: string, userId: string, at: Date): Promise<number>;
};
