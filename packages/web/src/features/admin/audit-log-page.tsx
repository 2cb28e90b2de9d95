import { useCallback, useEffect, useState } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { Alert, App as AntApp, Button, Card, DatePicker, Input, Space, Table, Tag, Typography } from 'antd';
import { FileExcelOutlined, FileTextOutlined, ReloadOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import type { MessageKey } from '../../shared/messages.ts';
import { adminApi, errorText, type AuditEntry, type AuditFilter } from './admin-api.ts';
import { useRequest } from './use-request.tsx';

const PAGE = 20;

/** Quick filters: action prefixes of the changes and views administrators look for most. */
const QUICK: { key: MessageKey; action: string }[] = [
  { key: 'adm.audit.q.user', action: 'user.' },
  { key: 'adm.audit.q.bot', action: 'bot.' },
  { key: 'adm.audit.q.apikey', action: 'apikey.' },
  { key: 'adm.audit.q.channel', action: 'channel.' },
  { key: 'adm.audit.q.pii', action: '*_unmasked' },
  { key: 'adm.audit.q.login', action: 'auth.login' },
];

const actionColor = (a: string) => (a.endsWith('_unmasked') ? 'red' : a.startsWith('user.') || a.startsWith('apikey.') ? 'gold' : a.startsWith('bot.') || a.startsWith('channel.') ? 'blue' : 'default');

/** 审计日志: who changed or viewed what — filters, paged table with expandable details, CSV / Excel export. */
export function AuditLogPage() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const [draft, setDraft] = useState<{ actor: string; action: string; target: string; range: [Dayjs | null, Dayjs | null] | null }>({ actor: '', action: '', target: '', range: null });
  const [filter, setFilter] = useState<AuditFilter>({});
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ items: AuditEntry[]; total: number } | null>(null);
  const { busy: loading, error, run } = useRequest();
  const [exporting, setExporting] = useState<'csv' | 'xlsx' | null>(null);

  const load = useCallback(() => run(async () => {
    setData(await adminApi.audit({ ...filter, limit: PAGE, offset }));
  }), [run, filter, offset]);
  useEffect(() => void load(), [load]);

  const apply = (d = draft) => {
    const [from, to] = d.range ?? [null, null];
    setOffset(0);
    setFilter({
      actor: d.actor.trim() || undefined,
      action: d.action.trim() || undefined,
      target: d.target.trim() || undefined,
      from: from ? from.startOf('day').toISOString() : undefined,
      to: to ? to.add(1, 'day').startOf('day').toISOString() : undefined,
    });
  };

  const doExport = async (format: 'csv' | 'xlsx') => {
    setExporting(format);
    try {
      await adminApi.exportAudit(filter, format, locale === 'en-US' ? 'en' : 'zh');
      message.success(t('adm.audit.exported'));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setExporting(null);
    }
  };

  return (
    <div className="page">
      <Card size="small" className="filter-card">
        <div className="filter-bar">
          <Input allowClear placeholder={t('adm.audit.actionPh')} value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} onPressEnter={() => apply()} style={{ width: 190 }} data-testid="audit-action" />
          <Input allowClear placeholder={t('adm.audit.actorPh')} value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} onPressEnter={() => apply()} style={{ width: 200 }} data-testid="audit-actor" />
          <Input allowClear placeholder={t('adm.audit.target')} value={draft.target} onChange={(e) => setDraft({ ...draft, target: e.target.value })} onPressEnter={() => apply()} style={{ width: 170 }} data-testid="audit-target" />
          <DatePicker.RangePicker
            value={draft.range}
            onChange={(v) => setDraft({ ...draft, range: v as [Dayjs | null, Dayjs | null] | null })}
            disabledDate={(d) => d.isAfter(dayjs().endOf('day'))}
            style={{ width: 250 }}
          />
          <Button type="primary" onClick={() => apply()} data-testid="audit-search">{t('app.search')}</Button>
          <Button
            onClick={() => {
              const d = { actor: '', action: '', target: '', range: null };
              setDraft(d);
              apply(d);
            }}
          >
            {t('app.reset')}
          </Button>
        </div>
        <div className="filter-bar" style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{t('adm.audit.quick')}:</Typography.Text>
          {QUICK.map((q) => (
            <Tag.CheckableTag
              key={q.action}
              checked={filter.action === q.action}
              onChange={() => {
                const d = { ...draft, action: filter.action === q.action ? '' : q.action };
                setDraft(d);
                apply(d);
              }}
            >
              {t(q.key)}
            </Tag.CheckableTag>
          ))}
        </div>
      </Card>
      {error && <Alert type="error" showIcon message={error} />}
      <Card
        size="small"
        className="table-card"
        title={t('adm.audit.title')}
        extra={
          <Space>
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{t('app.refresh')}</Button>
            <Button size="small" icon={<FileTextOutlined />} loading={exporting === 'csv'} onClick={() => void doExport('csv')} data-testid="audit-export-csv">{t('adm.audit.exportCsv')}</Button>
            <Button size="small" icon={<FileExcelOutlined />} loading={exporting === 'xlsx'} onClick={() => void doExport('xlsx')} data-testid="audit-export-xlsx">{t('adm.audit.exportXlsx')}</Button>
          </Space>
        }
      >
        <Table<AuditEntry>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={data?.items ?? []}
          scroll={{ x: 900 }}
          data-testid="audit-table"
          expandable={{
            expandedRowRender: (e) => <pre className="adm-json">{JSON.stringify(e.details ?? {}, null, 2)}</pre>,
            rowExpandable: (e) => !!e.details && Object.keys(e.details).length > 0,
          }}
          pagination={{
            current: offset / PAGE + 1,
            pageSize: PAGE,
            total: data?.total ?? 0,
            showSizeChanger: false,
            showTotal: (n) => t('adm.audit.total', { n }),
            onChange: (page) => setOffset((page - 1) * PAGE),
          }}
          columns={[
            { title: t('adm.audit.at'), dataIndex: 'at', width: 160, render: (v: string) => formatDateTime(v, locale) },
            {
              title: t('adm.audit.actor'), dataIndex: 'actor', width: 220,
              render: (v: string, e) => (
                <div style={{ minWidth: 0 }}>
                  {e.actorName && <Typography.Text strong style={{ display: 'block' }}>{e.actorName}</Typography.Text>}
                  <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }} ellipsis={{ tooltip: v }}>{v}</Typography.Text>
                </div>
              ),
            },
            { title: t('adm.audit.action'), dataIndex: 'action', width: 210, render: (a: string) => <Tag color={actionColor(a)}>{a}</Tag> },
            { title: t('adm.audit.target'), dataIndex: 'target', width: 200, ellipsis: true, render: (v?: string) => v ?? '—' },
            {
              title: t('adm.audit.details'), dataIndex: 'details', ellipsis: true,
              render: (d?: Record<string, unknown>) => (d && Object.keys(d).length ? <Typography.Text type="secondary" ellipsis>{JSON.stringify(d)}</Typography.Text> : '—'),
            },
          ]}
        />
      </Card>
    </div>
  );
}
