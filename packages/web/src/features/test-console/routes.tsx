import { ExperimentOutlined } from '@ant-design/icons';
import type { AppRoute } from '../../app/route-types.ts';
import { TestConsolePage } from './test-console-page.tsx';

/** This feature's screens in the console (merged into app/routes.tsx). */
export const routes: AppRoute[] = [
  { path: '/test-console', title: 'tc.menu', roles: ['admin', 'knowledge_operator'], render: () => <TestConsolePage />, menu: { key: '/test-console', icon: <ExperimentOutlined /> } },
];
