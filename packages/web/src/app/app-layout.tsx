import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Avatar, Badge, Button, Dropdown, Layout, Menu, Result, Segmented, Space, Tooltip, Typography } from 'antd';
import { LogoutOutlined, MenuFoldOutlined, MenuUnfoldOutlined, UserOutlined } from '@ant-design/icons';
import { useI18n } from '../shared/i18n.tsx';
import { matchPath, navigate } from '../shared/router.tsx';
import { hasRole, type SessionUser } from '../shared/session.ts';
import { signOut } from '../features/auth/use-session.ts';
import { useWorkbench } from '../features/workbench/use-workbench.ts';
import { useWorkbenchAlerts } from '../features/workbench/workbench-page.tsx';
import { NotificationBell } from '../features/work-orders/notification-bell.tsx';
import { ROUTES, type AppRoute } from './routes.tsx';

const { Header, Sider, Content } = Layout;

/** Ant Design Pro-style frame: dark side menu, slim header with live status, bell, language and user. */
export function AppLayout({ user, path }: { user: SessionUser; path: string }) {
  const { t, locale, setLocale } = useI18n();
  const [collapsed, setCollapsed] = useState(false);
  const wb = useWorkbench();
  useWorkbenchAlerts();

  const found = useMemo(() => {
    for (const r of ROUTES) {
      const params = matchPath(r.path, path);
      if (params) return { route: r, params };
    }
    return null;
  }, [path]);

  const menuItems = useMemo(() => {
    const visible = ROUTES.filter((r) => r.menu && hasRole(user, ...r.roles));
    const items: { key: string; icon?: ReactNode; label: string; children?: { key: string; icon?: ReactNode; label: string }[] }[] = [];
    for (const r of visible) {
      const m = r.menu!;
      const item = { key: m.key, icon: m.icon, label: t(r.title) };
      if (!m.group) {
        items.push(item);
        continue;
      }
      let g = items.find((i) => i.key === m.group!.key);
      if (!g) {
        g = { key: m.group.key, icon: m.group.icon, label: t(m.group.title), children: [] };
        items.push(g);
      }
      g.children!.push(item);
    }
    return items;
  }, [user, t]);

  const selectedKey = found?.route.menu?.key ?? (path.startsWith('/work-orders') ? '/work-orders' : path);
  const unread = wb.conversations.reduce((n, c) => n + (c.unread || 0), 0);
  const conn = wb.socket;
  const connColor = conn === 'open' ? 'success' : conn === 'closed' ? 'default' : 'warning';

  return (
    <Layout className="app-frame">
      <Sider collapsible collapsed={collapsed} trigger={null} width={200} collapsedWidth={56} theme="dark">
        <div className="app-logo" onClick={() => navigate('/')}>
          <span className="brand-mark small">灵</span>
          {!collapsed && <span className="app-logo-text">{t('app.product')}</span>}
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[selectedKey]}
          defaultOpenKeys={[found?.route.menu?.group?.key ?? 'wo']}
          items={menuItems.map((i) => (i.key === '/' ? { ...i, label: <Badge count={unread} size="small" offset={[12, 0]}><span style={{ color: 'inherit' }}>{i.label}</span></Badge> } : i))}
          onClick={(e) => navigate(e.key)}
        />
      </Sider>
      <Layout>
        <Header className="app-header">
          <Space size={12}>
            <Button type="text" size="small" icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />} onClick={() => setCollapsed(!collapsed)} aria-label="menu" />
            <Typography.Text strong className="app-header-title">{found ? t(found.route.title) : t('app.notFound')}</Typography.Text>
          </Space>
          <Space size={16} className="app-header-right">
            <Tooltip title={t(`app.conn.${conn}`)}>
              <span className="conn-status" data-status={conn}>
                <Badge status={connColor} text={t(`app.conn.${conn}`)} />
              </span>
            </Tooltip>
            <NotificationBell />
            <Segmented
              size="small"
              value={locale}
              onChange={(v) => setLocale(v as typeof locale)}
              options={[{ label: '中文', value: 'zh-CN' }, { label: 'EN', value: 'en-US' }]}
              aria-label={t('app.lang')}
            />
            <Dropdown
              menu={{
                items: [
                  { key: 'roles', disabled: true, label: `${t('app.roles')}: ${user.roles.map((r) => t(`app.role.${r}`)).join(' / ')}` },
                  { type: 'divider' },
                  { key: 'out', icon: <LogoutOutlined />, label: t('app.signOut'), onClick: () => void signOut() },
                ],
              }}
            >
              <Space size={6} className="app-user" data-testid="user-menu">
                <Avatar size="small" icon={<UserOutlined />} style={{ background: '#1668dc' }} />
                <span>{user.displayName || user.username}</span>
              </Space>
            </Dropdown>
          </Space>
        </Header>
        <Content className={found?.route.fill ? 'app-content fill' : 'app-content'}>
          <RouteView found={found} user={user} />
        </Content>
      </Layout>
    </Layout>
  );
}

function RouteView({ found, user }: { found: { route: AppRoute; params: Record<string, string> } | null; user: SessionUser }) {
  const { t } = useI18n();
  // Users without the workbench (knowledge operators, analysts…) start on their first screen in the menu.
  const home = found?.route.path === '/' && !hasRole(user, ...found.route.roles) ? ROUTES.find((r) => r.menu && hasRole(user, ...r.roles)) : undefined;
  useEffect(() => {
    if (home) navigate(home.path, { replace: true });
  }, [home]);
  if (home) return null;
  if (!found) return <Result status="404" title={t('app.notFound')} extra={<Button type="primary" onClick={() => navigate('/')}>{t('app.backHome')}</Button>} />;
  if (!hasRole(user, ...found.route.roles)) return <Result status="403" title={t('app.forbidden')} extra={<Button onClick={() => navigate('/work-orders')}>{t('wo.list')}</Button>} />;
  return <>{found.route.render(found.params)}</>;
}
