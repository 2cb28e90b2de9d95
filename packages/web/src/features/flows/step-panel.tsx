import { useEffect, useState, type ReactNode } from 'react';
import { Button, Divider, Input, InputNumber, Popconfirm, Select, Space, Switch, Tag, Typography } from 'antd';
import { DeleteOutlined, FlagOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { FlowText, SlotEntity } from '@lingxi/contracts';
import { useI18n } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { handlesOf, targetOf, withTarget, type FlowJson, type StepJson } from './flow-graph.ts';
import type { Connector, FlowProblem } from './flows-api.ts';
import { describeProblem, handleLabel, STEP_META } from './step-node.tsx';

export const ENTITIES: SlotEntity[] = ['money', 'date', 'card_number', 'phone', 'id_number', 'account_type', 'product', 'text', 'choice'];
const OPS = ['eq', 'ne', 'gt', 'lt', 'exists', 'in'] as const;
const STEP_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** A flow text split for editing: a plain string is the Chinese text. */
const zhOf = (t: FlowText | undefined) => (t === undefined ? '' : typeof t === 'string' ? t : t.zh);
const enOf = (t: FlowText | undefined) => (t === undefined || typeof t === 'string' ? '' : t.en ?? '');
/** Back to a flow text: a plain string without English, else {zh, en}; undefined when both are empty. */
function joinText(zh: string, en: string): FlowText | undefined {
  if (!zh && !en) return undefined;
  return en ? { zh, en } : zh;
}

/** A literal typed in a box: numbers, true/false and null as such, everything else as text. */
export function parseLiteral(s: string): string | number | boolean | null {
  const v = s.trim();
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null') return null;
  return s;
}
const showLiteral = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function Field({ label, children, hint }: { label: ReactNode; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="flow-field">
      <div className="flow-field-label">{label}</div>
      {children}
      {hint && <div className="flow-field-hint">{hint}</div>}
    </div>
  );
}

function TextField({ label, value, onChange, required, testid, rows = 2 }: { label: ReactNode; value: FlowText | undefined; onChange(v: FlowText | undefined): void; required?: boolean; testid: string; rows?: number }) {
  const { t } = useI18n();
  const zh = zhOf(value);
  const en = enOf(value);
  return (
    <Field label={<>{label}{required && <span className="flow-required">*</span>}</>}>
      <Input.TextArea autoSize={{ minRows: 1, maxRows: rows + 3 }} value={zh} placeholder={t('flow.text.zh')} onChange={(e) => onChange(joinText(e.target.value, en))} data-testid={`${testid}-zh`} />
      <Input.TextArea autoSize={{ minRows: 1, maxRows: rows + 3 }} value={en} placeholder={t('flow.text.en')} onChange={(e) => onChange(joinText(zh, e.target.value))} style={{ marginTop: 4 }} data-testid={`${testid}-en`} />
    </Field>
  );
}

/** The step a handle leads to, as a select: the way to connect without dragging. */
function TargetField({ step, handle, ids, onChange }: { step: StepJson; handle: string; ids: string[]; onChange(target: string | undefined): void }) {
  const { t, locale } = useI18n();
  const h = handlesOf(step).find((x) => x.id === handle)!;
  return (
    <Field label={`${t('flow.panel.goTo')}: ${handleLabel(h, step, t, locale)}`}>
      <Select
        allowClear
        showSearch
        size="small"
        value={targetOf(step, handle)}
        placeholder={t('flow.panel.notConnected')}
        options={ids.map((id) => ({ value: id, label: id }))}
        onChange={(v: string | undefined) => onChange(v)}
        data-testid={`flow-target-${handle}`}
        style={{ width: '100%' }}
      />
    </Field>
  );
}

type StepPanelProps = {
  id: string;
  step: StepJson;
  flow: FlowJson;
  ids: string[];
  connectors: Connector[];
  problems: FlowProblem[];
  onChange(step: StepJson): void;
  onFlowChange(flow: FlowJson): void;
  onRename(to: string): boolean;
  onDelete(): void;
  onMakeStart(): void;
};

/** The form for the selected step: every setting the contract has for its type. */
export function StepPanel({ id, step, flow, ids, connectors, problems, onChange, onFlowChange, onRename, onDelete, onMakeStart }: StepPanelProps) {
  const { t, locale } = useI18n();
  const [name, setName] = useState(id);
  useEffect(() => setName(id), [id]);
  const meta = STEP_META[step.type];
  const set = (patch: Record<string, unknown>) => {
    const next = { ...step } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    onChange(next as StepJson);
  };
  const others = ids.filter((x) => x !== id);
  const targets = handlesOf(step).map((h) => (
    <TargetField key={h.id} step={step} handle={h.id} ids={others} onChange={(v) => onChange(withTarget(step, h.id, v))} />
  ));
  const renameOk = STEP_ID.test(name) && (name === id || !ids.includes(name));
  const applyName = () => {
    if (name !== id && renameOk) onRename(name);
    else setName(id);
  };

  let body: ReactNode = null;
  switch (step.type) {
    case 'say':
      body = <TextField label={t('flow.panel.text')} required value={step.text} onChange={(v) => set({ text: v })} testid="flow-say-text" />;
      break;
    case 'end':
      body = <TextField label={t('flow.panel.text')} value={step.text} onChange={(v) => set({ text: v })} testid="flow-end-text" />;
      break;
    case 'transfer':
      body = (
        <>
          <Field label={t('flow.panel.queue')}><Input size="small" value={step.queue ?? ''} onChange={(e) => set({ queue: e.target.value || undefined })} /></Field>
          <Field label={t('flow.panel.note')}><Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} value={step.note ?? ''} onChange={(e) => set({ note: e.target.value || undefined })} /></Field>
          <TextField label={t('flow.panel.text')} value={step.text} onChange={(v) => set({ text: v })} testid="flow-transfer-text" />
        </>
      );
      break;
    case 'ask': {
      // The editor keeps the flow's slot declaration in step with the ask (flow-graph.ts syncAskSlot).
      const setSlot = (slot: string, entity: string) => onChange({ ...step, slot, entity } as StepJson);
      const v = step.validate ?? {};
      const setValidate = (patch: Record<string, unknown>) => {
        const nv: Record<string, unknown> = { ...v, ...patch };
        for (const k of Object.keys(nv)) if (nv[k] === undefined || nv[k] === null || nv[k] === '') delete nv[k];
        set({ validate: Object.keys(nv).length ? nv : undefined });
      };
      body = (
        <>
          <Space.Compact block>
            <Field label={t('flow.panel.slot')}>
              <Input size="small" value={step.slot} onChange={(e) => setSlot(e.target.value, step.entity)} data-testid="flow-ask-slot" />
            </Field>
            <Field label={t('flow.panel.entity')}>
              <Select size="small" value={step.entity} style={{ width: 140 }} onChange={(e: string) => setSlot(step.slot, e)} data-testid="flow-ask-entity"
                options={ENTITIES.map((e) => ({ value: e, label: t(`flow.entity.${e}` as MessageKey) }))} />
            </Field>
          </Space.Compact>
          <TextField label={t('flow.panel.prompt')} required value={step.prompt} onChange={(x) => set({ prompt: x })} testid="flow-ask-prompt" />
          <TextField label={t('flow.panel.reprompt')} value={step.reprompt} onChange={(x) => set({ reprompt: x })} testid="flow-ask-reprompt" />
          <div className="flow-field-row">
            <Field label={t('flow.panel.maxTries')}>
              <InputNumber size="small" min={1} max={10} value={step.maxTries ?? 3} onChange={(n) => set({ maxTries: n ?? undefined })} data-testid="flow-ask-maxtries" />
            </Field>
            <Field label={t('flow.panel.reuse')}>
              <Switch size="small" checked={step.reuse ?? false} onChange={(c) => set({ reuse: c })} />
            </Field>
          </div>
          <div className="flow-field-row">
            <Field label={t('flow.panel.min')}><InputNumber size="small" value={v.min} onChange={(n) => setValidate({ min: n ?? undefined })} data-testid="flow-ask-min" /></Field>
            <Field label={t('flow.panel.max')}><InputNumber size="small" value={v.max} onChange={(n) => setValidate({ max: n ?? undefined })} data-testid="flow-ask-max" /></Field>
          </div>
          <Field label={t('flow.panel.pattern')}><Input size="small" value={v.pattern ?? ''} onChange={(e) => setValidate({ pattern: e.target.value })} placeholder="^\d{4}$" /></Field>
          {step.entity === 'choice' && (
            <Field label={t('flow.panel.answers')}>
              <OptionsEditor options={(step.options ?? []).map((o) => ({ ...o }))} onChange={(options) => set({ options })} />
            </Field>
          )}
        </>
      );
      break;
    }
    case 'choice':
      body = (
        <>
          <TextField label={t('flow.panel.prompt')} required value={step.prompt} onChange={(x) => set({ prompt: x })} testid="flow-choice-prompt" />
          <div className="flow-field-row">
            <Field label={t('flow.panel.var')}><Input size="small" value={step.var ?? ''} onChange={(e) => set({ var: e.target.value || undefined })} /></Field>
            <Field label={t('flow.panel.maxTries')}><InputNumber size="small" min={1} max={10} value={step.maxTries ?? 3} onChange={(n) => set({ maxTries: n ?? undefined })} /></Field>
          </div>
          <Field label={t('flow.panel.options')}>
            <OptionsEditor
              withNext
              ids={others}
              options={step.options}
              onChange={(options) => set({ options: options.map((o) => ({ ...o, next: o.next ?? '' })) })}
            />
          </Field>
        </>
      );
      break;
    case 'condition':
      body = (
        <>
          <Field label={t('flow.panel.var')}><Input size="small" value={step.if.var} onChange={(e) => set({ if: { ...step.if, var: e.target.value } })} data-testid="flow-cond-var" /></Field>
          <div className="flow-field-row">
            <Field label={t('flow.panel.op')}>
              <Select size="small" style={{ width: 120 }} value={step.if.op} onChange={(op: (typeof OPS)[number]) => set({ if: op === 'exists' ? { var: step.if.var, op } : { ...step.if, op } })}
                options={OPS.map((o) => ({ value: o, label: t(`flow.op.${o}` as MessageKey) }))} />
            </Field>
            {step.if.op !== 'exists' && (
              <Field label={t('flow.panel.value')} hint={step.if.op === 'in' ? t('flow.panel.inHint') : undefined}>
                <Input size="small" value={Array.isArray(step.if.value) ? step.if.value.map(showLiteral).join(',') : showLiteral(step.if.value)}
                  onChange={(e) => set({ if: { ...step.if, value: step.if.op === 'in' ? e.target.value.split(',').map((x) => parseLiteral(x.trim())) : parseLiteral(e.target.value) } })} />
              </Field>
            )}
          </div>
        </>
      );
      break;
    case 'set':
      body = (
        <>
          <Field label={t('flow.panel.var')}><Input size="small" value={step.var} onChange={(e) => set({ var: e.target.value })} /></Field>
          <Field label={t('flow.panel.value')} hint={t('flow.panel.valueHint')}><Input size="small" value={showLiteral(step.value)} onChange={(e) => set({ value: parseLiteral(e.target.value) })} /></Field>
        </>
      );
      break;
    case 'call': {
      const conn = connectors.find((c) => c.id === step.connector);
      const input = Object.entries(step.input ?? {});
      const setInput = (rows: [string, unknown][]) => set({ input: rows.length ? Object.fromEntries(rows) : undefined });
      body = (
        <>
          <Field label={t('flow.panel.connector')}>
            <Select size="small" style={{ width: '100%' }} value={step.connector || undefined} onChange={(c: string) => set({ connector: c, operation: '' })}
              options={connectors.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))} data-testid="flow-call-connector" />
          </Field>
          <Field label={t('flow.panel.operation')}>
            <Select size="small" style={{ width: '100%' }} value={step.operation || undefined} onChange={(o: string) => set({ operation: o })}
              options={(conn?.operations ?? []).map((o) => ({ value: o, label: o }))} data-testid="flow-call-operation" />
          </Field>
          <Field label={t('flow.panel.input')} hint={t('flow.panel.inputHint')}>
            {input.map(([k, val], i) => (
              <Space.Compact key={i} block style={{ marginBottom: 4 }}>
                <Input size="small" style={{ width: '40%' }} value={k} placeholder={t('flow.panel.param')}
                  onChange={(e) => setInput(input.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
                <Input size="small" value={showLiteral(val)} placeholder="{var}"
                  onChange={(e) => setInput(input.map((r, j) => (j === i ? [r[0], parseLiteral(e.target.value)] : r)))} />
                <Button size="small" icon={<MinusCircleOutlined />} onClick={() => setInput(input.filter((_, j) => j !== i))} aria-label={t('flow.remove')} />
              </Space.Compact>
            ))}
            <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setInput([...input, [`p${input.length + 1}`, '']])}>{t('flow.panel.addParam')}</Button>
          </Field>
          <Field label={t('flow.panel.outputs')} hint={t('flow.panel.outputsHint')}>
            <Select size="small" mode="tags" style={{ width: '100%' }} value={step.outputs ?? []} onChange={(o: string[]) => set({ outputs: o.length ? o : undefined })} open={false} />
          </Field>
        </>
      );
      break;
    }
    case 'verify-identity':
      body = <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('flow.panel.verifyHint')}</Typography.Paragraph>;
      break;
  }

  return (
    <div className="flow-panel-body" data-testid="flow-step-panel">
      <div className="flow-panel-title">
        <Tag color={meta.color} icon={meta.icon}>{t(meta.label)}</Tag>
        <span className="filter-spacer" />
        {flow.start !== id && <Button size="small" icon={<FlagOutlined />} onClick={onMakeStart}>{t('flow.panel.makeStart')}</Button>}
        <Popconfirm title={t('flow.panel.deleteConfirm', { id })} onConfirm={onDelete} okText={t('flow.delete')} cancelText={t('flow.cancel')}>
          <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('flow.delete')} data-testid="flow-step-delete" />
        </Popconfirm>
      </div>
      <Field label={t('flow.panel.id')} hint={!renameOk ? t('flow.panel.idBad') : undefined}>
        <Input size="small" value={name} status={renameOk ? undefined : 'error'} onChange={(e) => setName(e.target.value)} onBlur={applyName} onPressEnter={applyName} data-testid="flow-step-id" />
      </Field>
      {problems.length > 0 && (
        <div className="flow-panel-problems">
          {problems.map((p, i) => <div key={i}>• {describeProblem(p, step, t, locale)}</div>)}
        </div>
      )}
      {body}
      {targets.length > 0 && <Divider plain style={{ margin: '8px 0', fontSize: 12 }}>{t('flow.panel.connections')}</Divider>}
      {targets}
    </div>
  );
}

type Option = { label: FlowText; value: string | number | boolean; synonyms?: string[]; next?: string };

function OptionsEditor({ options, onChange, withNext, ids = [] }: { options: Option[]; onChange(o: Option[]): void; withNext?: boolean; ids?: string[] }) {
  const { t } = useI18n();
  const setAt = (i: number, patch: Partial<Option>) => onChange(options.map((o, j) => {
    if (j !== i) return o;
    const n = { ...o, ...patch };
    if (!n.synonyms?.length) delete n.synonyms;
    return n;
  }));
  return (
    <div className="flow-options">
      {options.map((o, i) => (
        <div key={i} className="flow-option" data-testid={`flow-option-${i}`}>
          <Space.Compact block>
            <Input size="small" value={zhOf(o.label)} placeholder={t('flow.panel.optionLabel')} onChange={(e) => setAt(i, { label: joinText(e.target.value, enOf(o.label)) ?? '' })} />
            <Input size="small" style={{ width: 70 }} value={showLiteral(o.value)} placeholder={t('flow.panel.value')} onChange={(e) => setAt(i, { value: parseLiteral(e.target.value) ?? '' })} />
            <Button size="small" icon={<MinusCircleOutlined />} disabled={options.length <= 1} onClick={() => onChange(options.filter((_, j) => j !== i))} aria-label={t('flow.remove')} />
          </Space.Compact>
          <Select size="small" mode="tags" open={false} placeholder={t('flow.panel.synonyms')} style={{ width: '100%', marginTop: 2 }} value={o.synonyms ?? []} onChange={(s: string[]) => setAt(i, { synonyms: s })} />
          {withNext && (
            <Select size="small" allowClear style={{ width: '100%', marginTop: 2 }} placeholder={t('flow.panel.notConnected')} value={o.next || undefined}
              options={ids.map((x) => ({ value: x, label: `→ ${x}` }))} onChange={(v: string | undefined) => setAt(i, { next: v ?? '' })} />
          )}
        </div>
      ))}
      <Button size="small" type="dashed" icon={<PlusOutlined />} disabled={withNext && options.length >= 9}
        onClick={() => onChange([...options, { label: `${t('flow.panel.option')} ${options.length + 1}`, value: String(options.length + 1), ...(withNext ? { next: '' } : {}) }])}>
        {t('flow.panel.addOption')}
      </Button>
    </div>
  );
}

/** Flow-level settings: name, trigger phrases and intents, start step, declared slots. */
export function FlowSettingsPanel({ flow, ids, onChange, isNew }: { flow: FlowJson; ids: string[]; onChange(f: FlowJson): void; isNew: boolean }) {
  const { t } = useI18n();
  const triggers = flow.triggers ?? {};
  const setTriggers = (k: 'phrases' | 'intents', v: string[]) => {
    const n = { ...triggers, [k]: v };
    if (!v.length && k === 'intents') delete n.intents;
    onChange({ ...flow, triggers: n });
  };
  const slots = Object.entries(flow.slots ?? {});
  return (
    <div className="flow-panel-body" data-testid="flow-settings-panel">
      <Field label={t('flow.settings.id')}><Input size="small" value={flow.id} disabled={!isNew} readOnly /></Field>
      <TextField label={t('flow.settings.name')} required value={flow.name} onChange={(v) => onChange({ ...flow, name: v ?? '' })} testid="flow-name" />
      <Field label={t('flow.settings.phrases')} hint={t('flow.settings.phrasesHint')}>
        <Select mode="tags" size="small" style={{ width: '100%' }} open={false} value={triggers.phrases ?? []} onChange={(v: string[]) => setTriggers('phrases', v)}
          tokenSeparators={['\n']} data-testid="flow-phrases" placeholder={t('flow.settings.phrasesPlaceholder')} />
      </Field>
      <Field label={t('flow.settings.intents')}>
        <Select mode="tags" size="small" style={{ width: '100%' }} open={false} value={triggers.intents ?? []} onChange={(v: string[]) => setTriggers('intents', v)} />
      </Field>
      <Field label={t('flow.settings.start')}>
        <Select size="small" style={{ width: '100%' }} value={flow.start} options={ids.map((x) => ({ value: x, label: x }))} onChange={(s: string) => onChange({ ...flow, start: s })} />
      </Field>
      <Field label={t('flow.settings.slots')} hint={t('flow.settings.slotsHint')}>
        {slots.length === 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('flow.settings.noSlots')}</Typography.Text>}
        {slots.map(([name, def]) => (
          <Space.Compact key={name} block style={{ marginBottom: 4 }}>
            <Input size="small" value={name} readOnly style={{ width: '45%' }} />
            <Select size="small" style={{ width: '40%' }} value={def.entity}
              options={ENTITIES.map((e) => ({ value: e, label: t(`flow.entity.${e}` as MessageKey) }))}
              onChange={(e: SlotEntity) => onChange({ ...flow, slots: { ...flow.slots, [name]: { ...def, entity: e } } })} />
            <Button size="small" icon={<MinusCircleOutlined />} aria-label={t('flow.remove')} onClick={() => {
              const n = { ...flow.slots };
              delete n[name];
              onChange({ ...flow, slots: n });
            }} />
          </Space.Compact>
        ))}
      </Field>
    </div>
  );
}
