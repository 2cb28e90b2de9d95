import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Space, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { useT } from '../../shared/i18n.tsx';
import { hasRole, loadSession } from '../../shared/session.ts';
import type { ImportError, ImportReport } from './kb-api.ts';
import { BotSelect, useKbBot } from './use-kb-bot.tsx';
import './knowledge.css';

/** 导入导出: choose a file → dry-run preview with every problem (row, column, message) → import only when clean; export. */
export function ImportPage() {
  const t = useT();
  const { message } = AntApp.useApp();
  const { bots, bot, setSlug, kb } = useKbBot();
  const user = loadSession()?.user;
  const canWrite = hasRole(user, 'admin', 'knowledge_operator');
  // Without kb:review (admin, supervisor) the server imports drafts, which go live only through review.
  const reviewer = hasRole(user, 'admin', 'supervisor');
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [done, setDone] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const check = async (f: File) => {
    if (!kb) return;
    setFile(f);
    setReport(null);
    setDone(null);
    setError(null);
    setBusy(true);
    try {
      setReport(await kb.importFile(f, true));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const runImport = async () => {
    if (!kb || !file) return;
    setBusy(true);
    setError(null);
    try {
      const r = await kb.importFile(file, false);
      if (r.ok) {
        setDone(r);
        setReport(null);
        setFile(null);
      } else setReport(r);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const exportAs = async (format: 'xlsx' | 'csv') => {
    try {
      await kb?.exportFile(format);
    } catch (e) {
      message.error(t('kb.error', { message: (e as Error).message }));
    }
  };

  return (
    <div className="page">
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} />}
      {canWrite && (
        <Card size="small" title={t('kb.import.title')} extra={<BotSelect bots={bots} bot={bot} onChange={setSlug} />}>
          <div data-testid="kb-import-upload">
          <Upload.Dragger
            accept=".xlsx,.csv"
            multiple={false}
            showUploadList={false}
            beforeUpload={(f) => {
              void check(f);
              return false;
            }}
            disabled={busy}
          >
            <p className="ant-upload-drag-icon"><InboxOutlined /></p>
            <p className="ant-upload-text">{t('kb.import.hint')}</p>
            <p className="ant-upload-hint">{t('kb.import.layout')}</p>
          </Upload.Dragger>
          </div>
          {busy && <Typography.Text type="secondary">{t('kb.import.checking')}</Typography.Text>}
          {done && <Alert style={{ marginTop: 12 }} type="success" showIcon message={t(reviewer ? 'kb.import.done' : 'kb.import.doneDrafts', { n: done.imported, created: done.created, updated: done.updated })} data-testid="kb-import-done" />}
          {report && file && (
            <div style={{ marginTop: 12 }} data-testid="kb-import-preview">
              <Space style={{ marginBottom: 8, width: '100%', justifyContent: 'space-between' }} wrap>
                <Space wrap>
                  <Typography.Text strong>{file.name}</Typography.Text>
                  {report.ok
                    ? <Typography.Text type="success" data-testid="kb-import-ok">{t('kb.import.ok', { n: report.imported, created: report.created, updated: report.updated })}</Typography.Text>
                    : <Typography.Text type="danger" data-testid="kb-import-failed">{t('kb.import.failed', { n: report.errorCount })}</Typography.Text>}
                </Space>
                <Button type="primary" icon={<UploadOutlined />} disabled={!report.ok} loading={busy} onClick={() => void runImport()} data-testid="kb-import-run">{t('kb.import.run')}</Button>
              </Space>
              {!report.ok && (
                <Table<ImportError & { key: number }>
                  size="small"
                  rowKey="key"
                  rowClassName={() => 'kb-import-error'}
                  dataSource={report.errors.map((e, i) => ({ ...e, key: i }))}
                  pagination={{ pageSize: 10, showSizeChanger: false }}
                  data-testid="kb-import-errors"
                  columns={[
                    { title: t('kb.import.row'), dataIndex: 'row', width: 80, render: (r: number) => (r ? r : t('kb.import.fileLevel')) },
                    { title: t('kb.import.column'), dataIndex: 'column', width: 160, render: (c?: string) => c ?? '' },
                    { title: t('kb.import.message'), dataIndex: 'message', render: (m: string) => <Typography.Text type="danger">{m}</Typography.Text> },
                  ]}
                />
              )}
            </div>
          )}
        </Card>
      )}
      <Card size="small" title={t('kb.export.title')} extra={!canWrite && <BotSelect bots={bots} bot={bot} onChange={setSlug} />}>
        <Space wrap>
          <Typography.Text type="secondary">{t('kb.export.hint')}</Typography.Text>
          <Button icon={<DownloadOutlined />} onClick={() => void exportAs('xlsx')} data-testid="kb-export-xlsx">{t('kb.export')} .xlsx</Button>
          <Button icon={<DownloadOutlined />} onClick={() => void exportAs('csv')}>{t('kb.export')} .csv</Button>
        </Space>
      </Card>
    </div>
  );
}
