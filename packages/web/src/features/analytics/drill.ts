/**
 * Drill-down from a dashboard figure to the conversations behind it: the conversation search page's URL
 * (features/conversations) with the same definitions as the dashboards (docs/ANALYTICS.md).
 */
export type Outcome = 'robot' | 'handoff' | 'fallback' | 'clarify';
export type Drill = { outcome?: Outcome; agent?: string; rating?: number; bot?: string; intent?: string; channel?: string };

/** Local days (Asia/Shanghai, UTC+8 without daylight saving) as the instants the search takes: [from 00:00, the day after to 00:00). */
export function dayRange(from: string, to: string): { from: string; to: string } {
  const next = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { from: `${from}T00:00:00+08:00`, to: `${next}T00:00:00+08:00` };
}

export function conversationsUrl(range: { from: string; to: string }, d: Drill): string {
  const p = new URLSearchParams();
  const r = dayRange(range.from, range.to);
  p.set('from', r.from);
  p.set('to', r.to);
  for (const k of ['channel', 'outcome', 'agent', 'rating', 'bot', 'intent'] as const) {
    const v = d[k];
    if (v !== undefined && v !== '') p.set(k, String(v));
  }
  return `/conversations?${p.toString()}`;
}

/** The drill-down of an intent bar: flows and entries by id, robot decisions by outcome, others by the range only. */
export function intentDrill(key: string): Drill {
  if (key === 'fallback' || key === 'no_knowledge') return { outcome: 'fallback' };
  if (key === 'clarify') return { outcome: 'clarify' };
  if (key === 'handoff_request') return { outcome: 'handoff' };
  if (key.startsWith('flow:')) return { intent: key };
  return {};
}
