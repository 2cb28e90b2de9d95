import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Modal, Space, Switch, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { adminApi, errorText, type Bot, type Channel } from './admin-api.ts';
import { FormError, useRequest } from './use-request.tsx';

const KNOWN_TYPES = ['wechat', 'wecom', 'wecom_kf', 'sms', 'rcs', 'app', 'email', 'web'];

/** 渠道设置: channel endpoints with type, enable/disable, settings; credentials are write-only. */
export function ChannelsPage() {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [items, setItems] = useState<Channel[]>([]);
  const [bots, setBots] = useState<Bot[]>([]);
  const { busy: loading, error, run } = useRequest();
  const [editing, setEditing] = useState<Channel | null>(null);
  const typeLabel = (type: string) => (KNOWN_TYPES.includes(type) ? t(`adm.ch.type.${type}` as MessageKey) : type);

  const load = useCallback(() => run(async () => {
    const [c, b] = await Promise.all([adminApi.channels(), adminApi.bots()]);
    setItems(c);
    setBots(b);
  }), [run]);
  useEffect(() => void load(), [load]);

  const toggle = async (c: Channel, enabled: boolean) => {
    try {
      const saved = await adminApi.patchChannel(c.id, { enabled });
      setItems((xs) => xs.map((x) => (x.id === saved.id ? saved : x)));
      message.success(t('app.saved'));
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div className="page">
      {error && <Alert type="error" showIcon message={error} />}
      <Card size="small" className="table-card" title={t('adm.ch.title')} extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>}>
        <Table<Channel>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={items}
          locale={{ emptyText: t('adm.ch.empty') }}
          pagination={{ pageSize: 20, showSizeChanger: false }}
          scroll={{ x: 950 }}
          columns={[
            { title: t('adm.ch.type'), dataIndex: 'type', width: 150, render: (v: string) => <Tag color="geekblue">{typeLabel(v)}</Tag> },
            { title: t('adm.ch.name'), dataIndex: 'name', ellipsis: true },
            { title: t('adm.ch.bot'), dataIndex: 'botId', width: 160, ellipsis: true, render: (id: string) => bots.find((b) => b.id === id)?.name ?? id },
            { title: t('adm.ch.secrets'), dataIndex: 'secrets', width: 200, render: (s: Record<string, 'set'>) => Object.keys(s).map((k) => <Tag key={k}>{k}: {t('adm.ch.secretSet')}</Tag>) },
            { title: t('adm.ch.webhook'), dataIndex: 'webhookPath', width: 220, ellipsis: true, render: (v: string) => <Typography.Text code copyable={{ text: v }} style={{ fontSize: 12 }}>{v}</Typography.Text> },
            { title: t('adm.status'), dataIndex: 'enabled', width: 80, render: (v: boolean, c) => <Switch size="small" checked={v} onChange={(on) => void toggle(c, on)} data-testid={`ch-enabled-${c.name}`} /> },
            { title: t('adm.actions'), key: 'a', width: 80, render: (_: unknown, c) => <Button size="small" type="link" onClick={() => setEditing(c)} data-testid={`ch-edit-${c.name}`}>{t('adm.edit')}</Button> },
          ]}
        />
      </Card>
      <ChannelModal channel={editing} onClose={() => setEditing(null)} onSaved={(c) => { setItems((xs) => xs.map((x) => (x.id === c.id ? c : x))); setEditing(null); }} />
    </div>
  );
}

function ChannelModal({ channel, onClose, onSaved }: { channel: Channel | null; onClose(): void; onSaved(c: Channel): void }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [name, setName] = useState('');
  const [pub, setPub] = useState('{}');
  // New values typed by the administrator; existing values are never loaded into the page.
  const [secrets, setSecrets] = useState<Record<string, string | null>>({});
  const [newKey, setNewKey] = useState('');
  const { busy, error, setError, run } = useRequest();
  useEffect(() => {
    if (channel) {
      setName(channel.name);
      setPub(JSON.stringify(channel.public, null, 2));
      setSecrets({});
      setNewKey('');
      setError(null);
    }
  }, [channel]);
  if (!channel) return null;
  const names = [...new Set([...Object.keys(channel.secrets), ...Object.keys(secrets)])];

  const save = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(pub);
    } catch {
      parsed = null;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      setError(t('adm.ch.publicInvalid'));
      return;
    }
    const changed = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v === null || v !== ''));
    await run(async () => {
      const saved = await adminApi.patchChannel(channel.id, { name: name.trim() || undefined, public: parsed as Record<string, unknown>, ...(Object.keys(changed).length ? { secrets: changed } : {}) });
      message.success(t('app.saved'));
      onSaved(saved);
    });
  };

  return (
    <Modal open title={t('adm.ch.edit', { name: channel.name })} onCancel={onClose} onOk={() => void save()} confirmLoading={busy} okText={t('adm.save')} cancelText={t('app.cancel')} width={620}>
      <FormError error={error} />
      <Form layout="vertical">
        <Form.Item label={t('adm.ch.name')}>
          <Input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </Form.Item>
        <Form.Item label={t('adm.ch.public')}>
          <Input.TextArea value={pub} onChange={(e) => setPub(e.target.value)} autoSize={{ minRows: 3, maxRows: 10 }} style={{ fontFamily: 'monospace', fontSize: 12 }} />
        </Form.Item>
        <Form.Item label={t('adm.ch.secrets')} extra={t('adm.ch.secretsHint')}>
          <Space direction="vertical" style={{ width: '100%' }}>
            {names.map((k) => (
              <Space.Compact key={k} style={{ width: '100%' }}>
                <Input readOnly value={k} style={{ width: 160 }} />
                <Input.Password
                  data-testid={`ch-secret-${k}`}
                  autoComplete="new-password"
                  disabled={secrets[k] === null}
                  placeholder={channel.secrets[k] ? `${t('adm.ch.secretSet')} · ${t('adm.ch.secretReplace')}` : ''}
                  value={secrets[k] ?? ''}
                  onChange={(e) => setSecrets({ ...secrets, [k]: e.target.value })}
                />
                <Button icon={<DeleteOutlined />} danger={secrets[k] !== null} onClick={() => setSecrets({ ...secrets, [k]: secrets[k] === null ? '' : null })} title={t('adm.ch.secretRemove')} />
              </Space.Compact>
            ))}
            <Space.Compact style={{ width: '100%' }}>
              <Input placeholder={t('adm.ch.secretAdd')} value={newKey} onChange={(e) => setNewKey(e.target.value.replace(/\s/g, ''))} style={{ width: 220 }} maxLength={64} />
              <Button icon={<PlusOutlined />} disabled={!newKey || names.includes(newKey)} onClick={() => { setSecrets({ ...secrets, [newKey]: '' }); setNewKey(''); }} />
            </Space.Compact>
          </Space>
        </Form.Item>
      </Form>
    </Modal>
  );
}
