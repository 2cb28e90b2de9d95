import { useCallback, useEffect, useRef, useState } from 'react';
import { App, Button, Empty, Input, List, Popover, Segmented, Space, Spin, Typography } from 'antd';
import { BookOutlined, MessageOutlined, SendOutlined, StarOutlined } from '@ant-design/icons';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useI18n } from '../../shared/i18n.tsx';
import { agentStore } from './use-workbench.ts';
import { workbenchApi, type KnowledgeAnswer, type QuickReply } from './workbench-api.ts';

/** Drafts survive switching between conversations (kept for the tab's life only). */
const drafts = new Map<string, string>();

/** The reply box: text, quick replies (team and personal), knowledge answers; Enter sends, Shift+Enter breaks the line. */
export function ReplyBox({ conversationId, disabled }: { conversationId: string; disabled: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [text, setText] = useState(() => drafts.get(conversationId) ?? '');
  const [sending, setSending] = useState(false);
  const ref = useRef<TextAreaRef>(null);
  const typingOn = useRef(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => {
    setText(drafts.get(conversationId) ?? '');
  }, [conversationId]);

  const update = useCallback(
    (v: string) => {
      setText(v);
      drafts.set(conversationId, v);
      if (!typingOn.current && v) {
        typingOn.current = true;
        agentStore.typing(conversationId, true);
      }
      clearTimeout(typingTimer.current);
      typingTimer.current = setTimeout(() => {
        if (typingOn.current) agentStore.typing(conversationId, false);
        typingOn.current = false;
      }, 3000);
    },
    [conversationId],
  );

  // Assist, knowledge and quick replies insert here: into an empty box as is, after what is there otherwise.
  useEffect(
    () =>
      agentStore.onInsert((id, snippet) => {
        if (id !== conversationId) return;
        const cur = drafts.get(id) ?? '';
        update(cur.trim() ? `${cur.replace(/\s+$/, '')}\n${snippet}` : snippet);
        requestAnimationFrame(() => ref.current?.focus({ cursor: 'end' }));
      }),
    [conversationId, update],
  );

  const send = async () => {
    const v = text.trim();
    if (!v || sending || disabled) return;
    setSending(true);
    try {
      update('');
      await agentStore.send(conversationId, v);
    } catch (e) {
      message.error(t('wb.sendFailed', { message: (e as Error).message }));
      update(v);
    } finally {
      setSending(false);
      ref.current?.focus();
    }
  };

  return (
    <div className="reply-box">
      <div className="reply-tools">
        <QuickReplies conversationId={conversationId} draft={text} disabled={disabled} />
        <KnowledgeSearch conversationId={conversationId} disabled={disabled} />
      </div>
      <Input.TextArea
        ref={ref}
        value={text}
        disabled={disabled}
        onChange={(e) => update(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
        placeholder={disabled ? t('wb.readOnly') : t('wb.replyPlaceholder')}
        autoSize={{ minRows: 3, maxRows: 8 }}
        variant="borderless"
        maxLength={2000}
        aria-label={t('wb.replyPlaceholder')}
        data-testid="reply-input"
      />
      <div className="reply-foot">
        <Typography.Text type="secondary" className="reply-count">{text.length}/2000</Typography.Text>
        <Button type="primary" icon={<SendOutlined />} onClick={() => void send()} disabled={!text.trim() || disabled} loading={sending} data-testid="send">
          {t('wb.send')}
        </Button>
      </div>
    </div>
  );
}

function QuickReplies({ conversationId, draft, disabled }: { conversationId: string; draft: string; disabled: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<QuickReply[] | null>(null);
  const [scope, setScope] = useState<'team' | 'personal'>('team');
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    workbenchApi.quickReplies().then(setItems, (e: Error) => {
      setItems([]);
      setError(e.message);
    });
  }, []);
  useEffect(() => {
    if (open && items === null) load();
  }, [open, items, load]);

  const shown = (items ?? []).filter((q) => q.scope === scope && (!filter || q.title.includes(filter) || q.text.includes(filter)));
  const content = (
    <div className="qr-panel">
      <Space.Compact block style={{ marginBottom: 8 }}>
        <Segmented size="small" value={scope} onChange={(v) => setScope(v as 'team' | 'personal')} options={[{ value: 'team', label: t('wb.quickReplies.team') }, { value: 'personal', label: t('wb.quickReplies.personal') }]} />
      </Space.Compact>
      <Input.Search size="small" allowClear placeholder={t('wb.quickReplies.search')} value={filter} onChange={(e) => setFilter(e.target.value)} style={{ marginBottom: 8 }} />
      {items === null ? (
        <Spin size="small" />
      ) : (
        <List
          size="small"
          className="qr-list"
          dataSource={shown}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={error ?? t('wb.quickReplies.empty')} /> }}
          renderItem={(q) => (
            <List.Item
              className="qr-item"
              onClick={() => {
                agentStore.insert(conversationId, q.text);
                setOpen(false);
              }}
            >
              <div>
                <Typography.Text strong>{q.title}</Typography.Text>
                <div className="qr-text">{q.text}</div>
              </div>
            </List.Item>
          )}
        />
      )}
      {scope === 'personal' && draft.trim() && (
        <Button
          size="small"
          block
          icon={<StarOutlined />}
          onClick={async () => {
            try {
              const title = draft.trim().slice(0, 16);
              const q = await workbenchApi.addQuickReply(title, draft.trim());
              setItems((cur) => [...(cur ?? []), q]);
              message.success(t('wb.quickReplies.added'));
            } catch (e) {
              message.error((e as Error).message);
            }
          }}
        >
          {t('wb.quickReplies.add')}
        </Button>
      )}
    </div>
  );
  return (
    <Popover open={open} onOpenChange={setOpen} trigger="click" placement="topLeft" content={content} title={t('wb.quickReplies')} destroyOnHidden>
      <Button type="text" size="small" icon={<MessageOutlined />} disabled={disabled}>{t('wb.quickReplies')}</Button>
    </Popover>
  );
}

function KnowledgeSearch({ conversationId, disabled }: { conversationId: string; disabled: boolean }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<KnowledgeAnswer[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const search = async (v: string) => {
    if (!v.trim()) return;
    setLoading(true);
    setError(null);
    try {
      setHits(await workbenchApi.searchKnowledge(conversationId, v.trim()));
    } catch (e) {
      setHits([]);
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };

  const content = (
    <div className="kb-panel">
      <Input.Search size="small" placeholder={t('wb.knowledge.search')} value={q} onChange={(e) => setQ(e.target.value)} onSearch={search} loading={loading} allowClear autoFocus />
      {hits && (
        <List
          size="small"
          className="kb-list"
          dataSource={hits}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={error ?? t('wb.knowledge.empty')} /> }}
          renderItem={(h) => (
            <List.Item
              actions={[
                <Button
                  key="ins"
                  size="small"
                  type="link"
                  onClick={() => {
                    agentStore.insert(conversationId, h.answer);
                    setOpen(false);
                  }}
                >
                  {t('wb.insert')}
                </Button>,
              ]}
            >
              <List.Item.Meta title={<span>{h.question} <Typography.Text type="secondary" className="kb-score">{Math.round(h.score * 100)}%</Typography.Text></span>} description={<Typography.Paragraph ellipsis={{ rows: 3, expandable: true }} style={{ margin: 0 }}>{h.answer}</Typography.Paragraph>} />
            </List.Item>
          )}
        />
      )}
    </div>
  );
  return (
    <Popover open={open} onOpenChange={setOpen} trigger="click" placement="topLeft" content={content} title={t('wb.knowledge')}>
      <Button type="text" size="small" icon={<BookOutlined />} disabled={disabled}>{t('wb.knowledge')}</Button>
    </Popover>
  );
}
