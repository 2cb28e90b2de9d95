import { ApiOutlined, AuditOutlined, KeyOutlined, RobotOutlined, SafetyCertificateOutlined, SettingOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import type { AppRoute } from '../../app/route-types.ts';
import { UsersPage } from './users-page.tsx';
import { RolesPage } from './roles-page.tsx';
import { GroupsPage } from './groups-page.tsx';
import { ApiKeysPage } from './api-keys-page.tsx';
import { ChannelsPage } from './channels-page.tsx';
import { BotSettingsPage } from './bot-settings-page.tsx';
import { AuditLogPage } from './audit-log-page.tsx';
import './admin.css';

const group = { key: 'adm', title: 'adm.menu' as const, icon: <SettingOutlined /> };

/** This feature's screens in the console (merged into app/routes.tsx): 系统管理, admins only (supervisors see skill groups). */
export const routes: AppRoute[] = [
  { path: '/admin/users', title: 'adm.menu.users', roles: ['admin'], render: () => <UsersPage />, menu: { key: '/admin/users', icon: <UserOutlined />, group } },
  { path: '/admin/roles', title: 'adm.menu.roles', roles: ['admin'], render: () => <RolesPage />, menu: { key: '/admin/roles', icon: <SafetyCertificateOutlined />, group } },
  { path: '/admin/groups', title: 'adm.menu.groups', roles: ['admin', 'supervisor'], render: () => <GroupsPage />, menu: { key: '/admin/groups', icon: <TeamOutlined />, group } },
  { path: '/admin/api-keys', title: 'adm.menu.apiKeys', roles: ['admin'], render: () => <ApiKeysPage />, menu: { key: '/admin/api-keys', icon: <KeyOutlined />, group } },
  { path: '/admin/channels', title: 'adm.menu.channels', roles: ['admin'], render: () => <ChannelsPage />, menu: { key: '/admin/channels', icon: <ApiOutlined />, group } },
  { path: '/admin/bot', title: 'adm.menu.bot', roles: ['admin'], render: () => <BotSettingsPage />, menu: { key: '/admin/bot', icon: <RobotOutlined />, group } },
  { path: '/admin/audit', title: 'adm.menu.audit', roles: ['admin'], render: () => <AuditLogPage />, menu: { key: '/admin/audit', icon: <AuditOutlined />, group } },
];
