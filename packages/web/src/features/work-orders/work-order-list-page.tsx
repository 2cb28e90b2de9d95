import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Checkbox, Input, Segmented, Select, Space, Table, Typography, type TableProps } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { pickLabel, useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { Link, navigate } from '../../shared/router.tsx';
import { PriorityTag, SlaBadge, StatusTag } from './labels.tsx';
import { WorkOrderFormModal } from './work-order-form-modal.tsx';
import { PRIORITIES, STATUSES, workOrdersApi, type ListFilter, type WorkOrder, type WorkOrderType } from './work-orders-api.ts';

const PAGE = 20;

/** 工单列表: search, filters (status, priority, type, assignee, SLA breached), paged table. */
export function WorkOrderListPage() {
  const { t, locale } = useI18n();
  const [filter, setFilter] = useState<ListFilter>({ status: ['new', 'in_progress', 'pending_customer'], assignee: undefined, limit: PAGE, offset: 0 });
  const [q, setQ] = useState('');
  const [data, setData] = useState<{ items: WorkOrder[]; total: number } | null>(null);
  const [types, setTypes] = useState<WorkOrderType[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await workOrdersApi.list(filter));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [filter]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    workOrdersApi.types().then(setTypes, () => undefined);
  }, []);

  const set = (patch: Partial<ListFilter>) => setFilter((f) => ({ ...f, ...patch, offset: 0 }));

  return (
    <div className="page">
      <Card size="small" className="filter-card">
        <div className="filter-bar">
          <Input.Search
            allowClear
            placeholder={t('wo.searchPlaceholder')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={(v) => set({ q: v })}
            style={{ width: 250 }}
            data-testid="wo-search"
          />
          <Select
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            placeholder={t('wo.status')}
            value={filter.status}
            onChange={(v) => set({ status: v })}
            options={STATUSES.map((s) => ({ value: s, label: t(`wo.status.${s}`) }))}
            style={{ width: 230 }}
          />
          <Select mode="multiple" allowClear maxTagCount="responsive" placeholder={t('wo.priority')} value={filter.priority} onChange={(v) => set({ priority: v })} options={PRIORITIES.map((p) => ({ value: p, label: t(`wo.priority.${p}`) }))} style={{ width: 140 }} />
          <Select allowClear placeholder={t('wo.type')} value={filter.typeId} onChange={(v) => set({ typeId: v })} options={types.map((x) => ({ value: x.id, label: pickLabel(x.name, locale) }))} style={{ width: 130 }} />
          <Segmented
            value={filter.assignee ?? 'all'}
            onChange={(v) => set({ assignee: v === 'all' ? undefined : (v as string) })}
            options={[{ value: 'all', label: t('wo.assignee.all') }, { value: 'me', label: t('wo.assignee.me') }, { value: 'none', label: t('wo.assignee.none') }]}
          />
          <Checkbox checked={!!filter.breached} onChange={(e) => set({ breached: e.target.checked || undefined })}>{t('wo.onlyBreached')}</Checkbox>
        </div>
      </Card>
      {error && <Alert type="error" showIcon message={error} />}
      <Card
        size="small"
        className="table-card"
        title={t('wo.list')}
        extra={
          <Space>
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
            <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('wo.new')}</Button>
          </Space>
        }
      >
        <WorkOrderTable
          items={data?.items ?? []}
          loading={loading}
          pagination={{
            current: filter.offset / PAGE + 1,
            pageSize: PAGE,
            total: data?.total ?? 0,
            showSizeChanger: false,
            showTotal: (n) => t('wo.total', { n }),
            onChange: (page) => setFilter((f) => ({ ...f, offset: (page - 1) * PAGE })),
          }}
        />
      </Card>
      <WorkOrderFormModal open={creating} onClose={() => setCreating(false)} onCreated={(w) => navigate(`/work-orders/${encodeURIComponent(w.id)}`)} />
    </div>
  );
}

/** The work orders table (list and SLA view). */
export function WorkOrderTable({ items, loading, pagination, empty }: { items: WorkOrder[]; loading: boolean; pagination: TableProps<WorkOrder>['pagination']; empty?: string }) {
  const { t, locale } = useI18n();
  return (
    <Table<WorkOrder>
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={items}
      pagination={pagination}
      locale={{ emptyText: empty ?? t('wo.empty') }}
      onRow={(w) => ({ onClick: () => navigate(`/work-orders/${encodeURIComponent(w.id)}`), className: 'clickable-row' })}
      scroll={{ x: 1000 }}
      columns={[
        { title: t('wo.number'), dataIndex: 'number', width: 170, render: (n: string, w) => <Link to={`/work-orders/${encodeURIComponent(w.id)}`} onClick={(e) => e.stopPropagation()}>{n}</Link> },
        { title: t('wo.subject'), dataIndex: 'title', ellipsis: true, render: (v: string) => <Typography.Text ellipsis={{ tooltip: v }}>{v}</Typography.Text> },
        { title: t('wo.type'), dataIndex: 'typeName', width: 100, render: (_: unknown, w) => pickLabel(w.typeName, locale) || w.typeId },
        { title: t('wo.priority'), dataIndex: 'priority', width: 80, render: (_: unknown, w) => <PriorityTag p={w.priority} /> },
        { title: t('wo.status'), dataIndex: 'status', width: 110, render: (_: unknown, w) => <StatusTag s={w.status} /> },
        { title: t('wo.assignee'), dataIndex: 'assignee', width: 110, render: (_: unknown, w) => w.assignee?.displayName ?? w.assigneeGroup ?? <Typography.Text type="secondary">{t('wo.assignee.none')}</Typography.Text> },
        { title: t('wo.sla'), dataIndex: 'sla', width: 150, render: (_: unknown, w) => <SlaBadge w={w} /> },
        { title: t('wo.created'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v, locale) },
      ]}
    />
  );
}
