import { Tag } from 'antd';
import { useT } from '../../shared/i18n.tsx';

const COLORS = { robot: 'green', handoff: 'orange', fallback: 'red', clarify: 'blue' } as const;

/** The outcome of a conversation: robot (no hand-off) or hand-off, plus fallback / clarification when they happened. */
export function OutcomeTag({ hit }: { hit: { handoff: boolean; fallback: boolean; clarify: boolean } }) {
  const t = useT();
  const tags: (keyof typeof COLORS)[] = [hit.handoff ? 'handoff' : 'robot'];
  if (hit.fallback) tags.push('fallback');
  if (hit.clarify) tags.push('clarify');
  return (
    <span className="conv-outcome" data-testid="conv-outcome-tag">
      {tags.map((o) => <Tag key={o} color={COLORS[o]} className="tag-tight">{t(`conv.outcome.${o}`)}</Tag>)}
    </span>
  );
}
