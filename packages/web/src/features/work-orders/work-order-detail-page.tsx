import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Input, List, Result, Row, Segmented, Skeleton, Space, Tag, Timeline, Typography, Upload } from 'antd';
import { ArrowLeftOutlined, DownloadOutlined, LockOutlined, PaperClipOutlined, UploadOutlined, UserAddOutlined } from '@ant-design/icons';
import { ApiError } from '../../shared/api.ts';
import { pickLabel, useI18n } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { formatDateTime } from '../../shared/format.ts';
import { navigate } from '../../shared/router.tsx';
import { loadSession } from '../../shared/session.ts';
import { PriorityTag, SlaTargetBadge, StatusTag } from './labels.tsx';
import { fileToBase64, workOrdersApi, type Attachment, type Comment, type FieldDefinition, type Status, type WorkOrder, type WorkOrderType } from './work-orders-api.ts';

const MAX_BYTES = 5 * 1024 * 1024;

/** One work order: status moves (only the allowed ones), SLA, custom fields, activity (internal/public), attachments. */
export function WorkOrderDetailPage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [w, setW] = useState<WorkOrder | null>(null);
  const [type, setType] = useState<WorkOrderType | null>(null);
  const [comments, setComments] = useState<Comment[]>([]);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [visibility, setVisibility] = useState<'internal' | 'public'>('internal');

  const load = useCallback(async () => {
    try {
      const wo = await workOrdersApi.get(id);
      setW(wo);
      setError(null);
      const [cs, as, types] = await Promise.all([workOrdersApi.comments(wo.id), workOrdersApi.attachments(wo.id), workOrdersApi.types()]);
      setComments(cs);
      setAttachments(as);
      setType(types.find((x) => x.id === wo.typeId) ?? null);
    } catch (e) {
      setError(e as ApiError);
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  const move = async (to: Status) => {
    if (!w) return;
    setBusy(to);
    try {
      const next = await workOrdersApi.transition(w.id, to);
      setW(next);
      message.success(t('wo.transitioned', { status: t(`wo.status.${to}`) }));
      setComments(await workOrdersApi.comments(w.id));
    } catch (e) {
      message.error((e as Error).message);
      void load();
    } finally {
      setBusy(null);
    }
  };

  const assignToMe = async () => {
    const me = loadSession()?.user.id;
    if (!w || !me) return;
    setBusy('assign');
    try {
      setW(await workOrdersApi.patch(w.id, { assigneeUserId: me }));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const addComment = async () => {
    if (!w || !note.trim()) return;
    setBusy('comment');
    try {
      await workOrdersApi.addComment(w.id, note.trim(), visibility);
      setNote('');
      message.success(t('wo.comment.added'));
      const [cs, wo] = await Promise.all([workOrdersApi.comments(w.id), workOrdersApi.get(w.id)]);
      setComments(cs);
      setW(wo);
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const upload = async (file: File) => {
    if (!w) return;
    if (file.size > MAX_BYTES) {
      message.error(t('wo.attachments.tooBig'));
      return;
    }
    setBusy('upload');
    try {
      await workOrdersApi.upload(w.id, { filename: file.name, contentType: file.type || 'application/octet-stream', data: await fileToBase64(file) });
      message.success(t('wo.attachments.uploaded', { name: file.name }));
      setAttachments(await workOrdersApi.attachments(w.id));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const fieldRows = useMemo(() => fieldItems(w, type?.fields ?? [], locale, t), [w, type, locale, t]);

  if (error) {
    return error.status === 404 ? (
      <Result status="404" title={t('wo.notFound')} extra={<Button onClick={() => navigate('/work-orders')}>{t('wo.back')}</Button>} />
    ) : (
      <Alert type="error" showIcon message={error.message} action={<Button onClick={() => void load()}>{t('app.retry')}</Button>} />
    );
  }
  if (!w) return <Card><Skeleton active /></Card>;

  return (
    <div className="page wo-detail" data-testid="wo-detail">
      <Card size="small" className="wo-head">
        <div className="wo-head-row">
          <Space size={8} wrap>
            <Button type="text" size="small" icon={<ArrowLeftOutlined />} onClick={() => navigate('/work-orders')} aria-label={t('wo.back')} />
            <Typography.Text type="secondary" copyable>{w.number}</Typography.Text>
            <StatusTag s={w.status} />
            <PriorityTag p={w.priority} />
            <Tag bordered={false}>{pickLabel(w.typeName, locale) || w.typeId}</Tag>
            {w.reopenCount > 0 && <Tag bordered={false} color="purple">{t('wo.reopens', { n: w.reopenCount })}</Tag>}
            {w.masked && <Tag bordered={false} icon={<LockOutlined />}>{t('wo.masked')}</Tag>}
          </Space>
          <Space size={6} wrap>
            {!w.assignee && <Button size="small" icon={<UserAddOutlined />} loading={busy === 'assign'} onClick={() => void assignToMe()}>{t('wo.assignToMe')}</Button>}
            {w.allowedTransitions.map((to) => {
              const reopen = to === 'in_progress' && (w.status === 'resolved' || w.status === 'closed');
              return (
                <Button key={to} size="small" type={to === 'resolved' ? 'primary' : 'default'} danger={to === 'closed'} loading={busy === to} onClick={() => void move(to)} data-transition={to}>
                  {t(reopen ? 'wo.action.reopen' : (`wo.action.${to}` as MessageKey))}
                </Button>
              );
            })}
          </Space>
        </div>
        <Typography.Title level={5} className="wo-title">{w.title}</Typography.Title>
        <Space size={16} wrap>
          <span className="sla-line">{t('wo.sla.firstResponse')} <SlaTargetBadge target={w.sla.firstResponse} label={t('wo.sla.firstResponse')} /></span>
          <span className="sla-line">{t('wo.sla.resolution')} <SlaTargetBadge target={w.sla.resolution} label={t('wo.sla.resolution')} /></span>
        </Space>
      </Card>
      <Row gutter={12}>
        <Col xs={24} lg={16}>
          <Card size="small" title={t('wo.description')} className="wo-card">
            <Typography.Paragraph className="wo-description">{w.description || <Typography.Text type="secondary">—</Typography.Text>}</Typography.Paragraph>
            {fieldRows.length > 0 && <Descriptions size="small" bordered column={2} items={fieldRows} title={<span className="panel-subtitle">{t('wo.fields')}</span>} />}
          </Card>
          <Card size="small" title={t('wo.comments')} className="wo-card">
            {comments.length ? (
              <Timeline
                items={comments.map((c) => ({
                  color: c.visibility === 'public' ? 'green' : 'gray',
                  children: (
                    <div className="comment">
                      <Space size={6}>
                        <Typography.Text strong>{c.authorName ?? c.author}</Typography.Text>
                        <Tag bordered={false} color={c.visibility === 'public' ? 'green' : 'default'}>{t(c.visibility === 'public' ? 'wo.comment.public' : 'wo.comment.internal')}</Tag>
                        <Typography.Text type="secondary">{formatDateTime(c.createdAt, locale)}</Typography.Text>
                      </Space>
                      <div className="comment-body">{c.body}</div>
                    </div>
                  ),
                }))}
              />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('wo.comment.empty')} />
            )}
            <div className="comment-box">
              <Segmented size="small" value={visibility} onChange={(v) => setVisibility(v as 'internal' | 'public')} options={[{ value: 'internal', label: t('wo.comment.internal') }, { value: 'public', label: t('wo.comment.public') }]} />
              <Input.TextArea rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('wo.comment.placeholder')} maxLength={10000} />
              <Button type="primary" disabled={!note.trim()} loading={busy === 'comment'} onClick={() => void addComment()}>{t('wo.comment.add')}</Button>
            </div>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" className="wo-card">
            <Descriptions size="small" column={1} colon={false} labelStyle={{ width: 88, color: '#8c8c8c' }}>
              <Descriptions.Item label={t('wo.assignee')}>{w.assignee?.displayName ?? <Typography.Text type="secondary">{t('wo.assignee.none')}</Typography.Text>}</Descriptions.Item>
              <Descriptions.Item label={t('wo.group')}>{w.assigneeGroup ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('wo.source')}>{t(w.source === 'conversation' ? 'wo.source.conversation' : 'wo.source.staff')}</Descriptions.Item>
              <Descriptions.Item label={t('wo.created')}>{formatDateTime(w.createdAt, locale)}</Descriptions.Item>
              <Descriptions.Item label={t('wo.updated')}>{formatDateTime(w.updatedAt, locale)}</Descriptions.Item>
              <Descriptions.Item label={t('wo.conversations')}>{w.conversationIds.length ? <Space direction="vertical" size={0}>{w.conversationIds.map((c) => <Typography.Text key={c} code copyable>{c}</Typography.Text>)}</Space> : '—'}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card
            size="small"
            title={t('wo.attachments')}
            className="wo-card"
            extra={
              <Upload showUploadList={false} beforeUpload={(f) => { void upload(f); return false; }}>
                <Button size="small" icon={<UploadOutlined />} loading={busy === 'upload'}>{t('wo.attachments.upload')}</Button>
              </Upload>
            }
          >
            <List
              size="small"
              dataSource={attachments}
              locale={{ emptyText: t('wo.attachments.empty') }}
              renderItem={(a) => (
                <List.Item actions={[<Button key="d" type="link" size="small" icon={<DownloadOutlined />} onClick={() => void workOrdersApi.download(w.id, a).catch((e: Error) => message.error(e.message))} />]}>
                  <Space size={6}>
                    <PaperClipOutlined />
                    <Typography.Text ellipsis style={{ maxWidth: 180 }}>{a.filename}</Typography.Text>
                    <Typography.Text type="secondary">{formatBytes(a.size)}</Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function fieldItems(w: WorkOrder | null, defs: FieldDefinition[], locale: 'zh-CN' | 'en-US', t: (k: MessageKey) => string) {
  if (!w) return [];
  const keys = [...defs.map((d) => d.key), ...Object.keys(w.fields).filter((k) => !defs.some((d) => d.key === k))];
  return keys
    .filter((k) => w.fields[k] !== undefined && w.fields[k] !== null)
    .map((k) => {
      const d = defs.find((x) => x.key === k);
      const v = w.fields[k];
      const opt = (x: unknown) => pickLabel(d?.options?.find((o) => o.value === x)?.label, locale) || String(x);
      const text = Array.isArray(v) ? v.map(opt).join('、') : typeof v === 'boolean' ? (v ? t('wo.form.yes') : '—') : d?.options ? opt(v) : String(v);
      return { key: k, label: d ? pickLabel(d.label, locale) : k, children: text };
    });
}
