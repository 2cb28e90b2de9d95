import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography, message, type TableProps } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { navigate, useQueryParam } from '../../shared/router.tsx';
import { flowsApi, type Bot, type StoredFlow } from './flows-api.ts';
import { textOf } from './step-node.tsx';

const FLOW_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** 业务流程: a bot's flows (the working copy), with a bot selector when the tenant has several bots. */
export function FlowListPage() {
  const { t, locale } = useI18n();
  const botParam = useQueryParam('bot');
  const [bots, setBots] = useState<Bot[]>([]);
  const [flows, setFlows] = useState<StoredFlow[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<{ id: string; name: string }>();
  const bot = botParam ?? bots[0]?.slug ?? null;

  useEffect(() => {
    flowsApi.bots().then(setBots, (e: Error) => setError(e.message));
  }, []);

  const load = useCallback(async () => {
    if (!bot) return;
    setLoading(true);
    setError(null);
    try {
      setFlows(await flowsApi.list(bot));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [bot]);
  useEffect(() => void load(), [load]);

  const open = (id: string) => bot && navigate(`/flows/${encodeURIComponent(bot)}/${encodeURIComponent(id)}`);
  const remove = async (id: string) => {
    if (!bot) return;
    try {
      await flowsApi.remove(bot, id);
      void message.success(t('flow.list.deleted', { id }));
      await load();
    } catch (e) {
      void message.error((e as Error).message);
    }
  };
  const toggle = async (f: StoredFlow, enabled: boolean) => {
    if (!bot) return;
    try {
      await flowsApi.setEnabled(bot, f.id, enabled);
      await load();
    } catch (e) {
      void message.error((e as Error).message);
    }
  };
  const create = async () => {
    const v = await form.validateFields();
    if (!bot) return;
    setCreating(false);
    form.resetFields();
    navigate(`/flows/${encodeURIComponent(bot)}/${encodeURIComponent(v.id)}?new=1&name=${encodeURIComponent(v.name)}`);
  };

  const columns: TableProps<StoredFlow>['columns'] = [
    {
      title: t('flow.list.name'), key: 'name',
      render: (_, f) => (
        <Space direction="vertical" size={0}>
          <a onClick={() => open(f.id)} data-testid={`flow-open-${f.id}`}>{textOf(f.definition.name, locale) || f.id}</a>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{f.id}</Typography.Text>
        </Space>
      ),
    },
    { title: t('flow.list.phrases'), key: 'phrases', width: 110, align: 'right', render: (_, f) => f.definition.triggers?.phrases?.length ?? 0 },
    { title: t('flow.list.intents'), key: 'intents', width: 180, render: (_, f) => (f.definition.triggers?.intents ?? []).map((i) => <Tag key={i}>{i}</Tag>) },
    { title: t('flow.list.steps'), key: 'steps', width: 90, align: 'right', render: (_, f) => Object.keys(f.definition.steps).length },
    { title: t('flow.list.version'), dataIndex: 'version', width: 80, align: 'right' },
    {
      title: t('flow.list.enabled'), key: 'enabled', width: 90,
      render: (_, f) => <Switch size="small" checked={f.enabled} onChange={(c) => void toggle(f, c)} aria-label={t('flow.list.enabled')} />,
    },
    { title: t('flow.list.updated'), key: 'updated', width: 170, render: (_, f) => formatDateTime(f.updatedAt, locale) },
    {
      title: t('flow.list.actions'), key: 'actions', width: 150,
      render: (_, f) => (
        <Space size={4}>
          <Button size="small" type="link" icon={<EditOutlined />} onClick={() => open(f.id)}>{t('flow.list.edit')}</Button>
          <Popconfirm title={t('flow.list.deleteConfirm', { id: f.id })} description={t('flow.list.deleteHint')} onConfirm={() => void remove(f.id)} okText={t('flow.delete')} cancelText={t('flow.cancel')} okButtonProps={{ danger: true }}>
            <Button size="small" type="link" danger icon={<DeleteOutlined />} data-testid={`flow-delete-${f.id}`}>{t('flow.delete')}</Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <div className="page">
      <Card
        size="small"
        title={t('flow.list.title')}
        extra={
          <Space>
            {bots.length > 1 && (
              <Select size="small" style={{ width: 180 }} value={bot ?? undefined} onChange={(b: string) => navigate(`/flows?bot=${encodeURIComponent(b)}`)}
                options={bots.map((b) => ({ value: b.slug, label: b.name }))} aria-label={t('flow.list.bot')} />
            )}
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()} aria-label={t('flow.list.reload')} />
            <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} disabled={!bot} data-testid="flow-new">{t('flow.list.new')}</Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>{t('flow.list.hint')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} />}
        <Table<StoredFlow> size="small" rowKey="id" loading={loading} columns={columns} dataSource={flows ?? []} pagination={{ pageSize: 20, hideOnSinglePage: true }} scroll={{ x: 1000 }} />
      </Card>
      <Modal open={creating} title={t('flow.list.new')} onOk={() => void create()} onCancel={() => setCreating(false)} okText={t('flow.list.create')} cancelText={t('flow.cancel')} destroyOnClose>
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item name="id" label={t('flow.list.newId')} extra={t('flow.list.newIdHint')}
            rules={[{ required: true, pattern: FLOW_ID, message: t('flow.list.newIdBad') }, {
              validator: (_, v: string) => (flows?.some((f) => f.id === v) ? Promise.reject(new Error(t('flow.list.newIdTaken'))) : Promise.resolve()),
            }]}>
            <Input data-testid="flow-new-id" />
          </Form.Item>
          <Form.Item name="name" label={t('flow.list.newName')} rules={[{ required: true, message: t('flow.list.newNameReq') }]}>
            <Input data-testid="flow-new-name" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
