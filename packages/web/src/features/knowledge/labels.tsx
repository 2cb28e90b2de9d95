import { Tag } from 'antd';
import { useT } from '../../shared/i18n.tsx';
import type { EntryStatus } from './kb-api.ts';

const COLOR: Record<EntryStatus, string> = { draft: 'default', submitted: 'processing', approved: 'cyan', published: 'success', archived: 'warning' };

export function EntryStatusTag({ s }: { s: EntryStatus }) {
  const t = useT();
  return <Tag color={COLOR[s]} bordered={false} data-status={s}>{t(`kb.status.${s}`)}</Tag>;
}

/** "valid" / "expired" / "future" of an entry's period now, or null when it has none. */
export function validityOf(from: string | null, to: string | null, now = Date.now()): 'valid' | 'expired' | 'future' | null {
  if (!from && !to) return null;
  if (to && Date.parse(to) < now) return 'expired';
  if (from && Date.parse(from) > now) return 'future';
  return 'valid';
}

export function ValidityTag({ from, to }: { from: string | null; to: string | null }) {
  const t = useT();
  const v = validityOf(from, to);
  if (!v) return <Tag bordered={false}>{t('kb.validity.always')}</Tag>;
  return <Tag bordered={false} color={v === 'valid' ? 'green' : v === 'expired' ? 'red' : 'gold'}>{t(`kb.validity.${v}`)}</Tag>;
}
