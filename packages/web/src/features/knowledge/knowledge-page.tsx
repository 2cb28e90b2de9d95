import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Input, Popconfirm, Select, Space, Table, Tag, TreeSelect, Typography, type TableProps } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { hasRole, loadSession } from '../../shared/session.ts';
import { STATUSES, type BulkAction, type Category, type Entry, type ListQuery, type Validity } from './kb-api.ts';
import { CategoryTree } from './category-tree.tsx';
import { EntryEditor, treeSelectData } from './entry-editor.tsx';
import { categoryTree } from './kb-utils.ts';
import { EntryStatusTag, ValidityTag } from './labels.tsx';
import { BotSelect, useKbBot } from './use-kb-bot.tsx';
import './knowledge.css';

/** 知识条目: category tree beside a searchable, filterable, paged entry list with bulk actions and the editor. */
export function KnowledgePage() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const { bots, bot, setSlug, kb } = useKbBot();
  const user = loadSession()?.user;
  const canWrite = hasRole(user, 'admin', 'knowledge_operator');
  const canReview = hasRole(user, 'admin', 'supervisor');
  const [categories, setCategories] = useState<Category[]>([]);
  const [query, setQuery] = useState<ListQuery>({ page: 1, pageSize: 20, sort: 'updatedAt', order: 'desc' });
  const [q, setQ] = useState('');
  const [data, setData] = useState<{ items: Entry[]; total: number } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [editing, setEditing] = useState<{ id: string | null } | null>(null);
  const [moveTo, setMoveTo] = useState<string | undefined>();
  const [tag, setTag] = useState('');

  const loadCategories = useCallback(() => {
    kb?.categories().then(setCategories, (e: Error) => setError(e.message));
  }, [kb]);
  const load = useCallback(async () => {
    if (!kb) return;
    setLoading(true);
    setError(null);
    try {
      setData(await kb.list(query));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [kb, query]);
  useEffect(() => void load(), [load]);
  useEffect(() => loadCategories(), [loadCategories]);

  const set = (patch: Partial<ListQuery>) => {
    setQuery((f) => ({ ...f, ...patch, page: 1 }));
    setSelected([]);
  };
  const refresh = () => {
    void load();
    loadCategories();
  };
  const tree = useMemo(() => treeSelectData(categoryTree(categories)), [categories]);

  const bulk = async (action: BulkAction, extra: { categoryId?: string | null; tag?: string } = {}) => {
    if (!kb) return;
    try {
      const r = await kb.bulk({ ids: selected, action, ...extra });
      message.success(t('kb.bulk.done', { n: r.changed }));
      setSelected([]);
      setTag('');
      refresh();
    } catch (e) {
      message.error(t('kb.error', { message: (e as Error).message }));
    }
  };

  const columns: TableProps<Entry>['columns'] = [
    {
      title: t('kb.question'), dataIndex: 'question', ellipsis: true, sorter: true, sortOrder: query.sort === 'question' ? (query.order === 'desc' ? 'descend' : 'ascend') : null,
      render: (v: string, e) => (
        <div style={{ minWidth: 0 }}>
          {/* CSS ellipsis (kb-row-question): Typography's measured ellipsis flashes a copy of the text while it measures. */}
          <Typography.Link className="kb-row-question" title={v} onClick={() => setEditing({ id: e.id })} data-testid="kb-row-question">{v}</Typography.Link>
          <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{e.externalId} · {t('kb.similarCount', { n: e.similar.length })}</Typography.Text></div>
        </div>
      ),
    },
    { title: t('kb.category'), dataIndex: 'category', width: 150, ellipsis: true, render: (v: string | null) => v ?? <Typography.Text type="secondary">{t('kb.category.none')}</Typography.Text> },
    { title: t('kb.status'), dataIndex: 'status', width: 90, render: (_: unknown, e) => <EntryStatusTag s={e.status} /> },
    { title: t('kb.tags'), dataIndex: 'tags', width: 150, render: (tags: string[]) => tags.slice(0, 3).map((x) => <Tag key={x} className="tag-tight" bordered={false}>{x}</Tag>) },
    { title: t('kb.validity'), dataIndex: 'validTo', width: 90, render: (_: unknown, e) => <ValidityTag from={e.validFrom} to={e.validTo} /> },
    {
      title: t('kb.updated'), dataIndex: 'updatedAt', width: 140, sorter: true, sortOrder: query.sort === 'updatedAt' ? (query.order === 'desc' ? 'descend' : 'ascend') : null,
      render: (v: string) => formatDateTime(v, locale),
    },
  ];

  return (
    <div className="page">
      <div className="kb-layout">
        {kb && <CategoryTree kb={kb} categories={categories} selected={query.category ?? null} onSelect={(id) => set({ category: id ?? undefined })} onChanged={refresh} canWrite={canWrite} />}
        <div className="kb-main">
          <Card size="small">
            <div className="filter-bar">
              <Input.Search allowClear placeholder={t('kb.search')} value={q} onChange={(e) => setQ(e.target.value)} onSearch={(v) => set({ q: v || undefined })} style={{ width: 260 }} data-testid="kb-search" />
              <Select allowClear placeholder={t('kb.status')} value={query.status} onChange={(v) => set({ status: v })} options={STATUSES.map((s) => ({ value: s, label: t(`kb.status.${s}`) }))} style={{ width: 110 }} data-testid="kb-filter-status" />
              <Input allowClear placeholder={t('kb.tag')} style={{ width: 110 }} onPressEnter={(e) => set({ tag: (e.target as HTMLInputElement).value.trim() || undefined })} onChange={(e) => !e.target.value && query.tag && set({ tag: undefined })} />
              <Select allowClear placeholder={t('kb.validity')} value={query.validity} onChange={(v) => set({ validity: v })} options={(['valid', 'expired', 'future'] as Validity[]).map((v) => ({ value: v, label: t(`kb.validity.${v}`) }))} style={{ width: 110 }} />
              <span className="filter-spacer" />
              <BotSelect bots={bots} bot={bot} onChange={setSlug} />
            </div>
          </Card>
          {error && <Alert type="error" showIcon message={error} />}
          <Card
            size="small"
            title={t('kb.entries')}
            extra={
              <Space>
                <Button size="small" icon={<ReloadOutlined />} onClick={refresh}>{t('kb.refresh')}</Button>
                {canWrite && <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ id: null })} data-testid="kb-new">{t('kb.new')}</Button>}
              </Space>
            }
          >
            {selected.length > 0 && (
              <div className="kb-bulk-bar" data-testid="kb-bulk-bar">
                <Typography.Text strong>{t('kb.selected', { n: selected.length })}</Typography.Text>
                {canWrite && <Button size="small" onClick={() => void bulk('submit')} data-testid="kb-bulk-submit">{t('kb.bulk.submit')}</Button>}
                {canReview && <Button size="small" onClick={() => void bulk('approve')} data-testid="kb-bulk-approve">{t('kb.bulk.approve')}</Button>}
                {canWrite && (
                  <>
                    <Space.Compact size="small">
                      <TreeSelect size="small" allowClear treeDefaultExpandAll value={moveTo} onChange={setMoveTo} treeData={tree} placeholder={t('kb.bulk.move')} style={{ width: 150 }} />
                      <Button size="small" disabled={!moveTo} onClick={() => void bulk('move', { categoryId: moveTo ?? null })}>{t('kb.ok')}</Button>
                    </Space.Compact>
                    <Space.Compact size="small">
                      <Input size="small" value={tag} onChange={(e) => setTag(e.target.value)} placeholder={t('kb.bulk.tagPlaceholder')} style={{ width: 100 }} maxLength={50} />
                      <Button size="small" disabled={!tag.trim()} onClick={() => void bulk('addTag', { tag: tag.trim() })}>{t('kb.bulk.addTag')}</Button>
                    </Space.Compact>
                    <Popconfirm title={t('kb.bulk.archiveConfirm', { n: selected.length })} onConfirm={() => void bulk('archive')} okText={t('kb.ok')} cancelText={t('kb.cancel')}>
                      <Button size="small" danger>{t('kb.bulk.archive')}</Button>
                    </Popconfirm>
                  </>
                )}
                <Button size="small" type="link" onClick={() => setSelected([])}>{t('kb.bulk.clear')}</Button>
              </div>
            )}
            <Table<Entry>
              rowKey="id"
              size="small"
              loading={loading}
              dataSource={data?.items ?? []}
              columns={columns}
              rowSelection={canWrite || canReview ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]), preserveSelectedRowKeys: true } : undefined}
              locale={{ emptyText: t('kb.empty') }}
              scroll={{ x: 820 }}
              onChange={(_p, _f, sorter) => {
                const s = Array.isArray(sorter) ? sorter[0] : sorter;
                if (!s) return;
                const field = s.field === 'question' ? 'question' : s.field === 'updatedAt' ? 'updatedAt' : undefined;
                if (s.order && field) setQuery((f) => ({ ...f, sort: field, order: s.order === 'descend' ? 'desc' : 'asc' }));
                else if (!s.order) setQuery((f) => ({ ...f, sort: 'updatedAt', order: 'desc' }));
              }}
              pagination={{
                current: query.page,
                pageSize: query.pageSize,
                total: data?.total ?? 0,
                showSizeChanger: true,
                pageSizeOptions: [20, 50, 100],
                showTotal: (n) => <span data-testid="kb-total">{t('kb.total', { n })}</span>,
                onChange: (page, pageSize) => setQuery((f) => ({ ...f, page: pageSize !== f.pageSize ? 1 : page, pageSize })),
              }}
            />
          </Card>
        </div>
      </div>
      {kb && editing && (
        <EntryEditor kb={kb} open={!!editing} entryId={editing.id} categories={categories} defaultCategory={query.category ?? null} onClose={() => setEditing(null)} onChanged={refresh} />
      )}
    </div>
  );
}
