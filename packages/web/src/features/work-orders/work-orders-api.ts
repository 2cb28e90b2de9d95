import { api } from '../../shared/api.ts';
import { loadSession } from '../../shared/session.ts';

/** Work orders REST (/api/v1/work-orders, /api/v1/work-order-types, /api/v1/notifications). */
export type Label = { zh: string; en: string };
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type Status = 'new' | 'in_progress' | 'pending_customer' | 'resolved' | 'closed';
export const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low'];
export const STATUSES: Status[] = ['new', 'in_progress', 'pending_customer', 'resolved', 'closed'];

export type FieldKind = 'text' | 'number' | 'date' | 'select' | 'multiselect' | 'checkbox' | 'phone' | 'card_number' | 'amount';
export type FieldDefinition = {
  key: string;
  label: Label;
  kind: FieldKind;
  required?: boolean;
  options?: { value: string; label: Label }[];
  validation?: { minLength?: number; maxLength?: number; pattern?: string; patternMessage?: string; min?: number; max?: number; integer?: boolean; minDate?: string; maxDate?: string; minItems?: number; maxItems?: number };
  help?: { zh?: string; en?: string };
};
export type WorkOrderType = { id: string; name: Label; description: string | null; fields: FieldDefinition[]; defaultPriority: Priority; enabled: boolean };

export type SlaTarget = { dueAt: string | null; state: 'none' | 'pending' | 'met' | 'breached'; breached: boolean; remainingMinutes: number | null };
export type WorkOrder = {
  id: string;
  number: string;
  typeId: string;
  typeName: Label | null;
  title: string;
  description: string;
  fields: Record<string, unknown>;
  priority: Priority;
  status: Status;
  allowedTransitions: Status[];
  assignee: { userId: string; displayName: string | null } | null;
  assigneeGroup: string | null;
  contactId: string | null;
  source: 'staff' | 'conversation';
  conversationIds: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  reopenCount: number;
  sla: { firstResponse: SlaTarget; resolution: SlaTarget; breached: boolean };
  masked: boolean;
};
export type Comment = { id: string; workOrderId: string; visibility: 'internal' | 'public'; body: string; author: string; authorName: string | null; createdAt: string };
export type Attachment = { id: string; workOrderId: string; filename: string; contentType: string; size: number; createdBy: string; createdAt: string };
export type Notification = { id: string; kind: string; refId: string; title: string; createdAt: string; readAt: string | null };
/** One problem of a 400 `validation_failed` (error.details.problems). */
export type Problem = { path?: string; field?: string; code: string; message: string };

export type ListFilter = { status?: Status[]; typeId?: string; priority?: Priority[]; assignee?: string; breached?: boolean; q?: string; limit: number; offset: number };

const enc = encodeURIComponent;
const base = '/api/v1/work-orders';

export const workOrdersApi = {
  types: () => api.get<{ items: WorkOrderType[] }>('/api/v1/work-order-types').then((r) => r.items),
  list: (f: ListFilter) =>
    api.get<{ items: WorkOrder[]; total: number }>(base, {
      status: f.status?.length ? f.status.join(',') : undefined,
      priority: f.priority?.length ? f.priority.join(',') : undefined,
      typeId: f.typeId,
      assignee: f.assignee,
      breached: f.breached ? 'true' : undefined,
      q: f.q?.trim() || undefined,
      limit: f.limit,
      offset: f.offset,
    }),
  byConversation: (conversationId: string) => api.get<{ items: WorkOrder[]; total: number }>(base, { conversationId, limit: 20 }).then((r) => r.items),
  get: (id: string) => api.get<WorkOrder>(`${base}/${enc(id)}`),
  create: (body: { typeId: string; title: string; description: string; fields: Record<string, unknown>; priority?: Priority; conversationIds: string[] }) => api.post<WorkOrder>(base, body),
  patch: (id: string, body: Partial<{ title: string; description: string; priority: Priority; assigneeUserId: string | null; assigneeGroup: string | null; fields: Record<string, unknown> }>) => api.patch<WorkOrder>(`${base}/${enc(id)}`, body),
  transition: (id: string, to: Status, comment?: { body: string; visibility: 'internal' | 'public' }) => api.post<WorkOrder>(`${base}/${enc(id)}/transitions`, { to, ...(comment ? { comment } : {}) }),
  comments: (id: string) => api.get<{ items: Comment[] }>(`${base}/${enc(id)}/comments`).then((r) => r.items),
  addComment: (id: string, body: string, visibility: 'internal' | 'public') => api.post<Comment>(`${base}/${enc(id)}/comments`, { body, visibility }),
  attachments: (id: string) => api.get<{ items: Attachment[] }>(`${base}/${enc(id)}/attachments`).then((r) => r.items),
  upload: (id: string, file: { filename: string; contentType: string; data: string }) => api.post<Attachment>(`${base}/${enc(id)}/attachments`, file),
  /** Downloads with the bearer token (a plain link cannot carry it) and saves the file. */
  download: async (id: string, a: Attachment) => {
    const res = await fetch(`${base}/${enc(id)}/attachments/${enc(a.id)}`, { headers: { authorization: `Bearer ${loadSession()?.token ?? ''}` } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = a.filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
  slaBreaches: (withinMinutes: number) => api.get<{ items: WorkOrder[]; now: string }>(`${base}/sla-breaches`, { withinMinutes }),
  notifications: () => api.get<{ items: Notification[]; unread: number }>('/api/v1/notifications', { limit: 20 }),
  readNotification: (id: string) => api.post<Notification>(`/api/v1/notifications/${enc(id)}/read`),
  readAll: () => api.post<{ updated: number }>('/api/v1/notifications/read-all'),
};

/** Reads a File as padded base64 (the upload API takes JSON). */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}
