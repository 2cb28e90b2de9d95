import { Tag, Tooltip } from 'antd';
import { CheckCircleOutlined, ClockCircleOutlined, ExclamationCircleOutlined, MinusCircleOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime, formatMinutes } from '../../shared/format.ts';
import type { Priority, SlaTarget, Status, WorkOrder } from './work-orders-api.ts';

const PRIORITY_COLOR: Record<Priority, string> = { urgent: 'red', high: 'orange', normal: 'blue', low: 'default' };
const STATUS_COLOR: Record<Status, string> = { new: 'cyan', in_progress: 'processing', pending_customer: 'gold', resolved: 'success', closed: 'default' };

export function PriorityTag({ p }: { p: Priority }) {
  const { t } = useI18n();
  return <Tag color={PRIORITY_COLOR[p]} bordered={false}>{t(`wo.priority.${p}`)}</Tag>;
}

export function StatusTag({ s }: { s: Status }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLOR[s]} bordered={false} data-status={s}>{t(`wo.status.${s}`)}</Tag>;
}

/** One SLA target: met, breached (red), pending with the time left (orange when under an hour), or none. */
export function SlaTargetBadge({ target, label }: { target: SlaTarget; label: string }) {
  const { t, locale } = useI18n();
  const due = target.dueAt ? t('wo.sla.due', { time: formatDateTime(target.dueAt, locale) }) : t('wo.sla.none');
  let tag;
  if (target.state === 'none') tag = <Tag icon={<MinusCircleOutlined />} bordered={false}>{t('wo.sla.none')}</Tag>;
  else if (target.state === 'met') tag = <Tag icon={<CheckCircleOutlined />} color="success" bordered={false}>{t('wo.sla.met')}</Tag>;
  else if (target.state === 'breached')
    tag = <Tag icon={<ExclamationCircleOutlined />} color="error" bordered={false}>{target.remainingMinutes !== null ? t('wo.sla.overdue', { time: formatMinutes(-target.remainingMinutes, locale) }) : t('wo.sla.breached')}</Tag>;
  else tag = <Tag icon={<ClockCircleOutlined />} color={(target.remainingMinutes ?? 0) < 60 ? 'warning' : 'blue'} bordered={false}>{t('wo.sla.remaining', { time: formatMinutes(target.remainingMinutes ?? 0, locale) })}</Tag>;
  return <Tooltip title={`${label} · ${due}`}>{tag}</Tooltip>;
}

/** The target that matters now: first response until it is done, then resolution. */
export function SlaBadge({ w }: { w: WorkOrder }) {
  const { t } = useI18n();
  const fr = w.sla.firstResponse;
  const pendingFr = fr.state === 'pending' || (fr.state === 'breached' && fr.remainingMinutes !== null);
  const target = pendingFr ? fr : w.sla.resolution.state !== 'none' ? w.sla.resolution : fr;
  return <SlaTargetBadge target={target} label={t(pendingFr ? 'wo.sla.firstResponse' : 'wo.sla.resolution')} />;
}
