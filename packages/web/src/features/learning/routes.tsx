import { BulbOutlined } from '@ant-design/icons';
import type { AppRoute } from '../../app/route-types.ts';
import { LearningPage } from './learning-page.tsx';

/** This feature's screens in the console (merged into app/routes.tsx). */
export const routes: AppRoute[] = [
  { path: '/learning', title: 'learn.menu', roles: ['admin', 'knowledge_operator'], render: () => <LearningPage />, menu: { key: '/learning', icon: <BulbOutlined /> } },
];
