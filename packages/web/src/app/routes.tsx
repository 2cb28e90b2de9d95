import type { ReactNode } from 'react';
import { AlertOutlined, CustomerServiceOutlined, DashboardOutlined, ProfileOutlined, SolutionOutlined } from '@ant-design/icons';
import type { MessageKey } from '../shared/messages.ts';
import type { Role } from '../shared/session.ts';
import { WorkbenchPage } from '../features/workbench/workbench-page.tsx';
import { SupervisorPage } from '../features/supervisor/supervisor-page.tsx';
import { WorkOrderListPage } from '../features/work-orders/work-order-list-page.tsx';
import { WorkOrderDetailPage } from '../features/work-orders/work-order-detail-page.tsx';
import { SlaBreachPage } from '../features/work-orders/sla-breach-page.tsx';

/**
 * The app's screens: path (under /workbench), who may open it, and where it sits in the side menu. The operations
 * console (knowledge, flows, analytics…) adds its feature pages here the same way.
 */
export type AppRoute = {
  path: string;
  title: MessageKey;
  roles: Role[];
  render(params: Record<string, string>): ReactNode;
  /** Full-height screen without page padding (the workbench). */
  fill?: boolean;
  menu?: { key: string; icon: ReactNode; group?: { key: string; title: MessageKey; icon: ReactNode } };
};

const STAFF: Role[] = ['agent', 'supervisor', 'admin'];

export const ROUTES: AppRoute[] = [
  { path: '/', title: 'app.menu.workbench', roles: STAFF, fill: true, render: () => <WorkbenchPage />, menu: { key: '/', icon: <CustomerServiceOutlined /> } },
  { path: '/supervisor', title: 'app.menu.supervisor', roles: ['supervisor', 'admin'], render: () => <SupervisorPage />, menu: { key: '/supervisor', icon: <DashboardOutlined /> } },
  {
    path: '/work-orders', title: 'app.menu.workOrderList', roles: STAFF, render: () => <WorkOrderListPage />,
    menu: { key: '/work-orders', icon: <ProfileOutlined />, group: { key: 'wo', title: 'app.menu.workOrders', icon: <SolutionOutlined /> } },
  },
  {
    path: '/work-orders/sla', title: 'app.menu.slaBreaches', roles: STAFF, render: () => <SlaBreachPage />,
    menu: { key: '/work-orders/sla', icon: <AlertOutlined />, group: { key: 'wo', title: 'app.menu.workOrders', icon: <SolutionOutlined /> } },
  },
  { path: '/work-orders/:id', title: 'app.menu.workOrders', roles: STAFF, render: (p) => <WorkOrderDetailPage id={p.id} /> },
];
