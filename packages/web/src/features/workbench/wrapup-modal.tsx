import { useEffect, useState } from 'react';
import { App, Checkbox, Form, Input, Modal, Select } from 'antd';
import { useI18n } from '../../shared/i18n.tsx';
import { agentStore } from './use-workbench.ts';
import { categoryLabel, useWrapupCategories } from './use-reference-data.ts';

type Values = { category: string; summary: string; close: boolean };

/** 通话小结: category and summary, recorded on the conversation; optionally closes it in the same step. */
export function WrapupModal({ conversationId, open, onClose, canClose }: { conversationId: string; open: boolean; onClose(): void; canClose: boolean }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const cats = useWrapupCategories();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) form.setFieldsValue({ close: canClose });
  }, [open, canClose, form]);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await agentStore.wrapup(conversationId, { category: v.category, summary: v.summary.trim() });
      if (v.close && canClose) {
        await agentStore.close(conversationId);
        message.success(t('wb.wrapup.savedAndClosed'));
      } else {
        message.success(t('wb.wrapup.saved'));
      }
      onClose();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title={t('wb.wrapup.title')} onCancel={onClose} onOk={submit} confirmLoading={busy} okText={t('app.submit')} cancelText={t('app.cancel')} destroyOnHidden width={520}>
      <Form form={form} layout="vertical" initialValues={{ close: canClose, summary: '' }} requiredMark="optional">
        <Form.Item name="category" label={t('wb.wrapup.category')} rules={[{ required: true, message: t('wb.wrapup.category') }]}>
          <Select placeholder={t('wo.form.selectPlaceholder')} options={cats.map((c) => ({ value: c.id, label: categoryLabel(c.id, cats, locale) }))} data-testid="wrapup-category" />
        </Form.Item>
        <Form.Item name="summary" label={t('wb.wrapup.summary')} rules={[{ required: true, whitespace: true, message: t('wb.wrapup.summary') }]}>
          <Input.TextArea rows={4} maxLength={1000} showCount placeholder={t('wb.wrapup.summaryPlaceholder')} data-testid="wrapup-summary" />
        </Form.Item>
        {canClose && (
          <Form.Item name="close" valuePropName="checked" style={{ marginBottom: 0 }}>
            <Checkbox>{t('wb.wrapup.andClose')}</Checkbox>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
