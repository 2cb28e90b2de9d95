import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { LockOutlined, BankOutlined, UserOutlined } from '@ant-design/icons';
import { ApiError } from '../../shared/api.ts';
import { useI18n } from '../../shared/i18n.tsx';
import { signIn } from './use-session.ts';

type Values = { tenant: string; username: string; password: string };

/** Sign-in for agents and supervisors: organisation (tenant slug), username, password. */
export function SignInPage() {
  const { t, locale, setLocale } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onFinish = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(v.tenant.trim(), v.username.trim(), v.password);
    } catch (e) {
      const err = e as ApiError;
      setError(err.status === 401 || err.code === 'unauthorized' ? t('auth.badCredentials') : err.code === 'rate_limited' ? t('auth.rateLimited') : err.status === 0 ? t('app.networkError') : t('app.error', { message: err.message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin-page">
      <div className="signin-lang">
        <Segmented size="small" value={locale} onChange={(v) => setLocale(v as typeof locale)} options={[{ label: '中文', value: 'zh-CN' }, { label: 'EN', value: 'en-US' }]} />
      </div>
      <Card className="signin-card" variant="borderless">
        <div className="signin-brand">
          <div className="brand-mark">灵</div>
          <div>
            <Typography.Title level={4} style={{ margin: 0 }}>{t('auth.title')}</Typography.Title>
            <Typography.Text type="secondary">{t('auth.subtitle')}</Typography.Text>
          </div>
        </div>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form<Values> layout="vertical" initialValues={{ tenant: 'demo' }} onFinish={onFinish} requiredMark={false} size="large">
          <Form.Item name="tenant" label={t('auth.tenant')} rules={[{ required: true, message: t('auth.required', { field: t('auth.tenant') }) }]}>
            <Input prefix={<BankOutlined />} autoComplete="organization" />
          </Form.Item>
          <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, message: t('auth.required', { field: t('auth.username') }) }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus id="username" />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.required', { field: t('auth.password') }) }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" id="password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>{t('auth.signIn')}</Button>
        </Form>
        <Typography.Paragraph type="secondary" className="signin-footer">{t('auth.footer')}</Typography.Paragraph>
      </Card>
    </div>
  );
}
