import { memo, type ReactNode } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { Tooltip } from 'antd';
import {
  ApiOutlined, BranchesOutlined, CustomerServiceOutlined, EditOutlined, FlagOutlined, MessageOutlined, QuestionCircleOutlined,
  SafetyCertificateOutlined, StopOutlined, UnorderedListOutlined, WarningFilled,
} from '@ant-design/icons';
import type { FlowStepType, FlowText } from '@lingxi/contracts';
import { useI18n, type Translate } from '../../shared/i18n.tsx';
import type { Locale } from '../../shared/i18n.tsx';
import type { MessageKey } from '../../shared/messages.ts';
import { handlesOf, missingConnection, type StepHandle, type StepJson } from './flow-graph.ts';
import type { FlowProblem } from './flows-api.ts';

/** What a step node shows besides its step: its problems and whether the dry run is at or passed it. */
export type StepNodeData = { step: StepJson; start: boolean; problems?: FlowProblem[]; run?: 'current' | 'visited' };
export type StepFlowNode = Node<StepNodeData, 'step'>;

export const STEP_META: Record<FlowStepType, { icon: ReactNode; color: string; label: MessageKey }> = {
  say: { icon: <MessageOutlined />, color: '#1677ff', label: 'flow.type.say' },
  ask: { icon: <QuestionCircleOutlined />, color: '#722ed1', label: 'flow.type.ask' },
  choice: { icon: <UnorderedListOutlined />, color: '#13a8a8', label: 'flow.type.choice' },
  condition: { icon: <BranchesOutlined />, color: '#d46b08', label: 'flow.type.condition' },
  set: { icon: <EditOutlined />, color: '#595959', label: 'flow.type.set' },
  call: { icon: <ApiOutlined />, color: '#389e0d', label: 'flow.type.call' },
  'verify-identity': { icon: <SafetyCertificateOutlined />, color: '#d4b106', label: 'flow.type.verify-identity' },
  transfer: { icon: <CustomerServiceOutlined />, color: '#c41d7f', label: 'flow.type.transfer' },
  end: { icon: <StopOutlined />, color: '#434343', label: 'flow.type.end' },
};

/** A flow text in the UI's language (the Chinese text when there is no English one). */
export function textOf(t: FlowText | undefined, locale: Locale): string {
  if (t === undefined) return '';
  if (typeof t === 'string') return t;
  return locale === 'en-US' ? t.en || t.zh : t.zh;
}

/** The label of an outgoing handle. */
export function handleLabel(h: StepHandle, step: StepJson, t: Translate, locale: Locale): string {
  if (h.kind === 'option' && step.type === 'choice') return textOf(step.options[h.option!]?.label, locale) || `#${h.option! + 1}`;
  return t(`flow.handle.${h.kind}` as MessageKey);
}

/** One line with the step's key settings. */
export function stepSummary(step: StepJson, t: Translate, locale: Locale): string {
  switch (step.type) {
    case 'say': return textOf(step.text, locale);
    case 'ask': return `${step.slot} · ${t(`flow.entity.${step.entity}` as MessageKey)} — ${textOf(step.prompt, locale)}`;
    case 'choice': return textOf(step.prompt, locale);
    case 'condition': return step.if.var ? `${step.if.var} ${t(`flow.op.${step.if.op}` as MessageKey)} ${step.if.op === 'exists' ? '' : JSON.stringify(step.if.value ?? '')}` : '';
    case 'set': return `${step.var} = ${String(step.value)}`;
    case 'call': return step.connector ? `${step.connector}.${step.operation}` : '';
    case 'verify-identity': return t('flow.summary.verify');
    case 'transfer': return [step.queue ? `→ ${step.queue}` : '', textOf(step.text, locale)].filter(Boolean).join(' ');
    case 'end': return textOf(step.text, locale);
  }
}

/** A problem in the author's words: a missing connection names the handle; other messages are the validator's. */
export function describeProblem(p: FlowProblem, step: StepJson | undefined, t: Translate, locale: Locale): string {
  const miss = missingConnection(p.message);
  const h = miss && step ? handlesOf(step).find((x) => x.id === miss.handle) : undefined;
  return h && step ? t('flow.problem.notConnected', { handle: handleLabel(h, step, t, locale), field: h.id }) : p.message;
}

const HANDLE_ROW = 20;

function StepNodeView({ id, data, selected }: NodeProps<StepFlowNode>) {
  const { t, locale } = useI18n();
  const meta = STEP_META[data.step.type];
  const handles = handlesOf(data.step);
  const problems = data.problems ?? [];
  const cls = ['flow-node', selected ? 'selected' : '', problems.length ? 'has-problems' : '', data.run ? `run-${data.run}` : ''].filter(Boolean).join(' ');
  return (
    <div className={cls} style={{ ['--step-color' as string]: meta.color }} data-testid={`flow-node-${id}`} data-step-type={data.step.type}>
      <Handle type="target" position={Position.Left} id="in" className="flow-handle-in" />
      <div className="flow-node-head">
        <span className="flow-node-icon">{meta.icon}</span>
        <span className="flow-node-type">{t(meta.label)}</span>
        <span className="flow-node-id" title={id}>{id}</span>
        {data.start && (
          <Tooltip title={t('flow.startStep')}>
            <FlagOutlined className="flow-node-start" />
          </Tooltip>
        )}
        {problems.length > 0 && (
          <Tooltip title={<div>{problems.map((p, i) => <div key={i}>• {describeProblem(p, data.step, t, locale)}</div>)}</div>}>
            <span className="flow-node-badge" data-testid={`flow-node-problems-${id}`}>
              <WarningFilled /> {problems.length}
            </span>
          </Tooltip>
        )}
      </div>
      <div className="flow-node-body">{stepSummary(data.step, t, locale) || <span className="flow-node-empty">{t('flow.summary.empty')}</span>}</div>
      {handles.length > 0 && (
        <div className="flow-node-outs" style={{ minHeight: handles.length * HANDLE_ROW }}>
          {handles.map((h) => (
            <div key={h.id} className={`flow-node-out kind-${h.kind}`} style={{ height: HANDLE_ROW }}>
              <span className="flow-node-out-label">{handleLabel(h, data.step, t, locale)}</span>
              <Handle type="source" position={Position.Right} id={h.id} className={`flow-handle-out kind-${h.kind}`} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

export const StepNodeComponent = memo(StepNodeView);
