import { useState } from 'react';
import { Alert, App, Avatar, Button, Popconfirm, Space, Tag, Tooltip, Typography } from 'antd';
import { CloseCircleOutlined, FileAddOutlined, FormOutlined, SwapOutlined } from '@ant-design/icons';
import type { AgentConversation } from '@lingxi/contracts';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDuration, secondsSince } from '../../shared/format.ts';
import { useNow } from '../../shared/use-now.ts';
import { WorkOrderFormModal } from '../work-orders/work-order-form-modal.tsx';
import { agentStore, useWorkbench } from './use-workbench.ts';
import { avatarColor, ChannelTag, initialOf } from './labels.tsx';
import { ReplyBox } from './reply-box.tsx';
import { TranscriptView } from './transcript-view.tsx';
import { TransferModal } from './transfer-modal.tsx';
import { WrapupModal } from './wrapup-modal.tsx';

/** The open conversation: who and where, the transcript, the reply box, and the actions on it. */
export function ConversationPane({ c, groupName }: { c: AgentConversation; groupName: string | null }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const wb = useWorkbench();
  const now = useNow(1000);
  const [modal, setModal] = useState<null | 'transfer' | 'wrapup' | 'workorder'>(null);
  const [closing, setClosing] = useState(false);
  const items = wb.transcripts[c.id] ?? [];
  const closed = c.status === 'closed';
  const wrapped = items.some((i) => i.type === 'conversation.wrapup' || (i.kind === 'system' && i.text.startsWith('小结')));
  const angry = !!wb.assist[c.id]?.angry;

  const close = async () => {
    setClosing(true);
    try {
      await agentStore.close(c.id);
      message.success(t('wb.closed'));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setClosing(false);
    }
  };

  return (
    <div className={`wb-center${angry ? ' angry' : ''}`} data-testid="conversation-pane" data-conversation={c.id}>
      <div className="conv-header">
        <Space size={10}>
          <Avatar style={{ background: avatarColor(c.customer.displayName) }}>{initialOf(c.customer.displayName)}</Avatar>
          <div>
            <div className="conv-header-name">
              <Typography.Text strong>{c.customer.displayName}</Typography.Text>
              <ChannelTag channel={c.channel} />
              <Tag color={closed ? 'default' : c.status === 'agent' ? 'processing' : 'warning'} bordered={false}>{t(`wb.status.${c.status}`)}</Tag>
            </div>
            <Typography.Text type="secondary" className="conv-header-sub">
              {groupName ?? ''}
              {c.assignedAt && !closed ? ` · ${formatDuration(secondsSince(c.assignedAt, now))}` : ''}
            </Typography.Text>
          </div>
        </Space>
        <Space size={6} wrap>
          <Tooltip title={t('wb.transfer.title')}>
            <Button size="small" icon={<SwapOutlined />} disabled={closed} onClick={() => setModal('transfer')}>{t('wb.transfer')}</Button>
          </Tooltip>
          <Button size="small" icon={<FileAddOutlined />} onClick={() => setModal('workorder')}>{t('wb.createWorkOrder')}</Button>
          <Button size="small" icon={<FormOutlined />} onClick={() => setModal('wrapup')} data-testid="wrapup">{t('wb.wrapup')}</Button>
          {wrapped ? (
            <Popconfirm title={t('wb.close.confirm')} onConfirm={close} okText={t('app.ok')} cancelText={t('app.cancel')} disabled={closed}>
              <Button size="small" danger icon={<CloseCircleOutlined />} disabled={closed} loading={closing} data-testid="close-conversation">{t('wb.close')}</Button>
            </Popconfirm>
          ) : (
            <Button size="small" danger icon={<CloseCircleOutlined />} disabled={closed} onClick={() => { message.info(t('wb.close.needWrapup')); setModal('wrapup'); }} data-testid="close-conversation">{t('wb.close')}</Button>
          )}
        </Space>
      </div>
      {closed && <Alert type="info" banner message={t('wb.readOnly')} />}
      <TranscriptView items={items} loading={!!wb.loading[c.id]} typing={!!wb.typing[c.id]} customerName={c.customer.displayName} />
      <ReplyBox conversationId={c.id} disabled={closed} />
      <TransferModal conversationId={c.id} open={modal === 'transfer'} onClose={() => setModal(null)} />
      <WrapupModal conversationId={c.id} open={modal === 'wrapup'} onClose={() => setModal(null)} canClose={!closed} />
      <WorkOrderFormModal open={modal === 'workorder'} onClose={() => setModal(null)} conversationId={c.id} defaultTitle={items.filter((i) => i.kind === 'customer').slice(-1)[0]?.text.slice(0, 60) ?? ''} />
    </div>
  );
}
