import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Card, Drawer, Empty, Space, Spin, Switch, Tag, Timeline, Typography } from 'antd';
import { MergeCellsOutlined, StarFilled } from '@ant-design/icons';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import { formatDateTime, formatTime } from '../../shared/format.ts';
import { CHANNELS, conversationsApi, identityKindKey, type Transcript, type TranscriptEvent } from './conversations-api.ts';
import { OutcomeTag } from './outcome-tag.tsx';

type Reply = { type?: string; text?: string; options?: { n: number; text: string }[]; entryId?: string };

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** One chat bubble per customer message, robot reply and agent message. */
function Bubble({ e, t, locale }: { e: TranscriptEvent; t: Translate; locale: 'zh-CN' | 'en-US' }) {
  const at = formatTime(e.at, locale);
  if (e.type === 'message.received') {
    return (
      <div className="conv-msg customer" data-testid="conv-bubble-customer">
        <span className="who">{t('conv.who.customer')} · {at}</span>
        <div className="conv-bubble">{str(e.payload.text)}</div>
      </div>
    );
  }
  const reply = (e.payload.reply ?? {}) as Reply;
  const kind = e.type === 'agent.message' ? 'agent' : reply.type === 'system' ? 'system' : 'robot';
  const who = kind === 'agent' ? str(e.payload.agentName) || t('conv.who.agent') : kind === 'system' ? t('conv.who.system') : t('conv.who.robot');
  return (
    <div className={`conv-msg ${kind}`} data-testid={`conv-bubble-${kind}`}>
      <span className="who">{who}{kind === 'robot' && reply.type ? ` · ${reply.type}` : ''} · {at}</span>
      <div className="conv-bubble">
        {reply.text}
        {reply.options?.length ? <ol>{reply.options.map((o) => <li key={o.n}>{o.text}</li>)}</ol> : null}
      </div>
    </div>
  );
}

/** What the timeline says about an event other than a message (null: not shown). */
function describe(e: TranscriptEvent, t: Translate): { color: string; text: ReactNode } | null {
  const p = e.payload;
  switch (e.type) {
    case 'conversation.started':
      return { color: 'gray', text: t('conv.ev.started', { channel: str(p.channel) }) };
    case 'nlu.understood': {
      const hits = Array.isArray(p.hits) ? (p.hits as { id: string; score: number }[]) : [];
      const score = typeof p.score === 'number' ? p.score : hits[0]?.score;
      const color = p.decision === 'fallback' ? 'red' : p.decision === 'clarify' ? 'blue' : p.decision === 'answer' ? 'green' : 'gray';
      return {
        color,
        text: (
          <span data-testid="conv-ev-decision">
            {t('conv.ev.decision')} <Tag className="tag-tight" color={color === 'gray' ? undefined : color}>{str(p.decision)}</Tag>
            {p.entryId ? <>{t('conv.ev.entry')} <Typography.Text code>{str(p.entryId)}</Typography.Text> </> : null}
            {p.flowId ? <>{t('conv.ev.flow')} <Typography.Text code>{str(p.flowId)}</Typography.Text> </> : null}
            {score !== undefined ? t('conv.ev.score', { score: score.toFixed(2) }) : null}
          </span>
        ),
      };
    }
    case 'conversation.handoff':
      return { color: 'orange', text: t('conv.ev.handoff', { reason: str(p.reason) || '—' }) };
    case 'conversation.queued':
      return { color: 'orange', text: t('conv.ev.queued', { group: str(p.groupName ?? p.group) }) };
    case 'conversation.assigned':
      return { color: 'green', text: t('conv.ev.assigned', { agent: str(p.agentName ?? p.agentId) }) };
    case 'conversation.transferred':
      return { color: 'blue', text: t('conv.ev.transferred', { to: str(p.toAgentName ?? p.toGroup ?? '') }) };
    case 'conversation.unassigned':
      return { color: 'gray', text: t('conv.ev.unassigned') };
    case 'conversation.wrapup':
      return { color: 'blue', text: t('conv.ev.wrapup', { category: str(p.category) || '—', summary: str(p.summary) }) };
    case 'conversation.closed':
      return { color: 'gray', text: t('conv.ev.closed') };
    case 'conversation.rated':
      return { color: 'gold', text: <span data-testid="conv-ev-rating"><StarFilled style={{ color: '#fa8c16' }} /> {t('conv.ev.rated', { score: str(p.score) })}{p.comment ? `：${str(p.comment)}` : ''}</span> };
    case 'conversation.out_of_hours':
    case 'conversation.message_left':
    case 'conversation.joined':
      return { color: 'gray', text: e.type };
    default:
      return null;
  }
}

const MESSAGE_TYPES = new Set(['message.received', 'reply.sent', 'agent.message']);

/**
 * A conversation's transcript: chat bubbles and the timeline of the robot's decisions and the human service.
 * Personal data masked; roles with pii:view may show it in clear (each view is recorded in the audit log).
 */
export function TranscriptDrawer({ id, canUnmask, canMerge, onClose, onMerge }: {
  id: string | null; canUnmask: boolean; canMerge: boolean; onClose(): void; onMerge(contactId: string): void;
}) {
  const { t, locale } = useI18n();
  const [unmask, setUnmask] = useState(false);
  const [data, setData] = useState<Transcript | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => setUnmask(false), [id]);
  useEffect(() => {
    if (!id) return;
    let live = true;
    setError(null);
    setData((d) => (d?.conversation.id === id ? d : null));
    conversationsApi.transcript(id, unmask).then((r) => live && setData(r), (e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [id, unmask]);

  const messages = data?.events.filter((e) => MESSAGE_TYPES.has(e.type)) ?? [];
  const timeline = (data?.events ?? []).map((e) => ({ e, d: describe(e, t) })).filter((x) => x.d !== null);

  return (
    <Drawer
      open={!!id}
      onClose={onClose}
      width={Math.min(860, window.innerWidth - 120)}
      title={t('conv.transcript')}
      destroyOnClose
      extra={canUnmask && (
        <Space>
          <span>{t('conv.showPii')}</span>
          <Switch checked={unmask} onChange={setUnmask} data-testid="conv-unmask" />
        </Space>
      )}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      {!data && !error && <Spin />}
      {data && (
        <div data-testid="conv-transcript">
          {!data.masked && <Alert type="warning" showIcon message={t('conv.piiRecorded')} style={{ marginBottom: 12 }} data-testid="conv-pii-notice" />}
          <div className="conv-head">
            <span className="conv-id">{data.conversation.id}</span>
            <Tag className="tag-tight">{(CHANNELS as readonly string[]).includes(data.conversation.channel) ? t(`conv.channel.${data.conversation.channel as (typeof CHANNELS)[number]}`) : data.conversation.channel}</Tag>
            <span>{formatDateTime(data.conversation.createdAt, locale)}</span>
            <OutcomeTag hit={data.summary} />
            {data.summary.rating ? <span className="conv-rating"><StarFilled /> {data.summary.rating}</span> : null}
          </div>
          <Card size="small" className="conv-customer-card" title={t('conv.customer')}
            extra={canMerge && data.customer && <Button size="small" icon={<MergeCellsOutlined />} onClick={() => onMerge(data.customer!.id)} data-testid="conv-merge-from-transcript">{t('conv.merge.open')}</Button>}>
            {data.customer ? (
              <div data-testid="conv-customer-info">
                <Typography.Text strong>{data.customer.displayName ?? t('conv.unnamed')}</Typography.Text>
                <Typography.Text type="secondary" className="conv-id conv-gap">{data.customer.id}</Typography.Text>
                <div>
                  {data.customer.identities.map((i) => (
                    <Tag key={`${i.kind}:${i.value}`} className="tag-tight" data-testid="conv-identity">{t(identityKindKey(i.kind))}：{i.value}{i.verified ? ' ✓' : ''}</Tag>
                  ))}
                </div>
              </div>
            ) : <Typography.Text type="secondary">{t('conv.noContact')}</Typography.Text>}
          </Card>
          <div className="conv-transcript">
            <div className="conv-chat">
              {messages.length ? messages.map((e) => <Bubble key={e.seq} e={e} t={t} locale={locale} />) : <Empty description={t('conv.noMessages')} />}
            </div>
            <div className="conv-timeline">
              <Typography.Title level={5} style={{ marginTop: 0 }}>{t('conv.timeline')}</Typography.Title>
              <Timeline
                items={timeline.map(({ e, d }) => ({
                  key: e.seq, color: d!.color,
                  children: <div><div className="ev-time">{formatTime(e.at, locale)}</div>{d!.text}</div>,
                }))}
              />
            </div>
          </div>
        </div>
      )}
    </Drawer>
  );
}
