import { useEffect, useRef } from 'react';
import { Avatar, Divider, Spin, Typography } from 'antd';
import { CustomerServiceFilled, ExclamationCircleOutlined, LoadingOutlined, RobotFilled, UserOutlined } from '@ant-design/icons';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import { formatTime } from '../../shared/format.ts';
import type { MessageKey } from '../../shared/messages.ts';
import { parseWrapup, robotPartEnd, type TranscriptItem } from './transcript.ts';
import { categoryLabel, useWrapupCategories } from './use-reference-data.ts';
import type { WrapupCategory } from './workbench-api.ts';

/**
 * The conversation as the agent reads it: the customer on the left; our side on the right — the robot's replies in
 * their own grey style with a robot mark, the agents' in blue; service notices centred. A divider marks where the
 * robot's part ends.
 */
export function TranscriptView({ items, loading, typing, customerName }: { items: TranscriptItem[]; loading: boolean; typing: boolean; customerName: string }) {
  const { t, locale } = useI18n();
  const end = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const robotEnd = robotPartEnd(items);
  const cats = useWrapupCategories();

  // Follow new lines while the agent is at the bottom; leave the scroll alone when they read further up.
  const count = items.length;
  const stick = useRef(true);
  useEffect(() => {
    if (stick.current) end.current?.scrollIntoView({ block: 'end' });
  }, [count, typing]);
  const onScroll = () => {
    const el = box.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  if (loading && !items.length) return <div className="transcript center"><Spin tip={t('wb.loadingTranscript')}><div style={{ width: 200, height: 60 }} /></Spin></div>;
  return (
    <div className="transcript" ref={box} onScroll={onScroll} data-testid="transcript">
      {!items.length && <div className="transcript-empty">{t('wb.transcriptEmpty')}</div>}
      {items.map((it, i) => (
        <div key={it.seq ?? it.clientMsgId ?? i}>
          {i === robotEnd && <Divider plain className="robot-divider"><RobotFilled /> {t('wb.robotPart')}</Divider>}
          <Line it={it} t={t} locale={locale} customerName={customerName} cats={cats} />
        </div>
      ))}
      {typing && <div className="typing-line">{t('wb.typing')}</div>}
      <div ref={end} />
    </div>
  );
}

function Line({ it, t, locale, customerName, cats }: { it: TranscriptItem; t: Translate; locale: 'zh-CN' | 'en-US'; customerName: string; cats: WrapupCategory[] }) {
  const time = formatTime(it.at, locale);
  if (it.kind === 'system') return <div className="msg-system" data-kind="system" data-type={it.type}><span title={it.text}>{noticeText(it, t, locale, cats)}</span><span className="msg-system-time">{time}</span></div>;
  const mine = it.kind !== 'customer';
  const who = it.kind === 'customer' ? customerName : it.kind === 'bot' ? t('wb.who.bot') : it.agentName || t('wb.who.agent');
  const avatar =
    it.kind === 'customer' ? <Avatar size={30} icon={<UserOutlined />} style={{ background: '#8c8c8c' }} />
    : it.kind === 'bot' ? <Avatar size={30} icon={<RobotFilled />} style={{ background: '#7265e6' }} />
    : <Avatar size={30} icon={<CustomerServiceFilled />} style={{ background: '#1668dc' }} />;
  return (
    <div className={`msg ${mine ? 'ours' : 'theirs'} msg-${it.kind}`} data-kind={it.kind}>
      {avatar}
      <div className="msg-body">
        <div className="msg-meta">
          <span>{who}</span>
          <span>{time}</span>
        </div>
        <div className="msg-bubble">
          {it.text}
          {it.reply?.options?.length ? (
            <ol className="msg-options">{it.reply.options.map((o) => <li key={o.n}>{o.text}</li>)}</ol>
          ) : null}
        </div>
        {it.pending && <LoadingOutlined className="msg-state" />}
        {it.failed && <Typography.Text type="danger" className="msg-state"><ExclamationCircleOutlined /> {t('wb.sendFailed', { message: '' })}</Typography.Text>}
      </div>
    </div>
  );
}

/** The code in the server's notice, e.g. `（pick）` or `（agent：reason）`. */
const codeIn = (text: string) => /[（(]([a-z_]+)(?:[：:，,][^）)]*)?[）)]/.exec(text)?.[1];

const known = (t: Translate, key: string): string | null => {
  const v = t(key as MessageKey);
  return v === key ? null : v;
};

/**
 * A service notice, worded in the UI's language from its event type and the codes the server put in it (how an
 * agent joined, why the robot handed off, who closed). Lines the UI does not know keep the server's wording, which
 * is also the tooltip.
 */
export function noticeText(it: TranscriptItem, t: Translate, locale: 'zh-CN' | 'en-US', cats: WrapupCategory[]): string {
  const name = it.agentName ?? t('wb.who.agent');
  const code = codeIn(it.text);
  const why = (prefix: string) => (code ? known(t, `${prefix}.${code}`) : null);
  switch (it.type) {
    case 'conversation.wrapup': {
      const w = parseWrapup(it.text);
      return w ? t('wb.notice.wrapup', { category: categoryLabel(w.category, cats, locale) }) + (w.summary ? ` · ${w.summary}` : '') : it.text;
    }
    case 'conversation.handoff': {
      const r = why('wb.reason');
      return t('wb.notice.handoff') + (r ? ` · ${r}` : '');
    }
    case 'conversation.assigned': {
      const by = why('wb.by');
      return t('wb.notice.assigned', { name }) + (by ? ` · ${by}` : '');
    }
    case 'conversation.unassigned': {
      const r = why('wb.reason');
      return t('wb.notice.left', { name }) + (r ? ` · ${r}` : '');
    }
    case 'conversation.joined':
      return t('wb.notice.joined', { name });
    case 'conversation.closed': {
      const by = why('wb.closedBy');
      return t('wb.notice.closed') + (by ? ` · ${by}` : '');
    }
    case 'conversation.queued':
      return locale === 'zh-CN' ? it.text : t('wb.notice.queued');
    case 'conversation.transferred':
      return locale === 'zh-CN' ? it.text : t('wb.notice.transferred');
    case 'conversation.message_left':
      return locale === 'zh-CN' ? it.text : t('wb.notice.messageLeft');
    default:
      return it.text;
  }
}
