import { BarChartOutlined, DashboardOutlined } from '@ant-design/icons';
import type { AppRoute } from '../../app/route-types.ts';
import { AnalyticsPage } from './analytics-page.tsx';

/** This feature's screens in the console (merged into app/routes.tsx). */
export const routes: AppRoute[] = [
  {
    path: '/analytics', title: 'an.menu.dashboard', roles: ['admin', 'supervisor', 'analyst'], render: () => <AnalyticsPage />,
    menu: { key: '/analytics', icon: <DashboardOutlined />, group: { key: 'analytics', title: 'an.menu.group', icon: <BarChartOutlined /> } },
  },
];
