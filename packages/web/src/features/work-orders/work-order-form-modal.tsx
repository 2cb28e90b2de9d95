import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Col, Divider, Form, Input, Modal, Row, Select, Typography } from 'antd';
import { ApiError } from '../../shared/api.ts';
import { pickLabel, useI18n } from '../../shared/i18n.tsx';
import { CustomFields, problemsToFields } from './custom-fields.tsx';
import { PRIORITIES, workOrdersApi, type Priority, type Problem, type WorkOrder, type WorkOrderType } from './work-orders-api.ts';

type Values = { typeId: string; title: string; priority: Priority; description: string; fields: Record<string, unknown> };

/** Create a work order — from a conversation (linked to it) or on its own. */
export function WorkOrderFormModal({ open, onClose, conversationId, defaultTitle = '', onCreated }: { open: boolean; onClose(): void; conversationId?: string; defaultTitle?: string; onCreated?(w: WorkOrder): void }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [types, setTypes] = useState<WorkOrderType[]>([]);
  const [busy, setBusy] = useState(false);
  const [other, setOther] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const typeId = Form.useWatch('typeId', form);
  const type = useMemo(() => types.find((x) => x.id === typeId), [types, typeId]);

  useEffect(() => {
    if (!open) return;
    setOther([]);
    setLoadError(null);
    form.resetFields();
    form.setFieldsValue({ title: defaultTitle });
    workOrdersApi.types().then(
      (ts) => setTypes(ts.filter((x) => x.enabled && x.id !== 'message')),
      (e: Error) => setLoadError(e.message),
    );
  }, [open]);

  useEffect(() => {
    if (type) form.setFieldsValue({ priority: type.defaultPriority });
  }, [type, form]);

  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setOther([]);
    try {
      const fields = Object.fromEntries(Object.entries(v.fields ?? {}).filter(([, x]) => x !== undefined && x !== null && x !== ''));
      const w = await workOrdersApi.create({ typeId: v.typeId, title: v.title.trim(), description: v.description ?? '', priority: v.priority, fields, conversationIds: conversationId ? [conversationId] : [] });
      message.success(t('wo.created.ok', { number: w.number }));
      onCreated?.(w);
      onClose();
    } catch (e) {
      const err = e as ApiError;
      const problems = (err.details as { problems?: Problem[] } | undefined)?.problems;
      if (err.status === 400 && problems?.length) {
        const { fields, other } = problemsToFields(problems, t);
        form.setFields(fields);
        setOther(other.length ? other : [t('wo.form.fixErrors')]);
      } else {
        setOther([err.message]);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title={t('wo.form.title')} onCancel={onClose} onOk={submit} confirmLoading={busy} okText={t('app.submit')} cancelText={t('app.cancel')} width={640} destroyOnHidden>
      {conversationId && <Typography.Text type="secondary">{t('wo.form.fromConversation', { id: conversationId })}</Typography.Text>}
      {loadError && <Alert type="error" showIcon message={loadError} style={{ margin: '8px 0' }} />}
      {other.length > 0 && <Alert type="error" showIcon message={other.join('；')} style={{ margin: '8px 0' }} data-testid="wo-form-error" />}
      <Form form={form} layout="vertical" requiredMark style={{ marginTop: 12 }} className="wo-form">
        <Row gutter={12}>
          <Col span={14}>
            <Form.Item name="typeId" label={t('wo.type')} rules={[{ required: true, message: t('wo.form.pickType') }]}>
              <Select options={types.map((x) => ({ value: x.id, label: pickLabel(x.name, locale) }))} placeholder={t('wo.form.pickType')} data-testid="wo-type" />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item name="priority" label={t('wo.priority')}>
              <Select options={PRIORITIES.map((p) => ({ value: p, label: t(`wo.priority.${p}`) }))} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="title" label={t('wo.subject')} rules={[{ required: true, whitespace: true, message: t('wo.form.titleRequired') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('wo.description')}>
          <Input.TextArea rows={3} maxLength={10000} />
        </Form.Item>
        {type && type.fields.length > 0 && (
          <>
            <Divider orientation="left" plain style={{ margin: '4px 0 12px' }}>{t('wo.fields')}</Divider>
            <div className="wo-fields-grid">
              <CustomFields defs={type.fields} />
            </div>
          </>
        )}
      </Form>
    </Modal>
  );
}
