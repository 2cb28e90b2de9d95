import { Tag } from 'antd';
import type { Presence } from '@lingxi/contracts';
import type { MessageKey } from '../../shared/messages.ts';
import { useT } from '../../shared/i18n.tsx';

const CHANNEL_COLORS: Record<string, string> = { web: 'blue', app: 'geekblue', wechat: 'green', wecom: 'cyan', sms: 'gold', rcs: 'purple', email: 'magenta', phone: 'volcano', api: 'default' };

export function ChannelTag({ channel }: { channel: string }) {
  const t = useT();
  const key = `wb.channel.${channel}` as MessageKey;
  const label = t(key);
  return <Tag color={CHANNEL_COLORS[channel] ?? 'default'} bordered={false} className="tag-tight">{label === key ? channel : label}</Tag>;
}

export const PRESENCE_COLOR: Record<Presence, string> = { online: '#52c41a', busy: '#f5222d', away: '#faad14', offline: '#bfbfbf' };

export function PresenceDot({ presence }: { presence: Presence }) {
  return <span className="presence-dot" style={{ background: PRESENCE_COLOR[presence] }} />;
}

/** The first character of a name for an avatar ("访客3F2A" → "访"). */
export const initialOf = (name: string) => (name.trim()[0] ?? '?').toUpperCase();

export function avatarColor(seed: string): string {
  const palette = ['#1668dc', '#13a8a8', '#722ed1', '#eb2f96', '#fa8c16', '#52c41a', '#2f54eb', '#a0d911'];
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return palette[h % palette.length];
}
