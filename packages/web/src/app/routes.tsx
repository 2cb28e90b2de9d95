import { AlertOutlined, CustomerServiceOutlined, DashboardOutlined, ProfileOutlined, SolutionOutlined } from '@ant-design/icons';
import { WorkbenchPage } from '../features/workbench/workbench-page.tsx';
import { SupervisorPage } from '../features/supervisor/supervisor-page.tsx';
import { WorkOrderListPage } from '../features/work-orders/work-order-list-page.tsx';
import { WorkOrderDetailPage } from '../features/work-orders/work-order-detail-page.tsx';
import { SlaBreachPage } from '../features/work-orders/sla-breach-page.tsx';

import { STAFF, type AppRoute } from './route-types.ts';
import { routes as knowledgeRoutes } from '../features/knowledge/routes.tsx';
import { routes as flowRoutes } from '../features/flows/routes.tsx';
import { routes as testConsoleRoutes } from '../features/test-console/routes.tsx';
import { routes as learningRoutes } from '../features/learning/routes.tsx';
import { routes as analyticsRoutes } from '../features/analytics/routes.tsx';
import { routes as conversationRoutes } from '../features/conversations/routes.tsx';
import { routes as adminRoutes } from '../features/admin/routes.tsx';

export type { AppRoute };

/** The app's screens in side-menu order: the agents' and supervisors' screens, then the operations console. */

const SERVICE_ROUTES: AppRoute[] = [
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

export const ROUTES: AppRoute[] = [
  ...SERVICE_ROUTES,
  ...knowledgeRoutes,
  ...flowRoutes,
  ...testConsoleRoutes,
  ...learningRoutes,
  ...analyticsRoutes,
  ...conversationRoutes,
  ...adminRoutes,
];
