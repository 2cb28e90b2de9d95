import type { Locale } from './i18n.tsx';

/** "3:05" / "1:02:07" style for waits and handle times. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function secondsSince(iso: string | null | undefined, now = Date.now()): number {
  if (!iso) return 0;
  return Math.max(0, (now - Date.parse(iso)) / 1000);
}

/** Time of day for today, date and time otherwise. */
export function formatTime(iso: string | Date | null | undefined, locale: Locale): string {
  if (!iso) return '';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay
    ? d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false })
    : d.toLocaleString(locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function formatDateTime(iso: string | Date | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** Minutes as "2 小时 5 分" / "2 h 5 min". */
export function formatMinutes(min: number, locale: Locale): string {
  const neg = min < 0;
  const m = Math.abs(Math.round(min));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  const zh = locale === 'zh-CN';
  const parts: string[] = [];
  if (d) parts.push(zh ? `${d} 天` : `${d} d`);
  if (h) parts.push(zh ? `${h} 小时` : `${h} h`);
  if (mm || parts.length === 0) parts.push(zh ? `${mm} 分` : `${mm} min`);
  return (neg ? '-' : '') + parts.slice(0, 2).join(' ');
}
