export const ROLES = ['admin', 'knowledge_operator', 'agent', 'supervisor', 'inspector', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'kb:read'
  | 'kb:write'
  | 'kb:publish'
  /** Knowledge review: approve or reject submitted entries (four-eyes: never one's own submission). */
  | 'kb:review'
  | 'bot:read'
  | 'bot:manage'
  | 'user:manage'
  | 'apikey:manage'
  | 'conversation:read'
  | 'pii:view'
  | 'contact:manage'
  | 'audit:read'
  /** Business flows of a bot: edit, validate, dry-run (they go live with the next knowledge publish). */
  | 'flow:manage'
  /** Connectors to the bank's systems (URLs and credentials): admins only. */
  | 'connector:manage'
  /** Work orders (工单): read, and create/edit/comment/assign; admin: types, custom fields, SLA and business hours. */
  | 'workorder:read'
  | 'workorder:write'
  | 'workorder:admin'
  /** Human service: serve customers in the agent workbench (an agent profile is created on first use). */
  | 'service:agent'
  /** Human service: watch queues and agents, force-assign, take over or join conversations. */
  | 'service:supervise'
  /** Human service: skill groups, agent profiles, customers' queue priority, team quick replies. */
  | 'service:manage'
  /** Dashboards and their exports (modules/analytics). */
  | 'analytics:read';

const ALL: Permission[] = ['kb:read', 'kb:write', 'kb:publish', 'kb:review', 'bot:read', 'bot:manage', 'user:manage', 'apikey:manage', 'conversation:read', 'pii:view', 'contact:manage', 'audit:read', 'flow:manage', 'connector:manage', 'workorder:read', 'workorder:write', 'workorder:admin', 'service:agent', 'service:supervise', 'service:manage', 'analytics:read'];
/** Every permission, in the order the console's roles matrix shows them. */
export const ALL_PERMISSIONS: readonly Permission[] = ALL;

/** What each role may do. Personal data in clear (pii:view) is for admins and supervisors only; every such view is audited. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  knowledge_operator: ['kb:read', 'kb:write', 'kb:publish', 'bot:read', 'flow:manage'],
  agent: ['kb:read', 'bot:read', 'conversation:read', 'workorder:read', 'workorder:write', 'service:agent'],
  supervisor: ['kb:read', 'kb:review', 'bot:read', 'conversation:read', 'pii:view', 'contact:manage', 'workorder:read', 'workorder:write', 'service:agent', 'service:supervise', 'analytics:read'],
  inspector: ['kb:read', 'bot:read', 'conversation:read'],
  analyst: ['kb:read', 'bot:read', 'conversation:read', 'analytics:read'],
};

export type Principal = {
  tenantId: string;
  /** "user:<id>" or "apikey:<id>": who, for the audit log. */
  actor: string;
  userId?: string;
  username?: string;
  roles: Role[];
};

export function can(p: Principal, perm: Permission): boolean {
  return p.roles.some((r) => ROLE_PERMISSIONS[r]?.includes(perm));
}
