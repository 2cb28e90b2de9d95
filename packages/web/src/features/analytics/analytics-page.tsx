import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Dropdown, Empty, Row, Segmented, Select, Space, Statistic, Table, Typography } from 'antd';
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDuration } from '../../shared/format.ts';
import { navigate } from '../../shared/router.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { Chart, type ChartClick } from './chart.tsx';
import { conversationsUrl, intentDrill, type Drill, type Outcome } from './drill.ts';
import {
  analyticsApi, type AgentRow, type ExportTable, type Filter, type Overview, type Rate, type SatisfactionRow, type Sla, type TopRow, type Traffic, type TrendDay,
} from './analytics-api.ts';
import './analytics.css';

/** Today in the tenants' zone (the server counts days in Asia/Shanghai, whatever the browser's zone). */
const shanghaiToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const pct = (r: Rate) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const PALETTE = ['#1677ff', '#fa8c16', '#f5222d', '#722ed1', '#13c2c2', '#52c41a'];

type Data = { overview: Overview; traffic: Traffic; trends: TrendDay[]; entries: TopRow[]; intents: TopRow[]; agents: AgentRow[]; sla: Sla };

/** 运营看板: KPIs, traffic, rates over time, top entries and intents, satisfaction, agents, SLA; every figure drills down. */
export function AnalyticsPage() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => {
    const today = dayjs(shanghaiToday());
    return [today.subtract(6, 'day'), today];
  });
  const [channel, setChannel] = useState<string | undefined>();
  const [data, setData] = useState<Data | null>(null);
  const [satBy, setSatBy] = useState<'bot' | 'agent' | 'group'>('agent');
  const [satisfaction, setSatisfaction] = useState<SatisfactionRow[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const filter: Filter = useMemo(() => ({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD'), channel }), [range, channel]);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const [overview, traffic, trends, entries, intents, agents, sla] = await Promise.all([
        analyticsApi.overview(filter), analyticsApi.traffic(filter), analyticsApi.trends(filter), analyticsApi.top(filter, 'entry'),
        analyticsApi.top(filter, 'intent'), analyticsApi.agents(filter), analyticsApi.sla(filter),
      ]);
      setData({ overview, traffic, trends, entries, intents, agents, sla });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [filter]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    analyticsApi.satisfaction(filter, satBy).then(setSatisfaction, (e: Error) => setError(e.message));
  }, [filter, satBy, data]);

  const refresh = async () => {
    setLoading(true);
    try {
      const r = await analyticsApi.refresh();
      message.success(t('an.refreshed', { n: r.events }));
    } catch (e) {
      setError((e as Error).message);
    }
    await load();
  };

  const drill = (d: Drill, days?: { from: string; to: string }) => navigate(conversationsUrl(days ?? filter, { channel, ...d }));
  const exportMenu = (table: ExportTable) => (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [{ key: 'csv', label: t('an.export.csv') }, { key: 'xlsx', label: t('an.export.xlsx') }],
        onClick: ({ key }) => void analyticsApi.exportFile(table, key as 'csv' | 'xlsx', filter, locale === 'en-US' ? 'en' : 'zh').catch((e: Error) => message.error(e.message)),
      }}
    >
      <Button size="small" icon={<DownloadOutlined />} data-export={table}>{t('an.export')}</Button>
    </Dropdown>
  );

  const intentLabel = (key: string) => {
    if (key.startsWith('flow:')) return t('an.intent.flow', { id: key.slice(5) });
    const k = `an.intent.${key}` as MessageKey;
    const s = t(k);
    return s === k ? key : s;
  };

  const tot = data?.overview.totals;
  const channels = data?.overview.channels ?? [];

  return (
    <div className="page analytics-page">
      <Card size="small">
        <div className="filter-bar">
          <span>{t('an.range')}</span>
          <DatePicker.RangePicker
            allowClear={false}
            value={range}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
            presets={[
              { label: '7d', value: [dayjs(shanghaiToday()).subtract(6, 'day'), dayjs(shanghaiToday())] },
              { label: '30d', value: [dayjs(shanghaiToday()).subtract(29, 'day'), dayjs(shanghaiToday())] },
            ]}
          />
          <Select
            data-testid="an-channel"
            style={{ width: 150 }}
            value={channel ?? ''}
            onChange={(v) => setChannel(v || undefined)}
            options={[{ value: '', label: t('an.channel.all') }, ...channels.map((c) => ({ value: c, label: c }))]}
          />
          <Typography.Text type="secondary" className="an-hint">{t('an.drill')}</Typography.Text>
          <span className="filter-spacer" />
          <Space>
            {exportMenu('overview')}
            <Button size="small" icon={<ReloadOutlined />} loading={loading} onClick={() => void refresh()} data-testid="an-refresh">{t('an.refresh')}</Button>
          </Space>
        </div>
      </Card>
      {error && <Alert type="error" showIcon message={error} />}
      {!!data?.overview.pendingEvents && <Alert type="info" showIcon message={t('an.pending', { n: data.overview.pendingEvents })} />}

      <Row gutter={[12, 12]}>
        <Kpi id="conversations" title={t('an.kpi.conversations')} value={tot ? String(tot.conversations) : '—'} onClick={() => drill({})} />
        <Kpi id="selfService" title={t('an.kpi.selfService')} value={tot ? pct(tot.selfServiceRate) : '—'} sub={tot && t('an.kpi.count', { n: tot.robotResolved })} onClick={() => drill({ outcome: 'robot' })} />
        <Kpi id="handoff" title={t('an.kpi.handoff')} value={tot ? pct(tot.handoffRate) : '—'} sub={tot && t('an.kpi.count', { n: tot.handedOff })} onClick={() => drill({ outcome: 'handoff' })} />
        <Kpi id="fallback" title={t('an.kpi.fallback')} value={tot ? pct(tot.fallbackRate) : '—'} sub={tot && t('an.kpi.count', { n: tot.fallback })} onClick={() => drill({ outcome: 'fallback' })} />
        <Kpi id="clarify" title={t('an.kpi.clarify')} value={tot ? pct(tot.clarifyRate) : '—'} sub={tot && t('an.kpi.count', { n: tot.clarify })} onClick={() => drill({ outcome: 'clarify' })} />
        <Kpi
          id="satisfaction"
          title={t('an.kpi.satisfaction')}
          value={tot?.averageRating != null ? tot.averageRating.toFixed(2) : '—'}
          sub={tot && (tot.rated ? t('an.kpi.rated', { n: tot.rated, rate: pct(tot.satisfactionRate) }) : t('an.kpi.noRating'))}
        />
      </Row>

      <Row gutter={[12, 12]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('an.traffic.title')} extra={exportMenu('hours')}>
            {data && data.traffic.hours.length ? <TrafficChart traffic={data.traffic} hourLabel={(h) => t('an.traffic.hour', { h })} onChannel={(c) => drill({ channel: c })} /> : <Blank text={t('an.empty')} />}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('an.trends.title')} extra={exportMenu('trends')}>
            {data && data.overview.totals.conversations ? (
              <TrendsChart
                days={data.trends}
                names={[t('an.kpi.selfService'), t('an.kpi.handoff'), t('an.kpi.fallback'), t('an.kpi.clarify')]}
                onPoint={(day, outcome) => drill({ outcome }, { from: day, to: day })}
              />
            ) : <Blank text={t('an.empty')} />}
          </Card>
        </Col>
      </Row>

      <Row gutter={[12, 12]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('an.entries.title')} extra={exportMenu('entries')}>
            {data?.entries.length ? (
              <TopChart rows={data.entries} label={(r) => r.label ?? r.key} hitsName={t('an.hits')} testId="an-entries" onBar={(r) => drill({ intent: r.key, bot: r.botId ?? undefined })} />
            ) : <Blank text={t('an.empty')} />}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('an.intents.title')} extra={exportMenu('intents')}>
            {data?.intents.length ? (
              <TopChart rows={data.intents} label={(r) => intentLabel(r.key)} hitsName={t('an.conversations')} value="conversations" testId="an-intents" onBar={(r) => drill(intentDrill(r.key))} />
            ) : <Blank text={t('an.empty')} />}
          </Card>
        </Col>
      </Row>

      <Row gutter={[12, 12]}>
        <Col xs={24} xl={10}>
          <Card
            size="small"
            title={t('an.satisfaction.title')}
            extra={
              <Space size={8}>
                <Segmented size="small" value={satBy} onChange={(v) => setSatBy(v as typeof satBy)} options={(['bot', 'agent', 'group'] as const).map((b) => ({ value: b, label: t(`an.satisfaction.${b}`) }))} />
                {exportMenu(`satisfaction-${satBy}`)}
              </Space>
            }
          >
            {satisfaction.length ? (
              <SatisfactionChart
                rows={satisfaction}
                names={{ average: t('an.satisfaction.average'), rated: t('an.satisfaction.rated'), rate: t('an.satisfaction.rate') }}
                onBar={(r) => (satBy === 'agent' ? drill({ agent: r.key }) : satBy === 'bot' ? drill({ bot: r.key }) : undefined)}
              />
            ) : <Blank text={t('an.empty')} />}
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('an.sla.title')} extra={exportMenu('sla')}>
            {data && data.sla.total.workOrders ? <SlaView sla={data.sla} t={t} /> : <Blank text={t('an.empty')} />}
          </Card>
        </Col>
      </Row>

      <Card size="small" title={t('an.agents.title')} extra={exportMenu('agents')}>
        <Table<AgentRow>
          size="small"
          rowKey="agentId"
          loading={loading && !data}
          dataSource={data?.agents ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 800 }}
          locale={{ emptyText: t('an.empty') }}
          columns={[
            { title: t('an.agents.agent'), dataIndex: 'agentName', render: (v: string | null, r) => v ?? r.agentId },
            {
              title: t('an.agents.conversations'), dataIndex: 'conversations', align: 'right', sorter: (a, b) => a.conversations - b.conversations,
              render: (v: number, r) => <Typography.Link data-agent={r.agentId} onClick={() => drill({ agent: r.agentId, outcome: 'handoff' })}>{v}</Typography.Link>,
            },
            { title: t('an.agents.resolved'), dataIndex: 'resolved', align: 'right' },
            { title: t('an.agents.resolutionRate'), dataIndex: 'resolutionRate', align: 'right', render: (v: Rate) => pct(v) },
            { title: t('an.agents.firstResponse'), dataIndex: 'averageFirstResponseMs', align: 'right', render: (v: number | null) => (v === null ? '—' : formatDuration(v / 1000)) },
            { title: t('an.agents.handle'), dataIndex: 'averageHandleMs', align: 'right', render: (v: number | null) => (v === null ? '—' : formatDuration(v / 1000)) },
            { title: t('an.agents.rating'), dataIndex: 'averageRating', align: 'right', render: (v: number | null, r) => (v === null ? '—' : `${v.toFixed(2)} (${r.rated})`) },
          ]}
        />
      </Card>
    </div>
  );
}

function SlaView({ sla, t }: { sla: Sla; t: (k: MessageKey) => string }) {
  return (
    <div className="an-sla">
      <Space size={32} wrap>
        <Statistic title={t('an.sla.response')} value={pct(sla.total.responseAttainment)} />
        <Statistic title={t('an.sla.resolution')} value={pct(sla.total.resolutionAttainment)} />
        <Statistic title={t('an.sla.workOrders')} value={sla.total.workOrders} />
        <Statistic title={t('an.sla.pending')} value={sla.total.resolutionPending} />
      </Space>
      <Chart
        height={200}
        option={{
          tooltip: { trigger: 'axis' },
          legend: { top: 0 },
          grid: { left: 40, right: 16, top: 32, bottom: 24 },
          xAxis: { type: 'category', data: sla.days.map((d) => d.day.slice(5)) },
          yAxis: { type: 'value', minInterval: 1 },
          series: [
            { name: t('an.sla.responseMet'), type: 'bar', stack: 'r', data: sla.days.map((d) => d.responseMet), color: '#52c41a' },
            { name: t('an.sla.responseBreached'), type: 'bar', stack: 'r', data: sla.days.map((d) => d.responseBreached), color: '#ff7875' },
            { name: t('an.sla.resolutionMet'), type: 'bar', stack: 's', data: sla.days.map((d) => d.resolutionMet), color: '#237804' },
            { name: t('an.sla.resolutionBreached'), type: 'bar', stack: 's', data: sla.days.map((d) => d.resolutionBreached), color: '#cf1322' },
          ],
        }}
      />
    </div>
  );
}

function Kpi({ id, title, value, sub, onClick }: { id: string; title: string; value: string; sub?: ReactNode; onClick?: () => void }) {
  return (
    <Col xs={12} md={8} xl={4}>
      <Card size="small" hoverable={!!onClick} onClick={onClick} data-kpi={id} className="an-kpi">
        <Statistic title={title} value={value} />
        <div className="an-kpi-sub" title={typeof sub === 'string' ? sub : undefined}>{sub ?? '\u00a0'}</div>
      </Card>
    </Col>
  );
}

function Blank({ text }: { text: string }) {
  return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text} style={{ height: 240, margin: 0, paddingTop: 60 }} />;
}

function TrafficChart({ traffic, hourLabel, onChannel }: { traffic: Traffic; hourLabel: (h: number) => string; onChannel: (c: string) => void }) {
  const option = useMemo(() => {
    const channels = [...new Set(traffic.hours.map((h) => h.channel))];
    const max = Math.max(1, ...traffic.hours.map((h) => h.conversations));
    return {
      tooltip: { position: 'top', formatter: (p: { value: [number, number, number] }) => `${channels[p.value[1]]} · ${hourLabel(p.value[0])}<br/>${p.value[2]}` },
      grid: { left: 64, right: 16, top: 8, bottom: 56 },
      xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => String(h)), splitArea: { show: true } },
      yAxis: { type: 'category', data: channels, splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 80, inRange: { color: ['#e6f4ff', '#1677ff'] } },
      // Numbers in the cells only while they fit (two digits); the tooltip has them all.
      series: [{ type: 'heatmap', data: traffic.hours.map((h) => [h.hour, channels.indexOf(h.channel), h.conversations]), label: { show: max < 100, fontSize: 10 } }],
    };
  }, [traffic, hourLabel]);
  const channels = [...new Set(traffic.hours.map((h) => h.channel))];
  return <Chart option={option} height={240} testId="an-traffic" onClick={(p: ChartClick) => onChannel(channels[(p.value as number[])[1]])} />;
}

const OUTCOMES: Outcome[] = ['robot', 'handoff', 'fallback', 'clarify'];

function TrendsChart({ days, names, onPoint }: { days: TrendDay[]; names: string[]; onPoint: (day: string, o: Outcome) => void }) {
  const option = useMemo(() => {
    const val = (r: Rate) => (r === null ? null : Math.round(r * 1000) / 10);
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '—' : `${v}%`) },
      legend: { top: 0 },
      grid: { left: 44, right: 16, top: 32, bottom: 24 },
      xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        { name: names[0], type: 'line', data: days.map((d) => val(d.selfServiceRate)), color: PALETTE[0] },
        { name: names[1], type: 'line', data: days.map((d) => val(d.handoffRate)), color: PALETTE[1] },
        { name: names[2], type: 'line', data: days.map((d) => val(d.fallbackRate)), color: PALETTE[2] },
        { name: names[3], type: 'line', data: days.map((d) => val(d.clarifyRate)), color: PALETTE[3] },
      ],
    };
  }, [days, names]);
  return <Chart option={option} height={240} testId="an-trends" onClick={(p) => onPoint(days[p.dataIndex].day, OUTCOMES[p.seriesIndex ?? 0])} />;
}

function TopChart({ rows, label, hitsName, value = 'hits', onBar, testId }: { rows: TopRow[]; label: (r: TopRow) => string; hitsName: string; value?: 'hits' | 'conversations'; onBar: (r: TopRow) => void; testId: string }) {
  const option = useMemo(() => {
    const shown = [...rows].reverse();
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: shown.map((r) => label(r)), axisLabel: { width: 180, overflow: 'truncate' } },
      series: [{ name: hitsName, type: 'bar', data: shown.map((r) => r[value]), color: PALETTE[0], label: { show: true, position: 'right' }, barMaxWidth: 18 }],
    };
  }, [rows, label, hitsName, value]);
  return <Chart option={option} height={Math.max(160, rows.length * 28 + 24)} testId={testId} onClick={(p) => onBar([...rows].reverse()[p.dataIndex])} />;
}

/** Horizontal bars (names stay readable with many agents): the 12 with the most ratings. */
function SatisfactionChart({ rows, names, onBar }: { rows: SatisfactionRow[]; names: { average: string; rated: string; rate: string }; onBar: (r: SatisfactionRow) => void }) {
  const shown = useMemo(() => rows.slice(0, 12).reverse(), [rows]);
  const option = useMemo(() => ({
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' },
      formatter: (ps: { dataIndex: number }[]) => {
        const r = shown[ps[0].dataIndex];
        return `${r.label ?? r.key}<br/>${names.average}: ${r.averageRating ?? '—'}<br/>${names.rated}: ${r.rated}<br/>${names.rate}: ${pct(r.satisfactionRate)}`;
      },
    },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 5 },
    yAxis: { type: 'category', data: shown.map((r) => r.label ?? r.key), axisLabel: { width: 120, overflow: 'truncate' } },
    series: [{ name: names.average, type: 'bar', data: shown.map((r) => r.averageRating), color: '#faad14', label: { show: true, position: 'right' }, barMaxWidth: 16 }],
  }), [shown, names]);
  return <Chart option={option} height={Math.max(200, shown.length * 24 + 40)} testId="an-satisfaction" onClick={(p) => onBar(shown[p.dataIndex])} />;
}
