import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Empty, List, Popover, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatTime } from '../../shared/format.ts';
import { navigate } from '../../shared/router.tsx';
import { agentStore, useWorkbench } from '../workbench/use-workbench.ts';
import { workOrdersApi, type Notification } from './work-orders-api.ts';

/** The bell: my unread notifications (work orders assigned to me), live from the socket and re-read every minute. */
export function NotificationBell() {
  const { t, locale } = useI18n();
  const wb = useWorkbench();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);

  const load = useCallback(() => {
    workOrdersApi.notifications().then(
      (r) => {
        setItems(r.items);
        setUnread(r.unread);
      },
      () => undefined,
    );
  }, []);
  useEffect(() => {
    load();
    const timer = setInterval(load, 60_000);
    return () => clearInterval(timer);
  }, [load]);
  useEffect(() => {
    if (wb.liveNotifications) load();
  }, [wb.liveNotifications, load]);

  const openItem = async (n: Notification) => {
    setOpen(false);
    if (!n.readAt) {
      await workOrdersApi.readNotification(n.id).catch(() => undefined);
      load();
    }
    if (n.kind === 'work_order') navigate(`/work-orders/${encodeURIComponent(n.refId)}`);
  };

  const content = (
    <div className="notif-panel">
      <List
        size="small"
        dataSource={items}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notif.empty')} /> }}
        renderItem={(n) => (
          <List.Item className={`notif-item${n.readAt ? '' : ' unread'}`} onClick={() => void openItem(n)}>
            <div className="notif-line">
              <Badge status={n.readAt ? 'default' : 'processing'} />
              <Typography.Text ellipsis style={{ flex: 1 }}>{n.kind === 'work_order' ? t('notif.newWorkOrder', { title: n.title }) : n.title}</Typography.Text>
              <Typography.Text type="secondary" className="notif-time">{formatTime(n.createdAt, locale)}</Typography.Text>
            </div>
          </List.Item>
        )}
      />
    </div>
  );

  return (
    <Popover
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) {
          load();
          agentStore.clearLiveNotifications();
        }
      }}
      trigger="click"
      placement="bottomRight"
      title={
        <div className="notif-head">
          <span>{t('notif.title')}</span>
          <Button type="link" size="small" disabled={!unread} onClick={() => void workOrdersApi.readAll().then(load)}>{t('notif.markAll')}</Button>
        </div>
      }
      content={content}
    >
      <Badge count={unread} size="small" offset={[-2, 2]}>
        <Button type="text" size="small" icon={<BellOutlined style={{ fontSize: 16 }} />} aria-label={t('notif.title')} data-testid="bell" />
      </Badge>
    </Popover>
  );
}
