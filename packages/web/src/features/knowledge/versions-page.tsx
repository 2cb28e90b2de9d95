import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Empty, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { CloudUploadOutlined, ReloadOutlined, RollbackOutlined, SwapOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { hasRole, loadSession } from '../../shared/session.ts';
import type { SnapshotEntry, VersionDiff, VersionInfo } from './kb-api.ts';
import { diffRows, type DiffRow } from './kb-utils.ts';
import { BotSelect, useKbBot } from './use-kb-bot.tsx';
import './knowledge.css';

/** 版本发布: publish, the version list with one-click rollback, and a side-by-side diff of two versions. */
export function VersionsPage() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const { bots, bot, setSlug, kb } = useKbBot();
  const canPublish = hasRole(loadSession()?.user, 'admin', 'knowledge_operator');
  const [data, setData] = useState<{ current: number | null; items: VersionInfo[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [pair, setPair] = useState<{ from?: number; to?: number }>({});
  const [diff, setDiff] = useState<{ diff: VersionDiff; rows: DiffRow[] } | null>(null);

  const load = useCallback(async () => {
    if (!kb) return;
    try {
      const v = await kb.versions();
      setData(v);
      setPair((p) => (p.from && p.to ? p : v.items.length >= 2 ? { from: v.items[1].version, to: v.items[0].version } : p));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [kb]);
  useEffect(() => void load(), [load]);

  useEffect(() => {
    if (!kb || !pair.from || !pair.to || pair.from === pair.to) {
      setDiff(null);
      return;
    }
    let live = true;
    Promise.all([kb.diff(pair.from, pair.to), kb.version(pair.from), kb.version(pair.to)]).then(([d, a, b]) => {
      if (live) setDiff({ diff: d, rows: diffRows(d, a.snapshot.entries, b.snapshot.entries) });
    }, (e: Error) => setError(e.message));
    return () => {
      live = false;
    };
  }, [kb, pair.from, pair.to]);

  const act = async (fn: () => Promise<{ version: number; entryCount: number }>, ok: (r: { version: number; entryCount: number }) => string) => {
    setBusy(true);
    setError(null);
    try {
      const r = await fn();
      message.success(ok(r));
      setNote('');
      setPair({});
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const options = (data?.items ?? []).map((v) => ({ value: v.version, label: `v${v.version}${v.note ? ` · ${v.note}` : ''}` }));

  const side = (e: SnapshotEntry | null, fields: string[]) =>
    e ? (
      <div className="kb-diff-side">
        <div className={fields.includes('question') ? 'changed' : ''}><b>{e.question}</b></div>
        {e.similar.length > 0 && <div className={fields.includes('similar') ? 'changed' : ''}>{t('kb.similar')}：{e.similar.join(' / ')}</div>}
        <div className={fields.includes('answer') ? 'changed' : ''}>{e.answer}</div>
        {(e.category || e.tags.length > 0) && <div className={fields.includes('category') || fields.includes('tags') ? 'changed' : ''}>{e.category ?? ''} {e.tags.map((x) => `#${x}`).join(' ')}</div>}
      </div>
    ) : <Typography.Text type="secondary">—</Typography.Text>;

  const kindTag = (k: DiffRow['kind']) => <Tag color={k === 'added' ? 'green' : k === 'removed' ? 'red' : 'gold'} bordered={false}>{t(`kb.diff.${k}`)}</Tag>;

  return (
    <div className="page">
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} />}
      <Card
        size="small"
        title={t('kb.versions')}
        extra={
          <Space wrap>
            <BotSelect bots={bots} bot={bot} onChange={setSlug} />
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('kb.refresh')}</Button>
            {canPublish && (
              <Space.Compact size="small">
                <Input size="small" placeholder={t('kb.versions.publishNote')} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} style={{ width: 200 }} data-testid="kb-publish-note" />
                <Button size="small" type="primary" icon={<CloudUploadOutlined />} loading={busy} onClick={() => void act(() => kb!.publish(note || undefined), (r) => t('kb.versions.published', { version: r.version, n: r.entryCount }))} data-testid="kb-publish">
                  {t('kb.versions.publish')}
                </Button>
              </Space.Compact>
            )}
          </Space>
        }
      >
        <Table<VersionInfo>
          rowKey="version"
          size="small"
          dataSource={data?.items ?? []}
          locale={{ emptyText: t('kb.versions.none') }}
          pagination={{ pageSize: 8, showSizeChanger: false }}
          data-testid="kb-versions"
          columns={[
            { title: t('kb.versions.version'), dataIndex: 'version', width: 110, render: (v: number) => <Space size={4}><b>v{v}</b>{v === data?.current && <Tag color="success" bordered={false}>{t('kb.versions.current')}</Tag>}</Space> },
            { title: t('kb.versions.note'), dataIndex: 'note', ellipsis: true, render: (v: string | null) => v ?? '' },
            { title: t('kb.versions.entries'), dataIndex: 'entryCount', width: 90 },
            { title: t('kb.versions.by'), dataIndex: 'createdBy', width: 160, ellipsis: true, render: (v: string | null, r) => r.createdByName ?? v ?? '' },
            { title: t('kb.versions.at'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v, locale) },
            {
              title: '', key: 'actions', width: 190,
              render: (_: unknown, v) => (
                <Space size={4}>
                  <Button size="small" type="link" icon={<SwapOutlined />} disabled={v.version === data?.current} onClick={() => setPair({ from: v.version, to: data?.current ?? undefined })}>{t('kb.diff')}</Button>
                  {canPublish && v.version !== data?.current && (
                    <Popconfirm title={t('kb.versions.rollbackConfirm', { version: v.version })} okText={t('kb.ok')} cancelText={t('kb.cancel')} onConfirm={() => void act(() => kb!.rollback(v.version), (r) => t('kb.versions.rolledBack', { version: r.version }))}>
                      <Button size="small" type="link" danger icon={<RollbackOutlined />} data-testid={`kb-rollback-${v.version}`}>{t('kb.versions.rollback')}</Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={t('kb.diff')}
        extra={
          <Space size={6}>
            <Select size="small" placeholder={t('kb.diff.from')} value={pair.from} onChange={(v) => setPair((p) => ({ ...p, from: v }))} options={options} style={{ width: 160 }} data-testid="kb-diff-from" />
            <SwapOutlined />
            <Select size="small" placeholder={t('kb.diff.to')} value={pair.to} onChange={(v) => setPair((p) => ({ ...p, to: v }))} options={options} style={{ width: 160 }} data-testid="kb-diff-to" />
          </Space>
        }
      >
        {!diff ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.diff.pick')} /> : (
          <>
            <Space style={{ marginBottom: 8 }} wrap>
              <Typography.Text data-testid="kb-diff-summary">v{diff.diff.from} → v{diff.diff.to}：{t('kb.diff.summary', { added: diff.diff.added.length, removed: diff.diff.removed.length, changed: diff.diff.changed.length })}</Typography.Text>
              {diff.diff.synonymsChanged && <Tag color="purple" bordered={false}>{t('kb.diff.synonyms')}</Tag>}
            </Space>
            {diff.rows.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.diff.same')} /> : (
              <Table<DiffRow>
                rowKey="id"
                size="small"
                dataSource={diff.rows}
                pagination={{ pageSize: 10, showSizeChanger: false }}
                data-testid="kb-diff-table"
                columns={[
                  { title: t('kb.id'), dataIndex: 'id', width: 150, render: (id: string, r) => <Space direction="vertical" size={2}><Typography.Text code>{id}</Typography.Text>{kindTag(r.kind)}</Space> },
                  { title: `${t('kb.diff.before')} (v${diff.diff.from})`, key: 'before', render: (_: unknown, r) => side(r.before, r.fields) },
                  { title: `${t('kb.diff.after')} (v${diff.diff.to})`, key: 'after', render: (_: unknown, r) => side(r.after, r.fields) },
                ]}
              />
            )}
          </>
        )}
      </Card>
    </div>
  );
}
