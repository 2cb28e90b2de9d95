import { useEffect, useRef } from 'react';
import { App, Empty, Tabs } from 'antd';
import { CustomerServiceOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { setTitleCount } from '../../shared/notify.ts';
import { navigate } from '../../shared/router.tsx';
import { AssistPanel } from './assist-panel.tsx';
import { ConversationPane } from './conversation-pane.tsx';
import { ConversationSidebar } from './conversation-list.tsx';
import { useGroupName } from './use-reference-data.ts';
import { CustomerPanel } from './customer-panel.tsx';
import { agentStore, useWorkbench } from './use-workbench.ts';
import type { Toast } from './agent-store.ts';

/** 坐席工作台: my conversations and the queue | the open conversation | assist and the customer. */
export function WorkbenchPage() {
  const { t } = useI18n();
  const wb = useWorkbench();
  const selected = wb.conversations.find((c) => c.id === wb.selectedId) ?? null;
  const groupName = useGroupName();
  // While another page is shown, the open conversation counts as unread like any other.
  useEffect(() => {
    agentStore.setShown(true);
    return () => agentStore.setShown(false);
  }, []);

  return (
    <div className="wb">
      <ConversationSidebar />
      {selected ? (
        <ConversationPane key={selected.id} c={selected} groupName={groupName(selected.group)} />
      ) : (
        <div className="wb-center empty">
          <Empty image={<CustomerServiceOutlined className="wb-empty-icon" />} description={<><div>{t('wb.selectConversation')}</div><div className="wb-empty-hint">{t('wb.selectHint')}</div></>} />
        </div>
      )}
      <div className="wb-right">
        {selected ? (
          <Tabs
            size="small"
            className="wb-right-tabs"
            items={[
              { key: 'assist', label: t('assist.title'), children: <AssistPanel conversationId={selected.id} suggestion={wb.assist[selected.id]} transcript={wb.transcripts[selected.id] ?? []} disabled={selected.status === 'closed'} unavailable={!!wb.missing.assist} /> },
              { key: 'customer', label: t('wb.customer'), children: <CustomerPanel conversation={selected} groupName={groupName(selected.group)} /> },
            ]}
          />
        ) : (
          <Empty className="wb-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('assist.waiting')} />
        )}
      </div>
    </div>
  );
}

/** Toasts for what the socket brings, and the unread count in the tab title ("(2) 新消息 · …"), on every page. */
export function useWorkbenchAlerts() {
  const { t } = useI18n();
  const { notification, message } = App.useApp();
  const wb = useWorkbench();
  const unread = wb.conversations.reduce((n, c) => n + (c.unread || 0), 0);

  useEffect(() => {
    setTitleCount(unread, t('app.newMessages'), `${t('app.workbenchTitle')} · ${t('app.name')}`);
  }, [unread, t]);

  // Chats that arrive together (an agent coming back online gets their queue at once) make one notice.
  const arrived = useRef<Toast[]>([]);
  const flush = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(
    () =>
      agentStore.onToast((x) => {
        if (x.kind === 'assigned') {
          arrived.current.push(x);
          clearTimeout(flush.current);
          flush.current = setTimeout(() => {
            const batch = arrived.current.splice(0) as Extract<Toast, { kind: 'assigned' }>[];
            const one = batch[0];
            if (!one) return;
            const note = one.note === 'joined' ? t('sup.join.done') : one.note;
            const text = batch.length > 1 ? t('wb.assignedMany', { n: batch.length }) : note ? t('wb.assignedNote', { name: one.conversation.customer.displayName, note }) : t('wb.assigned', { name: one.conversation.customer.displayName });
            notification.info({ key: 'assigned', message: text, duration: 4 });
          }, 400);
        } else if (x.kind === 'unassigned') message.warning(t('wb.unassigned', { reason: x.reason }));
        else if (x.kind === 'taken') message.warning(t('wb.acceptTaken'));
        else if (x.kind === 'notification') notification.info({ message: t('notif.newWorkOrder', { title: x.title }), onClick: () => navigate(`/work-orders/${encodeURIComponent(x.id)}`) });
        else if (x.kind === 'error') message.error(x.message);
      }),
    [notification, message, t],
  );
}
