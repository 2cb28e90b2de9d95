import { useEffect, useState } from 'react';
import { Descriptions, Empty, Spin, Tag, Timeline, Typography } from 'antd';
import { CheckCircleFilled, LockOutlined } from '@ant-design/icons';
import type { AgentConversation } from '@lingxi/contracts';
import { useI18n } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { formatDateTime } from '../../shared/format.ts';
import { ChannelTag } from './labels.tsx';
import { workbenchApi, type CustomerProfile } from './workbench-api.ts';

/** The customer: identities across channels (masked for agents), VIP/elderly flags, and their other conversations. */
export function CustomerPanel({ conversation, groupName }: { conversation: AgentConversation; groupName: string | null }) {
  const { t, locale } = useI18n();
  const [profile, setProfile] = useState<CustomerProfile | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setProfile(null);
    workbenchApi
      .customer(conversation.id)
      .then((p) => live && setProfile(p), () => undefined)
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [conversation.id]);

  const history = (profile?.history ?? []).filter((h) => h.conversationId !== conversation.id);
  return (
    <div className="customer-panel" data-testid="customer-panel">
      <Descriptions size="small" column={1} colon={false} labelStyle={{ width: 76, color: '#8c8c8c' }}>
        <Descriptions.Item label={t('wb.customer.name')}>{profile?.contact?.displayName || conversation.customer.displayName || t('wb.customer.anonymous')}
          {profile?.flags.vip && <Tag color="gold" bordered={false} style={{ marginLeft: 6 }}>VIP</Tag>}
          {profile?.flags.elderly && <Tag color="purple" bordered={false} style={{ marginLeft: 6 }}>{t('wb.customer.elderly')}</Tag>}</Descriptions.Item>
        <Descriptions.Item label={t('wb.customer.contactId')}>{conversation.customer.contactId ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('wb.customer.group')}>{groupName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('wb.customer.queuedAt')}>{formatDateTime(conversation.queuedAt, locale)}</Descriptions.Item>
        <Descriptions.Item label={t('wb.customer.assignedAt')}>{formatDateTime(conversation.assignedAt, locale)}</Descriptions.Item>
      </Descriptions>
      <div className="panel-subtitle">{t('wb.customer.identities')}</div>
      {loading ? (
        <Spin size="small" />
      ) : profile?.contact?.identities.length ? (
        <ul className="identity-list">
          {profile.contact.identities.map((i) => (
            <li key={i.kind + i.value}>
              <span className="identity-kind">{idLabel(i.kind, t)}</span>
              <span className="identity-value">{i.value}</span>
              {i.verified && <Tag color="success" bordered={false} icon={<CheckCircleFilled />}>{t('wb.customer.verified')}</Tag>}
            </li>
          ))}
        </ul>
      ) : (
        <Typography.Text type="secondary">{t('wb.customer.anonymous')}</Typography.Text>
      )}
      {profile?.masked && <div className="masked-note"><LockOutlined /> {t('wb.customer.masked')}</div>}
      <div className="panel-subtitle">{t('wb.customer.history')}</div>
      {loading ? null : history.length ? (
        <Timeline
          className="history"
          items={history.map((h) => ({
            key: h.conversationId,
            color: h.status === 'closed' ? 'gray' : 'blue',
            children: (
              <div>
                <div><ChannelTag channel={h.channel} /> <Typography.Text type="secondary">{formatDateTime(h.startedAt, locale)}</Typography.Text></div>
                {h.lastText && <div className="history-summary">{h.lastText}</div>}
              </div>
            ),
          }))}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('wb.customer.noHistory')} />
      )}
    </div>
  );
}

function idLabel(kind: string, t: (k: MessageKey) => string): string {
  const k = `wb.identity.${kind}` as MessageKey;
  const v = t(k);
  return v === k ? kind : v;
}
