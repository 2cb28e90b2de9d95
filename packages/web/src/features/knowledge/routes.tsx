import { BookOutlined, CloudUploadOutlined, FileTextOutlined, HistoryOutlined } from '@ant-design/icons';
import type { AppRoute } from '../../app/route-types.ts';
import type { Role } from '../../shared/session.ts';
import { KnowledgePage } from './knowledge-page.tsx';
import { VersionsPage } from './versions-page.tsx';
import { ImportPage } from './import-page.tsx';

/** Knowledge operators edit, supervisors review (kb:review), admins do both. */
const KB_ROLES: Role[] = ['admin', 'knowledge_operator', 'supervisor'];
const group = { key: 'kb', title: 'kb.menu' as const, icon: <BookOutlined /> };

/** This feature's screens in the console (merged into app/routes.tsx). */
export const routes: AppRoute[] = [
  { path: '/knowledge', title: 'kb.menu.entries', roles: KB_ROLES, render: () => <KnowledgePage />, menu: { key: '/knowledge', icon: <FileTextOutlined />, group } },
  { path: '/knowledge/versions', title: 'kb.menu.versions', roles: KB_ROLES, render: () => <VersionsPage />, menu: { key: '/knowledge/versions', icon: <HistoryOutlined />, group } },
  { path: '/knowledge/import', title: 'kb.menu.import', roles: ['admin', 'knowledge_operator'], render: () => <ImportPage />, menu: { key: '/knowledge/import', icon: <CloudUploadOutlined />, group } },
];
