import { useState } from 'react';
import { Avatar, Badge, Button, Empty, Segmented, Tabs, Tooltip, Typography } from 'antd';
import { FireFilled } from '@ant-design/icons';
import type { AgentConversation, Presence } from '@lingxi/contracts';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDuration, formatTime, secondsSince } from '../../shared/format.ts';
import { useNow } from '../../shared/use-now.ts';
import { agentStore, useWorkbench } from './use-workbench.ts';
import { avatarColor, ChannelTag, initialOf, PresenceDot } from './labels.tsx';
import { useGroupName } from './use-reference-data.ts';

const PRESENCES: Presence[] = ['online', 'busy', 'away', 'offline'];

/** Presence switch, my load, and the two lists: my conversations (with unread) and the waiting queue (accept). */
export function ConversationSidebar() {
  const { t } = useI18n();
  const wb = useWorkbench();
  const [tab, setTab] = useState<'mine' | 'queue'>('mine');
  const active = wb.conversations.filter((c) => c.status !== 'closed').length;
  const max = wb.me?.maxConcurrent;

  return (
    <div className="wb-left">
      <div className="wb-me">
        <Segmented
          block
          size="small"
          value={wb.presence}
          onChange={(v) => agentStore.setPresence(v as Presence)}
          options={PRESENCES.map((p) => ({ value: p, label: <span className="presence-opt"><PresenceDot presence={p} />{t(`presence.${p}`)}</span> }))}
          data-testid="presence"
        />
        <div className="wb-me-line">
          <Typography.Text type="secondary">{wb.me?.displayName ?? ''}</Typography.Text>
          {max ? <Typography.Text type="secondary">{t('wb.load', { n: active, max })}</Typography.Text> : null}
        </div>
      </div>
      <Tabs
        className="wb-tabs"
        size="small"
        activeKey={tab}
        onChange={(k) => setTab(k as 'mine' | 'queue')}
        centered
        items={[
          { key: 'mine', label: <span>{t('wb.myConversations')} <Badge count={wb.conversations.filter((c) => c.status !== 'closed').length} showZero color="#8c8c8c" size="small" /></span> },
          { key: 'queue', label: <span data-testid="queue-tab">{t('wb.queue')} <Badge count={wb.queue.length} showZero size="small" color={wb.queue.length ? '#fa541c' : '#8c8c8c'} /></span> },
        ]}
      />
      <div className="wb-list">{tab === 'mine' ? <MyList /> : <QueueList />}</div>
    </div>
  );
}

function MyList() {
  const { t, locale } = useI18n();
  const wb = useWorkbench();
  const groupName = useGroupName();
  if (wb.missing.conversations) return <Empty className="wb-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('app.unavailable', { what: 'GET /api/v1/agent/conversations' })} />;
  if (!wb.conversations.length) return <Empty className="wb-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('wb.noConversations')} />;
  return (
    <ul className="conv-list" aria-label={t('wb.myConversations')}>
      {wb.conversations.map((c) => (
        <ConversationItem key={c.id} c={c} group={groupName(c.group)} selected={wb.selectedId === c.id} angry={!!wb.assist[c.id]?.angry} typing={!!wb.typing[c.id]} locale={locale} />
      ))}
    </ul>
  );
}

function ConversationItem({ c, group, selected, angry, typing, locale }: { c: AgentConversation; group: string | null; selected: boolean; angry: boolean; typing: boolean; locale: 'zh-CN' | 'en-US' }) {
  const { t } = useI18n();
  const name = c.customer.displayName;
  return (
    <li
      className={`conv-item${selected ? ' selected' : ''}${angry ? ' angry' : ''}${c.status === 'closed' ? ' closed' : ''}`}
      onClick={() => agentStore.select(c.id)}
      data-conversation={c.id}
      role="button"
      tabIndex={0}
      onKeyDown={(e) => e.key === 'Enter' && agentStore.select(c.id)}
    >
      <Badge count={c.unread} size="small" offset={[-2, 2]}>
        <Avatar style={{ background: avatarColor(name) }}>{initialOf(name)}</Avatar>
      </Badge>
      <div className="conv-main">
        <div className="conv-top">
          <span className="conv-name">
            {angry && <Tooltip title={t('assist.angry')}><FireFilled className="angry-icon" /></Tooltip>}
            {name}
          </span>
          <span className="conv-time">{formatTime(c.lastAt, locale)}</span>
        </div>
        <div className="conv-text">{typing ? <i>{t('wb.typing')}</i> : c.lastText ?? ''}</div>
        <div className="conv-tags">
          <ChannelTag channel={c.channel} />
          {group && <span className="conv-group">{group}</span>}
          {c.status === 'closed' && <span className="conv-group">{t('wb.status.closed')}</span>}
        </div>
      </div>
    </li>
  );
}

function QueueList() {
  const { t } = useI18n();
  const wb = useWorkbench();
  const groupName = useGroupName();
  const now = useNow(1000);
  const [busy, setBusy] = useState<string | null>(null);
  if (wb.missing.queue) return <Empty className="wb-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('app.unavailable', { what: 'GET /api/v1/agent/queue' })} />;
  if (!wb.queue.length) return <Empty className="wb-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('wb.noQueue')} />;
  return (
    <ul className="conv-list" aria-label={t('wb.queue')}>
      {wb.queue.map((c) => (
        <li key={c.id} className="conv-item queue" data-conversation={c.id}>
          <Avatar style={{ background: avatarColor(c.customer.displayName) }}>{initialOf(c.customer.displayName)}</Avatar>
          <div className="conv-main">
            <div className="conv-top">
              <span className="conv-name">{c.customer.displayName}</span>
              <span className="conv-wait">{t('wb.waiting', { time: formatDuration(secondsSince(c.queuedAt ?? c.lastAt, now)) })}</span>
            </div>
            <div className="conv-text">{c.lastText ?? ''}</div>
            <div className="conv-tags conv-tags-row">
              <span>
                <ChannelTag channel={c.channel} />
                {c.group && <span className="conv-group">{groupName(c.group)}</span>}
              </span>
              <Button
                type="primary"
                size="small"
                loading={busy === c.id}
                onClick={async () => {
                  setBusy(c.id);
                  await agentStore.accept(c.id);
                  setBusy(null);
                }}
              >
                {t('wb.accept')}
              </Button>
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}
