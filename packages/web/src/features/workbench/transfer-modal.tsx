import { useEffect, useState } from 'react';
import { App, Form, Input, Modal, Radio, Select } from 'antd';
import { useI18n } from '../../shared/i18n.tsx';
import { agentStore, useWorkbench } from './use-workbench.ts';
import { PresenceDot } from './labels.tsx';
import type { AgentInfo } from '@lingxi/contracts';
import { pickLabel } from '../../shared/i18n.tsx';
import { workbenchApi } from './workbench-api.ts';

type Values = { mode: 'agent' | 'group'; agent?: string; group?: string; note: string };

/** Transfer to another agent or to a skill group's queue, with a note for whoever takes over. */
export function TransferModal({ conversationId, open, onClose }: { conversationId: string; open: boolean; onClose(): void }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const wb = useWorkbench();
  const [form] = Form.useForm<Values>();
  const [agents, setAgents] = useState<AgentInfo[]>([]);
  const [groups, setGroups] = useState<{ id: string; name: string }[]>([]);
  const [busy, setBusy] = useState(false);
  const mode = Form.useWatch('mode', form) ?? 'group';

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    workbenchApi.agents().then((a) => setAgents(a.filter((x) => x.userId !== wb.me?.userId)), () => setAgents([]));
    workbenchApi.groups().then((gs) => setGroups(gs.map((g) => ({ id: g.id, name: pickLabel(g.name, locale) }))), () => setGroups(wb.queues.map((q) => ({ id: q.group, name: q.name }))));
  }, [open]);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await agentStore.transfer(conversationId, v.mode === 'agent' ? { toAgentId: v.agent, note: v.note ?? '' } : { toGroup: v.group, note: v.note ?? '' });
      message.success(t('wb.transfer.done'));
      onClose();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title={t('wb.transfer.title')} onCancel={onClose} onOk={submit} confirmLoading={busy} okText={t('wb.transfer')} cancelText={t('app.cancel')} destroyOnHidden width={480}>
      <Form form={form} layout="vertical" initialValues={{ mode: 'group', note: '' }} requiredMark={false}>
        <Form.Item name="mode">
          <Radio.Group optionType="button" buttonStyle="solid" options={[{ value: 'group', label: t('wb.transfer.toGroup') }, { value: 'agent', label: t('wb.transfer.toAgent') }]} />
        </Form.Item>
        {mode === 'agent' ? (
          <Form.Item name="agent" label={t('wb.transfer.agent')} rules={[{ required: true, message: t('wb.transfer.pickTarget') }]}>
            <Select
              placeholder={t('wo.form.selectPlaceholder')}
              showSearch
              optionFilterProp="label"
              options={agents.map((a) => ({
                value: a.userId,
                label: a.displayName,
                disabled: a.presence === 'offline',
                title: a.displayName,
              }))}
              optionRender={(o) => {
                const a = agents.find((x) => x.userId === o.value);
                return (
                  <span className="agent-option">
                    {a?.presence && <PresenceDot presence={a.presence} />}
                    {a?.displayName}
                    {a?.maxConcurrent ? <span className="agent-load">{a.load ?? 0}/{a.maxConcurrent}</span> : null}
                  </span>
                );
              }}
            />
          </Form.Item>
        ) : (
          <Form.Item name="group" label={t('wb.transfer.group')} rules={[{ required: true, message: t('wb.transfer.pickTarget') }]}>
            <Select placeholder={t('wo.form.selectPlaceholder')} options={groups.map((g) => ({ value: g.id, label: g.name }))} />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('wb.transfer.note')}>
          <Input.TextArea rows={3} maxLength={500} showCount placeholder={t('wb.transfer.notePlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
