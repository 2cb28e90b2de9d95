import { ApartmentOutlined } from '@ant-design/icons';
import type { AppRoute } from '../../app/route-types.ts';
import { FlowListPage } from './flow-list-page.tsx';
import { FlowEditorPage } from './flow-editor-page.tsx';

/** This feature's screens in the console (merged into app/routes.tsx): the flow list and the visual editor. */
export const routes: AppRoute[] = [
  { path: '/flows', title: 'flow.menu', roles: ['admin', 'knowledge_operator'], render: () => <FlowListPage />, menu: { key: '/flows', icon: <ApartmentOutlined /> } },
  { path: '/flows/:bot/:flowId', title: 'flow.editor', roles: ['admin', 'knowledge_operator'], fill: true, render: (p) => <FlowEditorPage key={`${p.bot}/${p.flowId}`} bot={p.bot} flowId={p.flowId} /> },
];
