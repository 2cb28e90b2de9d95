import { useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, DatePicker, Drawer, Empty, Form, Input, Select, Space, Tabs, Tag, Timeline, Tooltip, TreeSelect, Typography } from 'antd';
import { CheckOutlined, CloseOutlined, DeleteOutlined, ExperimentOutlined, SendOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { hasRole, loadSession } from '../../shared/session.ts';
import { CHANNELS, type Category, type Channel, type ConfusionReport, type EntryDetail, type EntryInput, type KbApi } from './kb-api.ts';
import { categoryTree, splitLines, type CategoryNode } from './kb-utils.ts';
import { EntryStatusTag } from './labels.tsx';
import { RichTextEditor } from './rich-text.tsx';

type Draft = EntryInput & { answerTouched: boolean };

const empty = (categoryId: string | null): Draft => ({
  question: '', similar: [], answer: '', answerHtml: null, channelAnswers: {}, tags: [], validFrom: null, validTo: null, categoryId, answerTouched: false,
});
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const textToHtml = (s: string) => s.split(/\n+/).map((p) => `<p>${escapeHtml(p)}</p>`).join('');

export function treeSelectData(nodes: CategoryNode[]): { value: string; title: string; children: ReturnType<typeof treeSelectData> }[] {
  return nodes.map((n) => ({ value: n.id, title: n.name, children: treeSelectData(n.children) }));
}

/**
 * 知识条目编辑: question, similar questions (paste many, one per line; "check confusion" runs them through the bot's
 * model), rich-text answer, per-channel variants, tags, validity, category; review actions and the comment timeline.
 */
export function EntryEditor({ kb, open, entryId, categories, defaultCategory, onClose, onChanged }: {
  kb: KbApi;
  open: boolean;
  entryId: string | null;
  categories: Category[];
  defaultCategory: string | null;
  onClose(): void;
  onChanged(): void;
}) {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const user = loadSession()?.user;
  const canWrite = hasRole(user, 'admin', 'knowledge_operator');
  const canReview = hasRole(user, 'admin', 'supervisor');
  const [entry, setEntry] = useState<EntryDetail | null>(null);
  const [draft, setDraft] = useState<Draft>(empty(defaultCategory));
  const [paste, setPaste] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confusion, setConfusion] = useState<ConfusionReport | null>(null);
  const [comment, setComment] = useState('');
  const [tab, setTab] = useState('content');
  const [loadKey, setLoadKey] = useState('new');

  useEffect(() => {
    if (!open) return;
    setError(null);
    setConfusion(null);
    setComment('');
    setPaste('');
    setTab('content');
    if (!entryId) {
      setEntry(null);
      setDraft(empty(defaultCategory));
      setLoadKey(`new-${Date.now()}`);
      return;
    }
    kb.get(entryId).then((e) => {
      setEntry(e);
      setDraft({
        question: e.question, similar: e.similar, answer: e.answer, answerHtml: e.answerHtml ?? textToHtml(e.answer), channelAnswers: e.channelAnswers,
        tags: e.tags, validFrom: e.validFrom, validTo: e.validTo, categoryId: e.categoryId, answerTouched: false,
      });
      setLoadKey(`${e.id}-${e.updatedAt}`);
    }, (err: Error) => setError(err.message));
  }, [open, entryId, kb, defaultCategory]);

  const tree = useMemo(() => treeSelectData(categoryTree(categories)), [categories]);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const readOnly = !canWrite || entry?.status === 'archived';

  const run = async <T,>(fn: () => Promise<T>, ok?: string): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      const r = await fn();
      if (ok) message.success(ok);
      return r;
    } catch (e) {
      setError((e as Error).message);
      return undefined;
    } finally {
      setBusy(false);
    }
  };

  const save = async () => {
    if (!draft.question.trim()) return setError(t('kb.editor.required', { field: t('kb.question') }));
    if (!draft.answer.trim()) return setError(t('kb.editor.required', { field: t('kb.answer') }));
    const body: EntryInput = {
      question: draft.question.trim(), similar: draft.similar, answer: draft.answer.trim(), answerHtml: draft.answerHtml,
      channelAnswers: Object.fromEntries(Object.entries(draft.channelAnswers).filter(([, v]) => v?.trim())), tags: draft.tags,
      validFrom: draft.validFrom, validTo: draft.validTo, categoryId: draft.categoryId,
    };
    const saved = await run(() => (entry ? kb.update(entry.id, body) : kb.create(body)), t('kb.editor.saved'));
    if (!saved) return;
    const detail = await kb.get(saved.id);
    setEntry(detail);
    setLoadKey(`${detail.id}-${detail.updatedAt}`);
    onChanged();
  };

  const review = async (fn: () => Promise<EntryDetail>, ok: string) => {
    const d = await run(fn, ok);
    if (d) {
      setEntry(d);
      setComment('');
      onChanged();
    }
  };

  const checkConfusion = async () => {
    const questions = [draft.question, ...draft.similar].map((q) => q.trim()).filter(Boolean);
    if (!questions.length) return;
    const r = await run(() => kb.confusion({ entryId: entry?.externalId, questions }));
    if (r) setConfusion(r);
  };
  const confusionOf = (q: string) => confusion?.items.find((i) => i.question === q);

  const me = user ? `user:${user.id}` : '';
  const status = entry?.status;
  const ownSubmission = !!entry?.submittedBy && entry.submittedBy === me;

  const similarRow = (q: string, i: number) => {
    const c = confusionOf(q);
    const best = c?.matches[0];
    return (
      <div key={q} className={`kb-similar-row${c?.confused ? ' confused' : ''}`} data-testid="kb-similar-row">
        <span className="kb-similar-text" title={q}>{q}</span>
        {c && (c.confused && best ? (
          <Tag color="error" bordered={false} data-testid="kb-confused">{t('kb.editor.confusedWith', { title: best.title, score: best.score.toFixed(2) })}</Tag>
        ) : best && c.self ? (
          <Tag color="success" bordered={false}>{t('kb.editor.matchesSelf', { score: best.score.toFixed(2) })}</Tag>
        ) : !best ? <Tag bordered={false}>{t('kb.editor.noMatch')}</Tag> : null)}
        {!readOnly && <Button size="small" type="text" icon={<DeleteOutlined />} aria-label="remove" onClick={() => set({ similar: draft.similar.filter((_, j) => j !== i) })} />}
      </div>
    );
  };
  const questionCheck = confusionOf(draft.question);

  const content = (
    <Form layout="vertical" disabled={readOnly} requiredMark>
      <Form.Item label={t('kb.question')} required>
        <Input value={draft.question} maxLength={500} showCount onChange={(e) => set({ question: e.target.value })} data-testid="kb-question" />
        {questionCheck?.confused && questionCheck.matches[0] && (
          <Typography.Text type="danger">{t('kb.editor.confusedWith', { title: questionCheck.matches[0].title, score: questionCheck.matches[0].score.toFixed(2) })}</Typography.Text>
        )}
      </Form.Item>
      <Form.Item label={<Space>{t('kb.similar')}<Typography.Text type="secondary">({draft.similar.length})</Typography.Text></Space>}>
        <div className="kb-similar-list" data-testid="kb-similar-list">
          {draft.similar.length ? draft.similar.map(similarRow) : <Typography.Text type="secondary">{t('kb.editor.similarEmpty')}</Typography.Text>}
        </div>
        <Space.Compact style={{ width: '100%', marginTop: 6 }}>
          <Input.TextArea value={paste} onChange={(e) => setPaste(e.target.value)} placeholder={t('kb.editor.similarPaste')} autoSize={{ minRows: 1, maxRows: 5 }} data-testid="kb-similar-paste" />
          <Button onClick={() => { set({ similar: splitLines(paste, draft.similar) }); setPaste(''); }} disabled={!paste.trim()} data-testid="kb-similar-add">{t('kb.editor.similarAdd')}</Button>
        </Space.Compact>
        <Space style={{ marginTop: 6 }} wrap>
          {/* disabled={false}: reviewers (read-only form) may run the check too. */}
          <Button size="small" icon={<ExperimentOutlined />} onClick={() => void checkConfusion()} disabled={false} loading={busy} data-testid="kb-check-confusion">{t('kb.editor.checkConfusion')}</Button>
          {confusion && (
            <Typography.Text type={confusion.confusedCount ? 'danger' : 'success'} data-testid="kb-confusion-summary">
              {confusion.confusedCount ? t('kb.editor.confusionFound', { n: confusion.confusedCount }) : t('kb.editor.confusionNone')}
            </Typography.Text>
          )}
          {confusion && <Typography.Text type="secondary">{t('kb.editor.confusionVersion', { version: confusion.version })}</Typography.Text>}
        </Space>
      </Form.Item>
      <Form.Item label={t('kb.answer')} required>
        {readOnly ? (
          <div className="kb-rte kb-rte-body" dangerouslySetInnerHTML={{ __html: draft.answerHtml ?? textToHtml(draft.answer) }} />
        ) : (
          <RichTextEditor value={draft.answerHtml ?? ''} resetKey={loadKey} onChange={(html, text) => set({ answerHtml: html, answer: text, answerTouched: true })} testId="kb-answer" />
        )}
      </Form.Item>
      <Space size={12} wrap style={{ width: '100%' }}>
        <Form.Item label={t('kb.category')} style={{ minWidth: 220 }}>
          <TreeSelect allowClear treeDefaultExpandAll value={draft.categoryId ?? undefined} treeData={tree} onChange={(v) => set({ categoryId: (v as string | undefined) ?? null })} placeholder={t('kb.category.none')} style={{ width: 220 }} data-testid="kb-category" />
        </Form.Item>
        <Form.Item label={t('kb.tags')} style={{ minWidth: 220 }}>
          <Select mode="tags" value={draft.tags} onChange={(v) => set({ tags: v })} style={{ width: 220 }} tokenSeparators={[',', '，']} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item label={t('kb.validity')}>
          <DatePicker.RangePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            allowEmpty={[true, true]}
            value={[draft.validFrom ? dayjs(draft.validFrom) : null, draft.validTo ? dayjs(draft.validTo) : null]}
            onChange={(v) => set({ validFrom: (v?.[0] as Dayjs | null)?.toISOString() ?? null, validTo: (v?.[1] as Dayjs | null)?.toISOString() ?? null })}
          />
        </Form.Item>
      </Space>
    </Form>
  );

  const channels = (
    <Tabs
      size="small"
      tabPosition="left"
      items={CHANNELS.map((c: Channel) => ({
        key: c,
        label: <span>{c}{draft.channelAnswers[c] ? ' •' : ''}</span>,
        children: (
          <Input.TextArea
            disabled={readOnly}
            value={draft.channelAnswers[c] ?? ''}
            onChange={(e) => set({ channelAnswers: { ...draft.channelAnswers, [c]: e.target.value } })}
            placeholder={t('kb.editor.channelHint')}
            autoSize={{ minRows: 6, maxRows: 14 }}
            maxLength={20000}
          />
        ),
      }))}
    />
  );

  const timeline = (
    <div>
      {entry ? (
        <>
          {entry.comments.length ? (
            <Timeline
              data-testid="kb-timeline"
              items={entry.comments.map((c) => ({
                color: c.action === 'reject' ? 'red' : c.action === 'approve' || c.action === 'publish' ? 'green' : c.action === 'submit' ? 'blue' : 'gray',
                children: (
                  <div>
                    <Space size={6} wrap>
                      <Typography.Text strong>{t(`kb.review.action.${c.action}`)}</Typography.Text>
                      <Typography.Text type="secondary">{c.authorName ?? c.author} · {formatDateTime(c.createdAt, locale)}</Typography.Text>
                    </Space>
                    {c.text && <div style={{ whiteSpace: 'pre-wrap' }}>{c.text}</div>}
                  </div>
                ),
              }))}
            />
          ) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kb.review.noComments')} />}
          {(canWrite || canReview) && (
            <Space.Compact style={{ width: '100%' }}>
              <Input.TextArea value={comment} onChange={(e) => setComment(e.target.value)} placeholder={t('kb.review.commentPlaceholder')} autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} data-testid="kb-comment" />
              <Button disabled={!comment.trim()} onClick={() => void review(() => kb.comment(entry.id, comment), t('kb.editor.saved'))}>{t('kb.review.addComment')}</Button>
            </Space.Compact>
          )}
        </>
      ) : <Typography.Text type="secondary">{t('kb.editor.unsavedReview')}</Typography.Text>}
    </div>
  );

  const actions = (
    <Space size={6} wrap>
      {status && <EntryStatusTag s={status} />}
      {entry && canWrite && status === 'draft' && (
        <Button icon={<SendOutlined />} onClick={() => void review(() => kb.submit(entry.id, comment || undefined), t('kb.review.submit'))} loading={busy} data-testid="kb-submit">{t('kb.review.submit')}</Button>
      )}
      {entry && canReview && status === 'submitted' && (
        <Tooltip title={ownSubmission ? t('kb.review.fourEyes') : undefined}>
          <Button type="primary" ghost icon={<CheckOutlined />} disabled={ownSubmission} onClick={() => void review(() => kb.approve(entry.id, comment || undefined), t('kb.review.approve'))} data-testid="kb-approve">{t('kb.review.approve')}</Button>
        </Tooltip>
      )}
      {entry && canReview && (status === 'submitted' || status === 'approved') && (
        <Tooltip title={!comment.trim() ? t('kb.review.rejectReason') : undefined}>
          <Button danger icon={<CloseOutlined />} disabled={!comment.trim()} onClick={() => void review(() => kb.reject(entry.id, comment), t('kb.review.reject'))} data-testid="kb-reject">{t('kb.review.reject')}</Button>
        </Tooltip>
      )}
      {canWrite && !readOnly && <Button type="primary" onClick={() => void save()} loading={busy} data-testid="kb-save">{t('kb.editor.save')}</Button>}
    </Space>
  );

  return (
    <Drawer
      open={open}
      onClose={onClose}
      width={Math.min(880, window.innerWidth - 40)}
      title={entry ? t('kb.editor.edit', { id: entry.externalId }) : t('kb.editor.new')}
      extra={actions}
      destroyOnClose
      data-testid="kb-editor"
    >
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} style={{ marginBottom: 12 }} data-testid="kb-editor-error" />}
      {entry?.live && status !== 'published' && status !== 'archived' && (
        <Alert type="info" showIcon message={t('kb.editor.pendingLive')} style={{ marginBottom: 12 }} data-testid="kb-editor-pending-live" />
      )}
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'content', label: t('kb.editor.content'), children: content },
          { key: 'channels', label: t('kb.editor.channels'), children: channels },
          { key: 'review', label: <span data-testid="kb-tab-review">{t('kb.editor.review')}{entry?.comments.length ? ` (${entry.comments.length})` : ''}</span>, children: timeline },
        ]}
      />
    </Drawer>
  );
}
