import { useEffect, useState } from 'react';
import { Alert, App, Button, Descriptions, Empty, Input, Modal, Radio, Space, Table, Tag, Typography } from 'antd';
import { CloseOutlined } from '@ant-design/icons';
import { useI18n } from '../../shared/i18n.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { conversationsApi, identityKindKey, mergePreview, type ContactCandidate, type Identity } from './conversations-api.ts';

function Identities({ items }: { items: Identity[] }) {
  const { t } = useI18n();
  if (!items.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return <>{items.map((i) => <span key={`${i.kind}:${i.value}`} className="conv-ident">{t(identityKindKey(i.kind))}：{i.value}{i.verified ? ' ✓' : ''}</span>)}</>;
}

/**
 * Manual merge of two contacts (one customer known under two identities): find candidates by name, phone, e-mail or
 * id, pick two, choose the one to keep, preview the result, confirm. The server moves the other's identities and
 * conversations and writes the merge to the audit log.
 */
export function ContactMergeModal({ open, contactId, onClose, onMerged }: { open: boolean; contactId?: string; onClose(): void; onMerged(survivor: string): void }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [results, setResults] = useState<ContactCandidate[]>([]);
  const [picked, setPicked] = useState<ContactCandidate[]>([]);
  const [keep, setKeep] = useState<string | null>(null);
  const [preview, setPreview] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const find = async (query: string) => {
    setLoading(true);
    setError(null);
    try {
      const r = await conversationsApi.contacts(query);
      setResults(r.items);
      return r.items;
    } catch (e) {
      setError((e as Error).message);
      return [];
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (!open) return;
    setQ('');
    setPicked([]);
    setKeep(null);
    setPreview(false);
    void (async () => {
      if (contactId) {
        const own = (await conversationsApi.contacts(contactId).catch(() => ({ items: [] as ContactCandidate[] }))).items.find((c) => c.id === contactId);
        if (own) {
          setPicked([own]);
          setKeep(own.id);
        }
      }
      await find('');
    })();
  }, [open, contactId]);

  const pick = (c: ContactCandidate) => {
    if (picked.some((p) => p.id === c.id) || picked.length >= 2) return;
    setPicked([...picked, c]);
    if (!keep) setKeep(c.id);
  };
  const unpick = (id: string) => {
    const rest = picked.filter((p) => p.id !== id);
    setPicked(rest);
    setPreview(false);
    if (keep === id) setKeep(rest[0]?.id ?? null);
  };

  const survivor = picked.find((p) => p.id === keep);
  const other = picked.find((p) => p.id !== keep);
  const merged = survivor && other ? mergePreview(survivor, other) : null;

  const confirm = async () => {
    if (!survivor || !other) return;
    setLoading(true);
    setError(null);
    try {
      await conversationsApi.merge(survivor.id, other.id);
      message.success(t('conv.merge.done'));
      onMerged(survivor.id);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      title={t('conv.merge.title')}
      width={Math.min(900, window.innerWidth - 80)}
      destroyOnClose
      footer={
        preview ? (
          <Space>
            <Button onClick={() => setPreview(false)}>{t('conv.merge.back')}</Button>
            <Button type="primary" danger loading={loading} onClick={() => void confirm()} data-testid="conv-merge-confirm">{t('conv.merge.confirm')}</Button>
          </Space>
        ) : (
          <Space>
            <Button onClick={onClose}>{t('app.cancel')}</Button>
            <Button type="primary" disabled={picked.length !== 2} onClick={() => setPreview(true)} data-testid="conv-merge-preview">{t('conv.merge.previewBtn')}</Button>
          </Space>
        )
      }
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Alert type="info" showIcon message={t('conv.merge.hint')} style={{ marginBottom: 12 }} />
      <div className="conv-merge-picked" data-testid="conv-merge-picked">
        <Typography.Text strong>{t('conv.merge.picked', { n: picked.length })}</Typography.Text>
        <Radio.Group value={keep} onChange={(e) => setKeep(e.target.value as string)} style={{ display: 'flex', flexDirection: 'column', gap: 6, marginTop: 6 }}>
          {picked.map((p) => (
            <Space key={p.id} align="start">
              <Radio value={p.id} data-testid="conv-merge-keep">{t('conv.merge.keep')}</Radio>
              <span><Typography.Text strong>{p.displayName ?? t('conv.unnamed')}</Typography.Text><Typography.Text type="secondary" className="conv-id conv-gap">{p.id}</Typography.Text></span>
              <span><Identities items={p.identities} /></span>
              <Button size="small" type="text" icon={<CloseOutlined />} onClick={() => unpick(p.id)} aria-label={t('conv.merge.unpick')} />
            </Space>
          ))}
        </Radio.Group>
      </div>
      {preview && merged ? (
        <div data-testid="conv-merge-result" style={{ marginTop: 16 }}>
          <Typography.Title level={5}>{t('conv.merge.result')}</Typography.Title>
          <Descriptions size="small" bordered column={1}>
            <Descriptions.Item label={t('conv.merge.survivor')}>{merged.displayName ?? t('conv.unnamed')} <Typography.Text type="secondary" className="conv-id">{merged.id}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={t('conv.merge.removed')}>{other!.displayName ?? t('conv.unnamed')} <Typography.Text type="secondary" className="conv-id">{other!.id}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={t('conv.merge.identities')}><Identities items={merged.identities} /></Descriptions.Item>
            <Descriptions.Item label={t('conv.merge.conversations')}><span data-testid="conv-merge-count">{merged.conversations}</span></Descriptions.Item>
          </Descriptions>
          <Alert type="warning" showIcon style={{ marginTop: 12 }} message={t('conv.merge.warning')} />
        </div>
      ) : (
        <>
          <Input.Search
            allowClear
            placeholder={t('conv.merge.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={(v) => void find(v)}
            style={{ margin: '14px 0 8px', maxWidth: 360 }}
            data-testid="conv-merge-search"
          />
          <Table<ContactCandidate>
            className="conv-merge-list"
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={results}
            pagination={false}
            scroll={{ y: 300 }}
            locale={{ emptyText: <Empty description={t('conv.merge.none')} /> }}
            columns={[
              { title: t('conv.merge.name'), dataIndex: 'displayName', width: 180, render: (v: string | null, c) => <>{v ?? t('conv.unnamed')}<br /><Typography.Text type="secondary" className="conv-id">{c.id}</Typography.Text></> },
              { title: t('conv.merge.identities'), dataIndex: 'identities', render: (v: Identity[]) => <Identities items={v} /> },
              { title: t('conv.merge.conversations'), dataIndex: 'conversations', width: 90, align: 'right' },
              { title: t('conv.merge.created'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v, locale) },
              {
                title: '', key: 'pick', width: 90,
                render: (_: unknown, c) => picked.some((p) => p.id === c.id)
                  ? <Tag color="blue">{t('conv.merge.isPicked')}</Tag>
                  : <Button size="small" disabled={picked.length >= 2} onClick={() => pick(c)} data-testid="conv-merge-pick">{t('conv.merge.pick')}</Button>,
              },
            ]}
          />
        </>
      )}
    </Modal>
  );
}
