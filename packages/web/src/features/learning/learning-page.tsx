import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Input, List, Modal, Popconfirm, Segmented, Select, Space, Switch, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { BulbOutlined, DeleteOutlined, FireOutlined, LinkOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { hasRole, loadSession } from '../../shared/session.ts';
import { BotSelect, useKbBot } from '../knowledge/use-kb-bot.tsx';
import { HotChart } from './hot-chart.tsx';
import { learnApi, questionIds, type Cluster, type EntryRef, type HotMenu, type HotStats, type LearnApi, type LearningSettings } from './learn-api.ts';
import './learning.css';

/** 学习中心: unanswered and low-confidence questions clustered by topic, and hot-question statistics. */
export function LearningPage() {
  const { t } = useI18n();
  const { bots, bot, setSlug } = useKbBot();
  const api = useMemo(() => (bot ? learnApi(bot.slug) : null), [bot]);
  const [tab, setTab] = useState('clusters');
  return (
    <div className="page">
      <Card size="small">
        <div className="filter-bar">
          <BulbOutlined />
          <Typography.Text strong>{t('learn.title')}</Typography.Text>
          <BotSelect bots={bots} bot={bot} onChange={setSlug} />
          <Typography.Text type="secondary" className="learn-hint">{t('learn.hint')}</Typography.Text>
        </div>
      </Card>
      <Card size="small" className="learn-card">
        <Tabs
          activeKey={tab} onChange={setTab}
          items={[
            { key: 'clusters', label: <span><BulbOutlined /> {t('learn.tab.clusters')}</span>, children: api ? <ClusterList api={api} /> : null },
            { key: 'hot', label: <span><FireOutlined /> {t('learn.tab.hot')}</span>, children: api ? <HotQuestions api={api} /> : null },
          ]}
        />
      </Card>
    </div>
  );
}

function ClusterList({ api }: { api: LearnApi }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [days, setDays] = useState(30);
  const [data, setData] = useState<{ questionCount: number; clusters: Cluster[] } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState<Cluster | null>(null);
  const [adding, setAdding] = useState<Cluster | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await api.clusters(days));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [api, days]);
  useEffect(() => void load(), [load]);

  const dismiss = async (c: Cluster) => {
    try {
      const r = await api.dismiss(questionIds(c));
      message.success(t('learn.dismissed', { n: r.dismissed }));
    } catch (e) {
      message.error((e as Error).message);
    }
    void load();
  };

  const clusters = data?.clusters ?? [];
  return (
    <div className="learn-tab">
      <div className="filter-bar">
        <Typography.Text type="secondary">{t('learn.summary', { questions: data?.questionCount ?? 0, clusters: clusters.length })}</Typography.Text>
        <span className="filter-spacer" />
        <Segmented value={days} onChange={(v) => setDays(v as number)} options={[7, 30, 90].map((n) => ({ value: n, label: t('learn.days', { n }) }))} />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
      </div>
      {error && <Alert type="error" showIcon message={error} />}
      <Table<Cluster>
        size="small" rowKey="key" loading={loading} dataSource={clusters} data-testid="learn-clusters"
        pagination={{ pageSize: 10, size: 'small', hideOnSinglePage: true }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('learn.empty')} /> }}
        expandable={{
          expandedRowRender: (c) => (
            <List
              size="small" dataSource={c.members} className="learn-members"
              renderItem={(m) => (
                <List.Item extra={<Typography.Text type="secondary">{formatDateTime(m.lastAt, locale)}</Typography.Text>}>
                  <Space size={6}><Tag className="tag-tight">×{m.count}</Tag><span>{m.text}</span></Space>
                </List.Item>
              )}
            />
          ),
        }}
        columns={[
          { title: '#', width: 44, render: (_v, _c, i) => i + 1 },
          {
            title: t('learn.col.question'), dataIndex: 'representative', ellipsis: true,
            render: (v: string, c) => (
              <Space size={6} className="learn-rep">
                <Tag className="tag-tight">{c.lang === 'en' ? 'EN' : '中'}</Tag>
                <Typography.Text ellipsis={{ tooltip: v }}>{v}</Typography.Text>
              </Space>
            ),
          },
          { title: t('learn.col.count'), dataIndex: 'count', width: 90, align: 'right', render: (n: number) => <Typography.Text strong data-testid="learn-count">{n}</Typography.Text> },
          { title: t('learn.col.variants'), width: 90, align: 'right', render: (_v, c) => c.members.length },
          { title: t('learn.col.score'), dataIndex: 'avgScore', width: 90, align: 'right', render: (s: number | null) => (s === null ? '—' : s.toFixed(2)) },
          { title: t('learn.col.last'), dataIndex: 'lastAt', width: 150, render: (v: string) => formatDateTime(v, locale) },
          {
            title: t('learn.col.actions'), width: 300, render: (_v, c) => (
              <Space size={4} wrap>
                <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(c)}>{t('learn.newEntry')}</Button>
                <Button size="small" icon={<LinkOutlined />} onClick={() => setAdding(c)}>{t('learn.addToEntry')}</Button>
                <Popconfirm title={t('learn.dismiss.confirm')} onConfirm={() => void dismiss(c)} okText={t('app.ok')} cancelText={t('app.cancel')}>
                  <Button size="small" type="text" icon={<DeleteOutlined />}>{t('learn.dismiss')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {creating && <NewEntryModal api={api} cluster={creating} onClose={(done) => { setCreating(null); if (done) void load(); }} />}
      {adding && <AddToEntryModal api={api} cluster={adding} onClose={(done) => { setAdding(null); if (done) void load(); }} />}
    </div>
  );
}

function NewEntryModal({ api, cluster, onClose }: { api: LearnApi; cluster: Cluster; onClose(done: boolean): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [question, setQuestion] = useState(cluster.representative);
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);
  const similar = cluster.members.map((m) => m.text).filter((x) => x !== question);
  const submit = async () => {
    setBusy(true);
    try {
      const r = await api.newEntry({ questionIds: questionIds(cluster), question: question.trim() || undefined, answer: answer.trim() || undefined });
      message.success(t('learn.created', { id: r.entry.externalId, n: r.handled }));
      onClose(true);
    } catch (e) {
      message.error((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Modal open title={t('learn.newEntry.title')} onCancel={() => onClose(false)} onOk={() => void submit()} okText={t('learn.newEntry.ok')} cancelText={t('app.cancel')} confirmLoading={busy} width={620} destroyOnHidden>
      <Form layout="vertical" size="small">
        <Form.Item label={t('learn.newEntry.question')} required>
          <Input value={question} onChange={(e) => setQuestion(e.target.value)} maxLength={500} />
        </Form.Item>
        <Form.Item label={t('learn.newEntry.similar', { n: similar.length })}>
          <div className="learn-similar">{similar.length ? similar.map((s) => <Tag key={s}>{s}</Tag>) : <Typography.Text type="secondary">—</Typography.Text>}</div>
        </Form.Item>
        <Form.Item label={t('learn.newEntry.answer')} extra={t('learn.newEntry.answerHint')}>
          <Input.TextArea value={answer} onChange={(e) => setAnswer(e.target.value)} autoSize={{ minRows: 3, maxRows: 8 }} maxLength={20000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AddToEntryModal({ api, cluster, onClose }: { api: LearnApi; cluster: Cluster; onClose(done: boolean): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [value, setValue] = useState<string | undefined>();
  const [searching, setSearching] = useState(false);
  const [busy, setBusy] = useState(false);

  // The robot's own best guess comes first: what the published version matches the representative question to.
  useEffect(() => {
    let off = false;
    void (async () => {
      try {
        const bot = await api.bot();
        if (!bot.publishedVersion) return;
        const hits = await api.suggest(cluster.representative, bot.publishedVersion);
        if (off || !hits.length) return;
        setOptions(hits.map((h) => ({ value: h.id, label: `${h.question} (${h.score.toFixed(2)})` })));
        setValue((v) => v ?? hits[0].id);
      } catch {
        // no suggestion; the operator searches
      }
    })();
    return () => {
      off = true;
    };
  }, [api, cluster]);

  const search = async (q: string) => {
    if (!q.trim()) return;
    setSearching(true);
    try {
      const items: EntryRef[] = await api.searchEntries(q.trim());
      setOptions(items.filter((e) => e.status !== 'archived').map((e) => ({ value: e.externalId, label: e.question })));
    } catch {
      setOptions([]);
    } finally {
      setSearching(false);
    }
  };
  const submit = async () => {
    if (!value) return;
    setBusy(true);
    try {
      const r = await api.addToEntry({ questionIds: questionIds(cluster), entry: value });
      message.success(t('learn.added', { n: r.added, q: r.entry.question }));
      onClose(true);
    } catch (e) {
      message.error((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Modal
      open title={t('learn.addToEntry.title')} onCancel={() => onClose(false)} onOk={() => void submit()} okText={t('learn.addToEntry.ok')}
      okButtonProps={{ disabled: !value }} cancelText={t('app.cancel')} confirmLoading={busy} width={620} destroyOnHidden
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('learn.addToEntry.hint', { n: cluster.members.length })}</Typography.Text>
        <Select
          showSearch value={value} onChange={setValue} onSearch={(q) => void search(q)} filterOption={false} options={options} loading={searching}
          placeholder={t('learn.addToEntry.search')} style={{ width: '100%' }} notFoundContent={t('learn.addToEntry.none')} data-testid="learn-entry-picker"
        />
        <div className="learn-similar">{cluster.members.map((m) => <Tag key={m.text}>{m.text}</Tag>)}</div>
      </Space>
    </Modal>
  );
}

function HotQuestions({ api }: { api: LearnApi }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [period, setPeriod] = useState<'day' | 'week'>('day');
  const [stats, setStats] = useState<HotStats | null>(null);
  const [menu, setMenu] = useState<HotMenu | null>(null);
  const [settings, setSettings] = useState<LearningSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isAdmin = hasRole(loadSession()?.user, 'admin');

  const load = useCallback(async () => {
    setError(null);
    try {
      const [s, m, b] = await Promise.all([api.hot(period, period === 'day' ? 14 : 84), api.hotMenu(), api.bot()]);
      setStats(s);
      setMenu(m);
      setSettings(b.settings.learning ?? { hotQuestionsAuto: false, lowConfidence: 0.6 });
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api, period]);
  useEffect(() => void load(), [load]);

  const toggleAuto = async (on: boolean) => {
    if (!settings) return;
    try {
      await api.setLearning({ ...settings, hotQuestionsAuto: on });
      void load();
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  return (
    <div className="learn-hot">
      <div className="learn-hot-main">
        <div className="filter-bar">
          <Typography.Text type="secondary">{stats ? t('learn.hot.range', { from: stats.from, to: stats.to }) : ''}</Typography.Text>
          <span className="filter-spacer" />
          <Segmented value={period} onChange={(v) => setPeriod(v as 'day' | 'week')} options={[{ value: 'day', label: t('learn.hot.byDay') }, { value: 'week', label: t('learn.hot.byWeek') }]} />
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
        </div>
        {error && <Alert type="error" showIcon message={error} />}
        {stats && (stats.top.length ? <HotChart stats={stats} totalLabel={t('learn.hot.total')} /> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('learn.hot.empty')} />)}
        {stats && stats.top.length > 0 && (
          <Table
            size="small" rowKey="entryId" pagination={false} dataSource={stats.top} data-testid="learn-hot-table"
            columns={[
              { title: '#', width: 44, render: (_v, _r, i) => i + 1 },
              { title: t('learn.hot.entry'), dataIndex: 'question', ellipsis: true },
              { title: t('learn.hot.count'), dataIndex: 'count', width: 100, align: 'right' },
            ]}
          />
        )}
      </div>
      <Card size="small" className="learn-menu" title={t('learn.menu.title')} data-testid="learn-hot-menu"
        extra={menu && <Tag color={menu.source === 'auto' ? 'blue' : menu.source === 'manual' ? 'green' : 'default'}>{t(`learn.menu.source.${menu.source}`)}</Tag>}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space size={6}>
            <Tooltip title={isAdmin ? undefined : t('learn.menu.adminOnly')}>
              <Switch size="small" checked={!!settings?.hotQuestionsAuto} disabled={!isAdmin || !settings} onChange={(on) => void toggleAuto(on)} />
            </Tooltip>
            <Typography.Text>{t('learn.menu.auto')}</Typography.Text>
          </Space>
          <Typography.Text type="secondary" className="learn-hint">{t('learn.menu.hint')}</Typography.Text>
          {menu?.items.length ? (
            <ol className="learn-menu-list">
              {menu.items.map((i) => <li key={i.entryId}><Typography.Text ellipsis={{ tooltip: i.question }}>{i.question}</Typography.Text>{menu.source === 'auto' && <Tag className="tag-tight learn-menu-count">{i.count}</Tag>}</li>)}
            </ol>
          ) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('learn.menu.empty')} />}
        </Space>
      </Card>
    </div>
  );
}
