import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Badge, Button, Card, Col, Empty, Modal, Popconfirm, Progress, Row, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { ClockCircleOutlined, EyeOutlined, TeamOutlined, UserSwitchOutlined } from '@ant-design/icons';
import type { AgentConversation, Presence, QueueStats } from '@lingxi/contracts';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDuration, secondsSince } from '../../shared/format.ts';
import { useNow } from '../../shared/use-now.ts';
import { agentStore, useWorkbench } from '../workbench/use-workbench.ts';
import { ChannelTag, PRESENCE_COLOR, PresenceDot } from '../workbench/labels.tsx';
import { useGroupName } from '../workbench/use-reference-data.ts';
import { navigate } from '../../shared/router.tsx';
import { supervisorApi, type AgentStatus } from './supervisor-api.ts';

const POLL_MS = 5000;

/** 班长监控: queues live (waiting, longest wait, agents by state), agents with load, and interventions. */
export function SupervisorPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const wb = useWorkbench();
  const now = useNow(1000);
  const [queues, setQueues] = useState<QueueStats[] | null>(null);
  const [agents, setAgents] = useState<AgentStatus[]>([]);
  const [waiting, setWaiting] = useState<AgentConversation[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [assigning, setAssigning] = useState<AgentConversation | null>(null);
  const [target, setTarget] = useState<string | undefined>();

  const load = useCallback(async () => {
    const results = await Promise.allSettled([supervisorApi.queues(), supervisorApi.agents(), supervisorApi.waiting()]);
    if (results[0].status === 'fulfilled') setQueues(results[0].value);
    if (results[1].status === 'fulfilled') setAgents(results[1].value);
    if (results[2].status === 'fulfilled') setWaiting(results[2].value);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    setError(failed ? (failed.reason as Error).message : null);
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  // The socket's live figures win over the last poll.
  const groups = wb.queues.length ? wb.queues : queues ?? [];
  const totalWaiting = groups.reduce((n, g) => n + g.waiting, 0);
  const maxWait = groups.reduce((m, g) => Math.max(m, g.longestWaitSeconds), 0);
  const online = agents.filter((a) => a.presence !== 'offline').length;
  const serving = agents.reduce((n, a) => n + a.load, 0);
  const gname = useGroupName();
  const groupName = (id: string | null) => gname(id) ?? '—';

  const act = async (fn: () => Promise<unknown>, ok: string, open?: string) => {
    try {
      await fn();
      message.success(ok);
      void load();
      if (open) {
        await agentStore.refreshConversations();
        agentStore.select(open);
        navigate('/');
      }
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  return (
    <div className="page supervisor">
      {error && <Alert type="warning" showIcon message={error} style={{ marginBottom: 12 }} closable />}
      <Row gutter={12} className="sup-stats">
        <Col span={6}><Card size="small"><Statistic title={t('sup.totalWaiting')} value={totalWaiting} valueStyle={{ color: totalWaiting ? '#fa541c' : undefined }} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('sup.maxWait')} value={formatDuration(maxWait)} prefix={<ClockCircleOutlined />} valueStyle={{ color: maxWait > 120 ? '#f5222d' : undefined }} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('sup.agentsOnlineTotal')} value={online} suffix={`/ ${agents.length}`} prefix={<TeamOutlined />} /></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('sup.servingTotal')} value={serving} /></Card></Col>
      </Row>
      <Card size="small" title={t('sup.queues')} className="sup-card">
        {groups.length ? (
          <div className="queue-grid">
            {groups.map((g) => (
              <div key={g.group} className={`queue-tile${g.waiting ? ' busy' : ''}`} data-group={g.group}>
                <div className="queue-tile-head">
                  <Typography.Text strong>{gname(g.group) ?? g.name}</Typography.Text>
                  <Tag bordered={false} color={g.open ? 'success' : 'default'}>{t(g.open ? 'sup.open' : 'sup.closedHours')}</Tag>
                </div>
                <div className="queue-tile-main">
                  <div><div className="queue-num">{g.waiting}</div><div className="queue-cap">{t('sup.waiting')}</div></div>
                  <div><div className="queue-num small">{formatDuration(g.longestWaitSeconds)}</div><div className="queue-cap">{t('sup.longestWait')}</div></div>
                </div>
                <AgentsBar a={g.agents} />
              </div>
            ))}
          </div>
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
        )}
      </Card>
      <Row gutter={12}>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('sup.waitingList')} className="sup-card">
            <Table<AgentConversation>
              size="small"
              rowKey="id"
              dataSource={waiting}
              pagination={false}
              locale={{ emptyText: t('sup.noWaiting') }}
              columns={[
                { title: t('sup.customer'), render: (_, c) => <Space size={4}>{c.customer.displayName}<ChannelTag channel={c.channel} /></Space> },
                { title: t('sup.group'), width: 90, render: (_, c) => groupName(c.group) },
                { title: t('sup.waitedFor'), width: 80, render: (_, c) => formatDuration(secondsSince(c.queuedAt, now)) },
                { title: t('sup.actions'), width: 90, render: (_, c) => <Button size="small" icon={<UserSwitchOutlined />} onClick={() => { setAssigning(c); setTarget(undefined); }}>{t('sup.forceAssign')}</Button> },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('sup.agents')} className="sup-card">
            <Table<AgentStatus>
              size="small"
              rowKey="userId"
              dataSource={agents}
              pagination={false}
              locale={{ emptyText: t('sup.noAgents') }}
              columns={[
                { title: t('sup.agent'), render: (_, a) => <Space size={6}><PresenceDot presence={a.presence} />{a.displayName}</Space> },
                { title: t('sup.state'), width: 70, render: (_, a) => <span style={{ color: PRESENCE_COLOR[a.presence] }}>{t(`presence.${a.presence}`)}</span> },
                { title: t('sup.loadCol'), width: 110, render: (_, a) => <Tooltip title={`${a.load}/${a.maxConcurrent}`}><Progress percent={a.maxConcurrent ? Math.round((a.load / a.maxConcurrent) * 100) : 0} size="small" format={() => `${a.load}/${a.maxConcurrent}`} status={a.load >= a.maxConcurrent ? 'exception' : 'normal'} /></Tooltip> },
                { title: t('sup.groups'), render: (_, a) => a.groups.map((g) => <Tag key={g} bordered={false}>{groupName(g)}</Tag>) },
                {
                  title: t('sup.conversations'),
                  render: (_, a) => (
                    <Space direction="vertical" size={2}>
                      {a.conversations.map((id) => (
                        <Space key={id} size={4} className="sup-conv">
                          <Tooltip title={id}><Typography.Text code>…{id.slice(-6)}</Typography.Text></Tooltip>
                          <Popconfirm title={t('sup.takeOver.confirm')} onConfirm={() => act(() => supervisorApi.takeOver(id), t('sup.takeOver.done'), id)} okText={t('app.ok')} cancelText={t('app.cancel')}>
                            <Button size="small" type="link">{t('sup.takeOver')}</Button>
                          </Popconfirm>
                          <Button size="small" type="link" icon={<EyeOutlined />} onClick={() => act(() => supervisorApi.join(id), t('sup.join.done'), id)}>{t('sup.join')}</Button>
                        </Space>
                      ))}
                    </Space>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Modal
        open={!!assigning}
        title={t('sup.forceAssign.title')}
        onCancel={() => setAssigning(null)}
        okButtonProps={{ disabled: !target }}
        okText={t('sup.forceAssign')}
        cancelText={t('app.cancel')}
        onOk={async () => {
          if (!assigning || !target) return;
          await act(() => supervisorApi.assign(assigning.id, target), t('sup.forceAssign.done'));
          setAssigning(null);
        }}
      >
        <Typography.Paragraph type="secondary">{assigning?.customer.displayName} · {groupName(assigning?.group ?? null)}</Typography.Paragraph>
        <Select
          style={{ width: '100%' }}
          value={target}
          onChange={setTarget}
          placeholder={t('sup.agent')}
          options={agents.map((a) => ({ value: a.userId, label: `${a.displayName} (${t(`presence.${a.presence}`)} · ${a.load}/${a.maxConcurrent})`, disabled: a.presence === 'offline' }))}
        />
      </Modal>
    </div>
  );
}

function AgentsBar({ a }: { a: QueueStats['agents'] }) {
  const { t } = useI18n();
  const states: [Presence, number, string][] = [['online', a.online, t('sup.agentsOnline')], ['busy', a.busy, t('sup.agentsBusy')], ['away', a.away, t('sup.agentsAway')], ['offline', a.offline, t('sup.agentsOffline')]];
  return (
    <div className="agents-bar">
      {states.map(([p, n, label]) => (
        <span key={p}><Badge color={PRESENCE_COLOR[p]} text={`${label} ${n}`} /></span>
      ))}
    </div>
  );
}
