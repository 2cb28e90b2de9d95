import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, DatePicker, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { MergeCellsOutlined, ReloadOutlined, StarFilled } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { navigate, usePath } from '../../shared/router.tsx';
import { hasRole, loadSession } from '../../shared/session.ts';
import {
  CHANNELS, OUTCOMES, PAGE_SIZE, conversationsApi, filtersFromSearch, searchOfFilters, type Filters, type SearchHit, type SearchResult,
} from './conversations-api.ts';
import { OutcomeTag } from './outcome-tag.tsx';
import { TranscriptDrawer } from './transcript-drawer.tsx';
import { ContactMergeModal } from './contact-merge-modal.tsx';
import './conversations.css';

/** The filters in the address bar: reloading or sharing the link (or an analytics drill-down) opens the same search. */
function useUrlFilters(): [Filters, (f: Filters) => void] {
  usePath();
  const search = window.location.search;
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const set = useCallback((f: Filters) => {
    const qs = searchOfFilters(f);
    navigate(`/conversations${qs ? `?${qs}` : ''}`);
  }, []);
  return [filters, set];
}

/** 会话记录: search conversations by text, customer, agent, intent, rating, channel, outcome and time; open a transcript. */
export function ConversationSearchPage() {
  const { t, locale } = useI18n();
  const user = loadSession()?.user;
  const canUnmask = hasRole(user, 'admin', 'supervisor');
  const canMerge = hasRole(user, 'admin', 'supervisor');
  const [filters, setFilters] = useUrlFilters();
  const [draft, setDraft] = useState({ q: filters.q ?? '', customer: filters.customer ?? '', intent: filters.intent ?? '', agent: filters.agent ?? '' });
  const [data, setData] = useState<SearchResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [merging, setMerging] = useState<{ contactId?: string } | null>(null);
  const [bots, setBots] = useState<{ value: string; label: string }[]>([]);
  const [agents, setAgents] = useState<{ value: string; label: string }[] | null>(null);
  const abort = useRef<AbortController | null>(null);

  // The text boxes follow the URL when it changes from outside (back button, a drill-down link).
  useEffect(() => {
    setDraft({ q: filters.q ?? '', customer: filters.customer ?? '', intent: filters.intent ?? '', agent: filters.agent ?? '' });
  }, [filters.q, filters.customer, filters.intent, filters.agent]);

  const load = useCallback(async () => {
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    setLoading(true);
    setError(null);
    try {
      setData(await conversationsApi.search(filters, ctl.signal));
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError((e as Error).message);
    } finally {
      if (abort.current === ctl) setLoading(false);
    }
  }, [filters]);
  useEffect(() => void load(), [load]);

  useEffect(() => {
    conversationsApi.bots().then((r) => setBots(r.items.map((b) => ({ value: b.slug, label: b.name }))), () => undefined);
    // Only administrators may list users; others type a user id.
    if (hasRole(loadSession()?.user, 'admin')) {
      conversationsApi.users().then((r) => setAgents(r.items.filter((u) => u.roles.some((x) => ['agent', 'supervisor', 'admin'].includes(x))).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))), () => undefined);
    }
  }, []);

  const apply = (patch: Partial<Filters>) => setFilters({ ...filters, ...patch, page: patch.page ?? 1 });
  const applyDraft = (patch: Partial<typeof draft> = {}) => {
    const d = { ...draft, ...patch };
    apply({ q: d.q.trim() || undefined, customer: d.customer.trim() || undefined, intent: d.intent.trim() || undefined, agent: d.agent.trim() || undefined });
  };
  const range = filters.from || filters.to ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null] as const : null;

  return (
    <div className="page conv-page">
      <Card size="small" className="filter-card">
        <div className="filter-bar" data-testid="conv-filters">
          <Input.Search
            allowClear
            placeholder={t('conv.f.text')}
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            onSearch={(v) => applyDraft({ q: v })}
            style={{ width: 220 }}
            data-testid="conv-q"
          />
          <Input
            allowClear
            placeholder={t('conv.f.customer')}
            value={draft.customer}
            onChange={(e) => setDraft({ ...draft, customer: e.target.value })}
            onPressEnter={() => applyDraft()}
            onBlur={() => draft.customer !== (filters.customer ?? '') && applyDraft()}
            style={{ width: 190 }}
            data-testid="conv-customer"
          />
          {agents ? (
            <Select allowClear showSearch optionFilterProp="label" placeholder={t('conv.f.agent')} value={filters.agent} onChange={(v) => apply({ agent: v })} options={agents} style={{ width: 160 }} />
          ) : (
            <Input allowClear placeholder={t('conv.f.agentId')} value={draft.agent} onChange={(e) => setDraft({ ...draft, agent: e.target.value })} onPressEnter={() => applyDraft()} style={{ width: 160 }} />
          )}
          <Input
            allowClear
            placeholder={t('conv.f.intent')}
            value={draft.intent}
            onChange={(e) => setDraft({ ...draft, intent: e.target.value })}
            onPressEnter={() => applyDraft()}
            onBlur={() => draft.intent !== (filters.intent ?? '') && applyDraft()}
            style={{ width: 150 }}
          />
          <Select allowClear placeholder={t('conv.f.rating')} value={filters.rating} onChange={(v) => apply({ rating: v })} style={{ width: 100 }}
            options={[5, 4, 3, 2, 1].map((n) => ({ value: String(n), label: t('conv.stars', { n }) }))} />
          <Select allowClear placeholder={t('conv.f.channel')} value={filters.channel} onChange={(v) => apply({ channel: v })} style={{ width: 110 }}
            options={CHANNELS.map((c) => ({ value: c, label: t(`conv.channel.${c}`) }))} />
          <Select allowClear placeholder={t('conv.f.outcome')} value={filters.outcome} onChange={(v) => apply({ outcome: v })} style={{ width: 120 }}
            options={OUTCOMES.map((o) => ({ value: o, label: t(`conv.outcome.${o}`) }))} data-testid="conv-outcome" />
          {(bots.length > 1 || filters.bot) && (
            <Select allowClear placeholder={t('conv.f.bot')} value={filters.bot} onChange={(v) => apply({ bot: v })} options={bots} style={{ width: 130 }} />
          )}
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            allowEmpty={[true, true]}
            value={range as never}
            onChange={(v) => apply({ from: v?.[0]?.toISOString() ?? undefined, to: v?.[1]?.endOf('minute').toISOString() ?? undefined })}
            placeholder={[t('conv.f.from'), t('conv.f.to')]}
            style={{ width: 320 }}
          />
          <Button onClick={() => setFilters({ page: 1 })}>{t('conv.reset')}</Button>
        </div>
      </Card>
      {error && <Alert type="error" showIcon message={error} />}
      <Card
        size="small"
        className="table-card"
        title={t('conv.title')}
        extra={
          <Space>
            {canMerge && <Button size="small" icon={<MergeCellsOutlined />} onClick={() => setMerging({})} data-testid="conv-merge-open">{t('conv.merge.open')}</Button>}
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
          </Space>
        }
      >
        <Table<SearchHit>
          rowKey="conversationId"
          size="small"
          loading={loading}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t('conv.empty') }}
          onRow={(h) => ({ onClick: () => setOpen(h.conversationId), className: 'clickable-row', 'data-testid': 'conv-row' } as React.HTMLAttributes<HTMLElement>)}
          scroll={{ x: 980 }}
          pagination={{
            current: filters.page,
            pageSize: PAGE_SIZE,
            total: data?.total ?? 0,
            showSizeChanger: false,
            showTotal: (n) => (n > 1000 ? t('conv.totalMany') : t('conv.total', { n })),
            onChange: (page) => apply({ page }),
          }}
          columns={[
            { title: t('conv.col.time'), dataIndex: 'startedAt', width: 150, render: (v: string) => formatDateTime(v, locale) },
            { title: t('conv.col.channel'), dataIndex: 'channel', width: 90, render: (c: string) => <Tag className="tag-tight">{(CHANNELS as readonly string[]).includes(c) ? t(`conv.channel.${c as (typeof CHANNELS)[number]}`) : c}</Tag> },
            {
              title: t('conv.col.customer'), dataIndex: 'customer', width: 160,
              render: (_: unknown, h) => (h.customer ? (
                <span className="conv-customer" data-testid="conv-customer-cell">{h.customer.name ?? (h.customer.phone ? '' : t('conv.unnamed'))}{h.customer.phone && <Typography.Text type={h.customer.name ? 'secondary' : undefined} className={h.customer.name ? 'conv-gap' : undefined}>{h.customer.phone}</Typography.Text>}</span>
              ) : <Typography.Text type="secondary">{t('conv.anonymous')}</Typography.Text>),
            },
            { title: t('conv.col.first'), dataIndex: 'firstQuestion', ellipsis: true, render: (v: string | null) => <Typography.Text ellipsis={{ tooltip: v }}>{v ?? '—'}</Typography.Text> },
            { title: t('conv.col.outcome'), dataIndex: 'outcome', width: 100, render: (_: unknown, h) => <OutcomeTag hit={h} /> },
            { title: t('conv.col.agent'), dataIndex: 'agents', width: 120, ellipsis: true, render: (_: unknown, h) => h.agents.map((a) => a.name).join('、') || <Typography.Text type="secondary">—</Typography.Text> },
            { title: t('conv.col.rating'), dataIndex: 'rating', width: 80, render: (r: number | null) => (r ? <span className="conv-rating"><StarFilled /> {r}</span> : <Typography.Text type="secondary">—</Typography.Text>) },
            { title: t('conv.col.messages'), dataIndex: 'messages', width: 70, align: 'right' },
          ]}
        />
      </Card>
      <TranscriptDrawer
        id={open}
        canUnmask={canUnmask}
        canMerge={canMerge}
        onClose={() => setOpen(null)}
        onMerge={(contactId) => setMerging({ contactId })}
      />
      <ContactMergeModal
        open={!!merging}
        contactId={merging?.contactId}
        onClose={() => setMerging(null)}
        onMerged={() => {
          setMerging(null);
          void load();
        }}
      />
    </div>
  );
}
