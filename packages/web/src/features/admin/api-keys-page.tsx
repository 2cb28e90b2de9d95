import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { CopyOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import type { Role } from '../../shared/session.ts';
import { adminApi, errorText, ROLES, type ApiKey } from './admin-api.ts';
import { FormError, useRequest } from './use-request.tsx';

/** API 密钥: list, create (the key is shown once, with a copy button), revoke. */
export function ApiKeysPage() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const { busy: loading, error, run } = useRequest();
  const [creating, setCreating] = useState(false);
  // The new key lives only in this state and the modal showing it (destroyed on close: never left in the DOM).
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);

  const load = useCallback(() => run(async () => {
    setKeys(await adminApi.apiKeys());
  }), [run]);
  useEffect(() => void load(), [load]);

  const revoke = async (k: ApiKey) => {
    try {
      await adminApi.revokeApiKey(k.id);
      message.success(t('adm.keys.revoked'));
      await load();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div className="page">
      <Alert type="info" showIcon message={t('adm.keys.hint')} />
      {error && <Alert type="error" showIcon message={error} />}
      <Card
        size="small"
        className="table-card"
        title={t('adm.keys.title')}
        extra={
          <Space>
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
            <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="key-new">{t('adm.keys.new')}</Button>
          </Space>
        }
      >
        <Table<ApiKey>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={keys}
          pagination={{ pageSize: 20, showSizeChanger: false }}
          scroll={{ x: 800 }}
          columns={[
            { title: t('adm.keys.name'), dataIndex: 'name', ellipsis: true },
            { title: t('adm.keys.prefix'), dataIndex: 'prefix', width: 130, render: (v: string) => <Typography.Text code>{v}…</Typography.Text> },
            { title: t('adm.keys.roles'), dataIndex: 'roles', render: (rs: Role[]) => rs.map((r) => <Tag key={r}>{t(`app.role.${r}`)}</Tag>) },
            { title: t('adm.status'), dataIndex: 'revokedAt', width: 100, render: (v: string | null) => (v ? <Tag>{t('adm.keys.revoked')}</Tag> : <Tag color="green">{t('adm.keys.active')}</Tag>) },
            { title: t('adm.createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v, locale) },
            {
              title: t('adm.actions'), key: 'a', width: 100,
              render: (_: unknown, k) =>
                !k.revokedAt && (
                  <Popconfirm title={t('adm.keys.revokeConfirm', { name: k.name })} onConfirm={() => revoke(k)} okText={t('app.ok')} cancelText={t('app.cancel')}>
                    <Button size="small" type="link" danger data-testid={`key-revoke-${k.name}`}>{t('adm.keys.revoke')}</Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <CreateKeyModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(name, key) => {
          setCreating(false);
          setShown({ name, key });
          void load();
        }}
      />
      <Modal
        open={!!shown}
        title={`${t('adm.keys.created')} · ${shown?.name ?? ''}`}
        onCancel={() => setShown(null)}
        footer={<Button type="primary" onClick={() => setShown(null)} data-testid="key-done">{t('app.close')}</Button>}
        maskClosable={false}
        destroyOnHidden
      >
        <Alert type="warning" showIcon message={t('adm.keys.onceWarning')} style={{ marginBottom: 12 }} />
        <Space.Compact style={{ width: '100%' }}>
          <Input readOnly value={shown?.key ?? ''} data-testid="key-secret" style={{ fontFamily: 'monospace' }} />
          <Button
            icon={<CopyOutlined />}
            data-testid="key-copy"
            onClick={() => {
              if (!shown) return;
              void navigator.clipboard?.writeText(shown.key).then(() => message.success(t('adm.keys.copied')), () => undefined);
            }}
          >
            {t('adm.keys.copy')}
          </Button>
        </Space.Compact>
      </Modal>
    </div>
  );
}

function CreateKeyModal({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(name: string, key: string): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ name: string; roles: Role[] }>();
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
      const k = await adminApi.createApiKey(v);
      onCreated(k.name, k.key);
    });
  };
  return (
    <Modal open={open} title={t('adm.keys.new')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} okText={t('adm.create')} cancelText={t('app.cancel')}>
      <FormError error={error} />
      <Form form={form} layout="vertical" initialValues={{ roles: ['analyst'] }}>
        <Form.Item name="name" label={t('adm.keys.name')} rules={[{ required: true, max: 100 }]}>
          <Input data-testid="key-name" />
        </Form.Item>
        <Form.Item name="roles" label={t('adm.keys.roles')} rules={[{ required: true, type: 'array', min: 1 }]}>
          <Checkbox.Group style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', rowGap: 6 }} options={ROLES.map((r) => ({ value: r, label: t(`app.role.${r}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
