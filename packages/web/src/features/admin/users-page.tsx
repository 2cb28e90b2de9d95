import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { KeyOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { loadSession, type Role } from '../../shared/session.ts';
import { adminApi, errorText, ROLES, type User } from './admin-api.ts';
import { FormError, useRequest } from './use-request.tsx';

/** A random temporary password an administrator can hand over (12 characters, no look-alikes). */
export function randomPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => alphabet[b % alphabet.length]).join('');
}

/** 用户管理: table, create, edit roles, disable/enable, reset password. */
export function UsersPage() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const me = loadSession()?.user.id;
  const [users, setUsers] = useState<User[]>([]);
  const [q, setQ] = useState('');
  const { busy: loading, error, run } = useRequest();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);

  const load = useCallback(() => run(async () => {
    setUsers(await adminApi.users());
  }), [run]);
  useEffect(() => void load(), [load]);

  const shown = useMemo(() => {
    const s = q.trim().toLowerCase();
    return s ? users.filter((u) => u.username.toLowerCase().includes(s) || u.displayName.toLowerCase().includes(s)) : users;
  }, [users, q]);

  const toggle = async (u: User) => {
    try {
      await adminApi.patchUser(u.id, { disabled: !u.disabled });
      message.success(t('app.saved'));
      await load();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div className="page">
      {error && <Alert type="error" showIcon message={error} />}
      <Card
        size="small"
        className="table-card"
        title={t('adm.users.title')}
        extra={
          <Space>
            <Input.Search allowClear placeholder={t('adm.users.search')} value={q} onChange={(e) => setQ(e.target.value)} style={{ width: 220 }} size="small" />
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
            <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="user-new">{t('adm.users.new')}</Button>
          </Space>
        }
      >
        <Table<User>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={shown}
          scroll={{ x: 900 }}
          pagination={{ pageSize: 20, showSizeChanger: false, showTotal: (n) => t('adm.users.total', { n }) }}
          columns={[
            {
              title: t('adm.users.username'), dataIndex: 'username', width: 160,
              render: (v: string, u) => <Typography.Text strong>{v}{u.id === me && <Typography.Text type="secondary">{t('adm.users.you')}</Typography.Text>}</Typography.Text>,
            },
            { title: t('adm.users.displayName'), dataIndex: 'displayName', width: 160, ellipsis: true },
            { title: t('adm.users.roles'), dataIndex: 'roles', render: (rs: Role[]) => rs.map((r) => <Tag key={r} color={r === 'admin' ? 'gold' : 'blue'}>{t(`app.role.${r}`)}</Tag>) },
            { title: t('adm.status'), dataIndex: 'disabled', width: 90, render: (d: boolean) => (d ? <Tag>{t('adm.disabled')}</Tag> : <Tag color="green">{t('adm.enabled')}</Tag>) },
            { title: t('adm.createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v, locale) },
            {
              title: t('adm.actions'), key: 'actions', width: 260, fixed: 'right',
              render: (_: unknown, u) => {
                const self = u.id === me;
                return (
                  <Space size={4} data-testid={`user-actions-${u.username}`}>
                    <Button size="small" type="link" onClick={() => setEditing(u)}>{t('adm.users.editRoles')}</Button>
                    <Button size="small" type="link" icon={<KeyOutlined />} onClick={() => setResetting(u)}>{t('adm.users.resetPassword')}</Button>
                    {u.disabled ? (
                      <Button size="small" type="link" onClick={() => void toggle(u)}>{t('adm.users.enable')}</Button>
                    ) : (
                      <Tooltip title={self ? t('adm.users.selfHint') : undefined}>
                        <Popconfirm title={t('adm.users.disableConfirm', { name: u.username })} onConfirm={() => toggle(u)} disabled={self} okText={t('app.ok')} cancelText={t('app.cancel')}>
                          <Button size="small" type="link" danger disabled={self}>{t('adm.users.disable')}</Button>
                        </Popconfirm>
                      </Tooltip>
                    )}
                  </Space>
                );
              },
            },
          ]}
        />
      </Card>
      <CreateUserModal open={creating} onClose={() => setCreating(false)} onDone={() => { setCreating(false); void load(); }} />
      <RolesModal user={editing} self={editing?.id === me} onClose={() => setEditing(null)} onDone={() => { setEditing(null); void load(); }} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </div>
  );
}

function RoleChecks({ value, onChange, lockAdmin }: { value?: Role[]; onChange?: (v: Role[]) => void; lockAdmin?: boolean }) {
  const { t } = useI18n();
  return (
    <Checkbox.Group value={value} onChange={(v) => onChange?.(v as Role[])} style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', rowGap: 6 }}>
      {ROLES.map((r) => <Checkbox key={r} value={r} disabled={lockAdmin && r === 'admin'} data-testid={`role-${r}`}>{t(`app.role.${r}`)}</Checkbox>)}
    </Checkbox.Group>
  );
}

function CreateUserModal({ open, onClose, onDone }: { open: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ username: string; displayName?: string; password: string; roles: Role[] }>();
  const { busy, error, setError, run } = useRequest();
  useEffect(() => {
    if (open) {
      form.resetFields();
      setError(null);
    }
  }, [open, form]);
  const submit = async () => {
    const v = await form.validateFields();
    await run(async () => {
      await adminApi.createUser({ ...v, displayName: v.displayName || undefined });
      message.success(t('adm.users.created'));
      onDone();
    });
  };
  return (
    <Modal open={open} title={t('adm.users.new')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} okText={t('adm.create')} cancelText={t('app.cancel')}>
      <FormError error={error} />
      <Form form={form} layout="vertical" initialValues={{ roles: ['agent'] }}>
        <Form.Item name="username" label={t('adm.users.username')} rules={[{ required: true, min: 3, max: 64, pattern: /^[A-Za-z0-9_.@-]+$/ }]}>
          <Input autoComplete="off" data-testid="new-username" />
        </Form.Item>
        <Form.Item name="displayName" label={t('adm.users.displayName')} rules={[{ max: 100 }]}>
          <Input data-testid="new-displayname" />
        </Form.Item>
        <Form.Item name="password" label={t('adm.users.password')} extra={t('adm.users.passwordHint')} rules={[{ required: true, min: 8, max: 200 }]}>
          <Input.Password autoComplete="new-password" data-testid="new-password" addonAfter={<a onClick={() => form.setFieldValue('password', randomPassword())}>{t('adm.users.generate')}</a>} />
        </Form.Item>
        <Form.Item name="roles" label={t('adm.users.roles')} rules={[{ required: true, type: 'array', min: 1 }]}>
          <RoleChecks />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RolesModal({ user, self, onClose, onDone }: { user: User | null; self: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [roles, setRoles] = useState<Role[]>([]);
  const [displayName, setDisplayName] = useState('');
  const { busy, error, setError, run } = useRequest();
  useEffect(() => {
    if (user) {
      setRoles(user.roles);
      setDisplayName(user.displayName);
      setError(null);
    }
  }, [user]);
  const submit = async () => {
    if (!user) return;
    await run(async () => {
      await adminApi.patchUser(user.id, { roles, ...(displayName.trim() && displayName !== user.displayName ? { displayName: displayName.trim() } : {}) });
      message.success(t('app.saved'));
      onDone();
    });
  };
  return (
    <Modal open={!!user} title={`${t('adm.users.editRoles')} · ${user?.username ?? ''}`} onCancel={onClose} onOk={() => void submit()} okButtonProps={{ disabled: roles.length === 0 }} confirmLoading={busy} okText={t('adm.save')} cancelText={t('app.cancel')}>
      <FormError error={error} />
      {self && <Alert type="info" showIcon message={t('adm.users.selfHint')} style={{ marginBottom: 12 }} />}
      <Form layout="vertical">
        <Form.Item label={t('adm.users.displayName')}>
          <Input value={displayName} maxLength={100} onChange={(e) => setDisplayName(e.target.value)} />
        </Form.Item>
        <Form.Item label={t('adm.users.roles')}>
          <RoleChecks value={roles} onChange={setRoles} lockAdmin={self} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: User | null; onClose(): void }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [password, setPassword] = useState('');
  const { busy, error, setError, run } = useRequest();
  useEffect(() => {
    if (user) {
      setPassword(randomPassword());
      setError(null);
    }
  }, [user]);
  const submit = async () => {
    if (!user) return;
    await run(async () => {
      await adminApi.resetPassword(user.id, password);
      message.success(t('adm.users.resetDone'));
      onClose();
    });
  };
  return (
    <Modal open={!!user} title={t('adm.users.resetTitle', { name: user?.username ?? '' })} onCancel={onClose} onOk={() => void submit()} okButtonProps={{ disabled: password.length < 8 }} confirmLoading={busy} okText={t('adm.save')} cancelText={t('app.cancel')}>
      <FormError error={error} />
      <Form layout="vertical">
        <Form.Item label={t('adm.users.tempPassword')} extra={t('adm.users.passwordHint')}>
          <Space.Compact style={{ width: '100%' }}>
            <Input value={password} onChange={(e) => setPassword(e.target.value)} data-testid="temp-password" style={{ fontFamily: 'monospace' }} />
            <Button onClick={() => setPassword(randomPassword())}>{t('adm.users.generate')}</Button>
            <Typography.Text copyable={{ text: password }} style={{ padding: '4px 8px' }} />
          </Space.Compact>
        </Form.Item>
      </Form>
    </Modal>
  );
}
