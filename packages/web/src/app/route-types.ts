import type { ReactNode } from 'react';
import type { MessageKey } from '../shared/messages.ts';
import type { Role } from '../shared/session.ts';

/**
 * One screen of the app: path (under /workbench, `:name` parameters), who may open it, and where it sits in the side
 * menu. Feature folders export their screens as `routes: AppRoute[]` (features/<name>/routes.tsx); app/routes.tsx
 * joins them in menu order.
 */
export type AppRoute = {
  path: string;
  title: MessageKey;
  roles: Role[];
  render(params: Record<string, string>): ReactNode;
  /** Full-height screen without page padding (the workbench, the flow editor). */
  fill?: boolean;
  menu?: { key: string; icon: ReactNode; group?: { key: string; title: MessageKey; icon: ReactNode } };
};

export const STAFF: Role[] = ['agent', 'supervisor', 'admin'];
