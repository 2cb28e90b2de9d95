import { useEffect, useMemo } from 'react';
import { App as AntApp, ConfigProvider, theme as antTheme } from 'antd';
import zhCN from 'antd/es/locale/zh_CN';
import enUS from 'antd/es/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';
import { I18nProvider, useI18n } from '../shared/i18n.tsx';
import { navigate, usePath } from '../shared/router.tsx';
import { hasRole } from '../shared/session.ts';
import { SignInPage } from '../features/auth/sign-in-page.tsx';
import { useSession } from '../features/auth/use-session.ts';
import { agentStore } from '../features/workbench/use-workbench.ts';
import { unlockAudio } from '../shared/notify.ts';
import { AppLayout } from './app-layout.tsx';

export function App() {
  return (
    <I18nProvider>
      <Themed />
    </I18nProvider>
  );
}

function Themed() {
  const { locale } = useI18n();
  useEffect(() => {
    dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <ConfigProvider
      locale={locale === 'zh-CN' ? zhCN : enUS}
      theme={{
        algorithm: antTheme.defaultAlgorithm,
        token: { colorPrimary: '#1668dc', borderRadius: 4, fontSize: 13, colorBgLayout: '#f0f2f5' },
        components: { Layout: { headerHeight: 48, headerPadding: '0 16px', siderBg: '#001529' }, Menu: { darkItemBg: '#001529', darkSubMenuItemBg: '#000c17' } },
      }}
    >
      <AntApp notification={{ placement: 'topRight', top: 56 }} message={{ top: 56, maxCount: 3 }}>
        <Shell />
      </AntApp>
    </ConfigProvider>
  );
}

function Shell() {
  const session = useSession();
  const path = usePath();
  const user = session?.user;

  // The agent's socket lives as long as the session, on every page.
  useEffect(() => {
    if (!session || !hasRole(session.user, 'agent', 'supervisor', 'admin')) return;
    agentStore.start(session.token);
    return () => agentStore.stop();
  }, [session?.token]);

  // Audio may start only after a gesture; activity also keeps the agent from turning `away`.
  useEffect(() => {
    const onAct = () => {
      unlockAudio();
      agentStore.markActivity();
    };
    window.addEventListener('pointerdown', onAct);
    window.addEventListener('keydown', onAct);
    const onOnline = () => agentStore.reconnectNow();
    window.addEventListener('online', onOnline);
    return () => {
      window.removeEventListener('pointerdown', onAct);
      window.removeEventListener('keydown', onAct);
      window.removeEventListener('online', onOnline);
    };
  }, []);

  // Signed out, any URL shows the sign-in form and, once signed in, the screen it named.
  useEffect(() => {
    if (session && path === '/login') navigate('/', { replace: true });
  }, [session, path]);

  const content = useMemo(() => (session && user ? <AppLayout user={user} path={path} /> : <SignInPage />), [session, user, path]);
  return content;
}
