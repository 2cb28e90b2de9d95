import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background, Controls, MarkerType, MiniMap, ReactFlow, ReactFlowProvider, applyNodeChanges, useReactFlow,
  type Connection, type Edge, type EdgeChange, type NodeChange, type NodeTypes,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './flows.css';
import { Alert, Badge, Button, Modal, Result, Spin, Tabs, Tag, Tooltip, Typography, message } from 'antd';
import { ArrowLeftOutlined, CheckCircleOutlined, CloseCircleOutlined, LoadingOutlined, PartitionOutlined, SaveOutlined } from '@ant-design/icons';
import type { FlowStepType } from '@lingxi/contracts';
import { ApiError } from '../../shared/api.ts';
import type { MessageKey } from '../../shared/messages.ts';
import { useI18n } from '../../shared/i18n.tsx';
import { navigate } from '../../shared/router.tsx';
import {
  connect, edgesOfSteps, emptyFlow, layoutSteps, NODE_H, NODE_W, flowToGraph, freshStepId, graphToFlow, handlesOf, newStep, removeSteps, renameStep, STEP_TYPES, syncAskSlot, updateStep,
  type FlowJson, type XY,
} from './flow-graph.ts';
import { flowsApi, type Connector, type FlowProblem } from './flows-api.ts';
import { DryRunPanel } from './dry-run-panel.tsx';
import { FlowSettingsPanel, StepPanel } from './step-panel.tsx';
import { describeProblem, STEP_META, StepNodeComponent, textOf, type StepFlowNode } from './step-node.tsx';

const nodeTypes: NodeTypes = { step: StepNodeComponent };
const VALIDATE_DELAY = 500;
const FIT = { padding: 0.12, maxZoom: 1 };

/** Node positions are editor state, not part of the flow (the server keeps only what the engine runs). */
const layoutKey = (bot: string, id: string) => `lingxi.flow-layout.${bot}.${id}`;
function loadPositions(bot: string, id: string): Record<string, XY> {
  try {
    const raw = localStorage.getItem(layoutKey(bot, id));
    return raw ? (JSON.parse(raw) as Record<string, XY>) : {};
  } catch {
    return {};
  }
}
function savePositions(bot: string, id: string, nodes: readonly StepFlowNode[]): void {
  try {
    localStorage.setItem(layoutKey(bot, id), JSON.stringify(Object.fromEntries(nodes.map((n) => [n.id, n.position]))));
  } catch {
    // not kept; the layout is recomputed next time
  }
}

type Loaded = { flow: FlowJson; savedText: string | null; version: number | null };

/** 流程编辑器: the flow as a graph, a form for the selected step, live validation and a dry-run chat. */
export function FlowEditorPage({ bot, flowId }: { bot: string; flowId: string }) {
  const { t } = useI18n();
  // Read once: saving a new flow drops the query from the address without reloading the editor.
  const [{ isNew, newName }] = useState(() => {
    const q = new URLSearchParams(window.location.search);
    return { isNew: q.get('new') === '1', newName: q.get('name') ?? flowId };
  });
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setLoaded(null);
    flowsApi.get(bot, flowId).then(
      (f) => live && setLoaded({ flow: f.definition, savedText: JSON.stringify(f.definition), version: f.version }),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 404 && isNew) setLoaded({ flow: emptyFlow(flowId, newName), savedText: null, version: null });
        else setError((e as Error).message);
      },
    );
    return () => {
      live = false;
    };
  }, [bot, flowId, isNew, newName]);

  if (error) return <Result status="warning" title={t('flow.loadFailed')} subTitle={error} extra={<Button onClick={() => navigate(`/flows?bot=${encodeURIComponent(bot)}`)}>{t('flow.back')}</Button>} />;
  if (!loaded) return <div className="flow-loading"><Spin /></div>;
  return (
    <ReactFlowProvider>
      <Editor bot={bot} initial={loaded} />
    </ReactFlowProvider>
  );
}

function Editor({ bot, initial }: { bot: string; initial: Loaded }) {
  const { t, locale } = useI18n();
  const rf = useReactFlow();
  const [flow, setFlow] = useState<FlowJson>(initial.flow);
  const [nodes, setNodes] = useState<StepFlowNode[]>(() => flowToGraph(initial.flow, loadPositions(bot, initial.flow.id)).nodes as StepFlowNode[]);
  const [savedText, setSavedText] = useState(initial.savedText);
  const [version, setVersion] = useState(initial.version);
  const [selected, setSelected] = useState<string | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const [tab, setTab] = useState('flow');
  const [problems, setProblems] = useState<FlowProblem[] | null>(null);
  const [checking, setChecking] = useState(false);
  const [saving, setSaving] = useState(false);
  const [connectors, setConnectors] = useState<Connector[]>([]);
  const [trace, setTrace] = useState<{ current?: string; visited: string[] } | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  // The latest nodes, for handlers that run after the last change of a drag has been applied.
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  // A long flow opens on its first layers at a readable zoom (the minimap shows the rest), a short one whole.
  const [initialFit] = useState(() => {
    const xs = nodes.map((n) => n.position.x);
    const left = Math.min(...xs);
    // As many layers as the canvas shows at about 0.65 zoom (the window less the menu, palette and side panel).
    const layers = Math.max(2, Math.floor(Math.max(400, window.innerWidth - 660) / ((NODE_W + 90) * 0.65)));
    const first = nodes.filter((n) => n.position.x <= left + (layers - 0.2) * (NODE_W + 90));
    return first.length < nodes.length ? { ...FIT, nodes: first.map((n) => ({ id: n.id })) } : FIT;
  });

  const current = useMemo(() => graphToFlow({ ...flow }, nodes), [flow, nodes]);
  const currentText = JSON.stringify(current);
  const dirty = currentText !== savedText;
  const ids = useMemo(() => nodes.map((n) => n.id), [nodes]);

  useEffect(() => {
    flowsApi.connectors().then(setConnectors, () => undefined);
  }, []);

  // Validation on every change of the document (not of the layout), debounced.
  useEffect(() => {
    let live = true;
    setChecking(true);
    const timer = setTimeout(() => {
      flowsApi.validate(bot, JSON.parse(currentText) as FlowJson).then(
        (r) => live && setProblems(r.problems),
        (e: unknown) => live && setProblems([{ message: (e as Error).message }]),
      ).finally(() => live && setChecking(false));
    }, VALIDATE_DELAY);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [bot, currentText]);

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const h = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', h);
    return () => window.removeEventListener('beforeunload', h);
  }, [dirty]);

  const byStep = useMemo(() => {
    const m = new Map<string, FlowProblem[]>();
    for (const p of problems ?? []) if (p.stepId) m.set(p.stepId, [...(m.get(p.stepId) ?? []), p]);
    return m;
  }, [problems]);

  const visited = useMemo(() => new Set(trace?.visited ?? []), [trace]);
  const rfNodes = useMemo(() => nodes.map((n) => ({
    ...n,
    selected: n.id === selected,
    data: { ...n.data, start: n.id === flow.start, problems: byStep.get(n.id), run: trace?.current === n.id ? 'current' as const : visited.has(n.id) ? 'visited' as const : undefined },
  })), [nodes, selected, flow.start, byStep, trace, visited]);

  const edges: Edge[] = useMemo(() => edgesOfSteps(nodes).map((e) => {
    const kind = handlesOf(nodes.find((n) => n.id === e.source)!.data.step).find((h) => h.id === e.sourceHandle)?.kind;
    const bad = kind === 'fail' || kind === 'error' || kind === 'else';
    const color = bad ? '#ff7875' : '#8c8c8c';
    return {
      ...e,
      type: 'smoothstep',
      reconnectable: 'target' as const,
      markerEnd: { type: MarkerType.ArrowClosed, color },
      style: { stroke: color, strokeDasharray: kind === 'fail' || kind === 'error' ? '5 4' : undefined },
      animated: !!trace && visited.has(e.source) && visited.has(e.target),
      selected: e.id === selectedEdge,
    };
  }), [nodes, trace, visited, selectedEdge]);

  const onNodesChange = useCallback((changes: NodeChange<StepFlowNode>[]) => {
    const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
    const rest = changes.filter((c) => c.type !== 'remove' && c.type !== 'select');
    for (const c of changes) if (c.type === 'select' && c.selected) setSelected(c.id);
    setNodes((ns) => {
      let out = rest.length ? applyNodeChanges(rest, ns) : ns;
      if (removed.length) out = removeSteps(out, removed);
      return out;
    });
    if (removed.length) setSelected((s) => (s && removed.includes(s) ? null : s));
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    for (const c of changes) if (c.type === 'select') setSelectedEdge((cur) => (c.selected ? c.id : cur === c.id ? null : cur));
    const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
    if (!removed.length) return;
    setNodes((ns) => {
      let out = ns;
      for (const id of removed) {
        const at = id.indexOf(':');
        out = connect(out, id.slice(0, at), id.slice(at + 1), undefined);
      }
      return out;
    });
  }, []);

  const onConnect = useCallback((c: Connection) => {
    if (!c.sourceHandle || c.source === c.target) return;
    setNodes((ns) => connect(ns, c.source, c.sourceHandle!, c.target));
  }, []);
  const onReconnect = useCallback((old: Edge, c: Connection) => {
    if (!old.sourceHandle) return;
    setNodes((ns) => connect(ns, old.source, old.sourceHandle!, c.target));
  }, []);

  const addStep = (type: FlowStepType) => {
    const id = freshStepId(type, ids);
    const box = wrapper.current?.getBoundingClientRect();
    const center = box ? rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    // A new step goes to the first free place below the middle of the view, so steps added in a row do not pile up.
    const free = (x: number, y: number) => !nodes.some((n) => Math.abs(n.position.x - x) < NODE_W + 16 && y < n.position.y + (n.measured?.height ?? NODE_H) + 16 && n.position.y < y + NODE_H + 40);
    let at = { x: center.x - NODE_W / 2, y: center.y - 60 };
    for (let k = 0; k < 40 && !free(at.x, at.y); k++) at = k % 2 === 0 ? { x: at.x + NODE_W + 40, y: at.y } : { x: at.x - NODE_W - 40, y: at.y + 70 };
    const step = newStep(type, { say: t('flow.new.say'), prompt: t('flow.new.prompt'), option: t('flow.new.option') });
    if (type === 'ask' && step.type === 'ask') {
      // A fresh slot name, declared for the step's entity.
      let slot = 'value';
      for (let i = 2; flow.slots?.[slot] || nodes.some((n) => n.data.step.type === 'ask' && n.data.step.slot === slot); i++) slot = `value${i}`;
      step.slot = slot;
      setFlow((f) => ({ ...f, slots: { ...(f.slots ?? {}), [slot]: { entity: 'text' } } }));
    }
    setNodes((ns) => [...ns, { id, type: 'step', position: at, data: { step, start: false } }]);
    setSelected(id);
    setTab('step');
  };

  const select = (id: string | null) => {
    setSelected(id);
    if (id && tab !== 'run') setTab('step');
  };
  const focusStep = (id: string) => {
    const n = nodes.find((x) => x.id === id);
    if (!n) return;
    select(id);
    setTab('step');
    void rf.setCenter(n.position.x + 120, n.position.y + 48, { zoom: Math.max(rf.getZoom(), 0.9), duration: 300 });
  };

  const back = () => {
    const go = () => navigate(`/flows?bot=${encodeURIComponent(bot)}`);
    if (!dirty) return go();
    Modal.confirm({ title: t('flow.leaveTitle'), content: t('flow.leaveBody'), okText: t('flow.leave'), cancelText: t('flow.cancel'), okButtonProps: { danger: true }, onOk: go });
  };

  /** Lays the steps out anew (layered from the start step) and forgets the saved positions. */
  const relayout = () => {
    const pos = layoutSteps(graphToFlow(flow, nodes));
    const out = nodes.map((n) => ({ ...n, position: pos[n.id] }));
    setNodes(out);
    savePositions(bot, flow.id, out);
    window.setTimeout(() => void rf.fitView(FIT), 50);
  };

  const save = async () => {
    setSaving(true);
    try {
      const saved = await flowsApi.put(bot, current.id, current);
      // The server's copy (defaults applied, keys in schema order) is the document from now on; the layout stays.
      const positions = Object.fromEntries(nodes.map((n) => [n.id, n.position]));
      setFlow(saved.definition);
      setNodes(flowToGraph(saved.definition, positions).nodes as StepFlowNode[]);
      setSavedText(JSON.stringify(saved.definition));
      setVersion(saved.version);
      savePositions(bot, current.id, nodes);
      if (window.location.search.includes('new=1')) navigate(`/flows/${encodeURIComponent(bot)}/${encodeURIComponent(current.id)}`, { replace: true });
      void message.success(t('flow.saved', { version: saved.version }));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'validation_failed') {
        const d = e.details as { problems?: FlowProblem[] } | undefined;
        if (d?.problems) setProblems(d.problems);
        setTab('problems');
        void message.error(t('flow.saveInvalid'));
      } else void message.error((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const sel = selected ? nodes.find((n) => n.id === selected) : undefined;
  const nProblems = problems?.length ?? 0;
  const status = checking || problems === null
    ? <Tag icon={<LoadingOutlined />} color="default">{t('flow.checking')}</Tag>
    : nProblems
      ? <Tag icon={<CloseCircleOutlined />} color="error" data-testid="flow-status" style={{ cursor: 'pointer' }} onClick={() => setTab('problems')}>{t('flow.problemsCount', { n: nProblems })}</Tag>
      : <Tag icon={<CheckCircleOutlined />} color="success" data-testid="flow-status">{t('flow.valid')}</Tag>;

  return (
    <div className="flow-editor" data-testid="flow-editor">
      <div className="flow-toolbar">
        <Button size="small" type="text" icon={<ArrowLeftOutlined />} onClick={back} aria-label={t('flow.back')} />
        <Typography.Text strong className="flow-toolbar-title" ellipsis>{textOf(flow.name, locale) || flow.id}</Typography.Text>
        <Typography.Text type="secondary" className="flow-toolbar-meta">
          {flow.id} · {version ? t('flow.version', { v: version }) : t('flow.unsaved')} · {t('flow.stepsCount', { n: nodes.length })}
        </Typography.Text>
        {status}
        {dirty && <Badge status="warning" text={<span style={{ fontSize: 12 }}>{t('flow.dirty')}</span>} />}
        <span className="filter-spacer" />
        <Typography.Text type="secondary" className="flow-toolbar-hint">{t('flow.publishHint')}</Typography.Text>
        <Tooltip title={t('flow.relayoutHint')} placement="left">
          <Button size="small" icon={<PartitionOutlined />} onClick={relayout} data-testid="flow-relayout">{t('flow.relayout')}</Button>
        </Tooltip>
        <Button size="small" type="primary" icon={<SaveOutlined />} loading={saving} disabled={!dirty} onClick={() => void save()} data-testid="flow-save">{t('flow.save')}</Button>
      </div>
      <div className="flow-body">
        <div className="flow-palette" data-testid="flow-palette">
          <div className="flow-palette-title">{t('flow.palette')}</div>
          {STEP_TYPES.map((type) => (
            <Tooltip key={type} title={t(`flow.typeHint.${type}` as MessageKey)} placement="right">
              <button type="button" className="flow-palette-item" style={{ ['--step-color' as string]: STEP_META[type].color }} onClick={() => addStep(type)} data-testid={`flow-add-${type}`}>
                {STEP_META[type].icon}<span>{t(STEP_META[type].label)}</span>
              </button>
            </Tooltip>
          ))}
        </div>
        <div className="flow-canvas" ref={wrapper}>
          <ReactFlow<StepFlowNode, Edge>
            nodes={rfNodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onReconnect={onReconnect}
            onNodeClick={(_, n) => select(n.id)}
            onPaneClick={() => setSelected(null)}
            onNodeDragStop={() => window.setTimeout(() => savePositions(bot, flow.id, nodesRef.current), 0)}
            deleteKeyCode={['Delete', 'Backspace']}
            fitView
            fitViewOptions={initialFit}
            minZoom={0.15}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={16} size={1} />
            <Controls showInteractive={false} fitViewOptions={FIT} />
            <MiniMap pannable zoomable nodeColor={(n) => STEP_META[(n as StepFlowNode).data.step.type].color} style={{ width: 140, height: 90 }} />
          </ReactFlow>
        </div>
        <div className="flow-side">
          <Tabs
            size="small"
            activeKey={tab}
            onChange={setTab}
            className="flow-side-tabs"
            items={[
              {
                key: 'step', label: t('flow.tab.step'),
                children: sel ? (
                  <StepPanel
                    id={sel.id}
                    step={sel.data.step}
                    flow={flow}
                    ids={ids}
                    connectors={connectors}
                    problems={byStep.get(sel.id) ?? []}
                    onChange={(s) => {
                      const ns = updateStep(nodes, sel.id, s);
                      setNodes(ns);
                      if (s.type === 'ask') setFlow((f) => syncAskSlot(f, ns, sel.data.step, s));
                    }}
                    onFlowChange={setFlow}
                    onRename={(to) => {
                      const r = renameStep(flow, nodes, sel.id, to);
                      setFlow(r.flow);
                      setNodes(r.nodes);
                      setSelected(to);
                      return true;
                    }}
                    onDelete={() => {
                      setNodes((ns) => removeSteps(ns, [sel.id]));
                      setSelected(null);
                    }}
                    onMakeStart={() => setFlow((f) => ({ ...f, start: sel.id }))}
                  />
                ) : <div className="flow-panel-empty">{t('flow.selectHint')}</div>,
              },
              { key: 'flow', label: t('flow.tab.flow'), children: <FlowSettingsPanel flow={flow} ids={ids} onChange={setFlow} isNew={version === null} /> },
              {
                key: 'problems',
                label: <span data-testid="flow-tab-problems">{t('flow.tab.problems')} {nProblems > 0 && <Badge count={nProblems} size="small" />}</span>,
                children: (
                  <div className="flow-panel-body" data-testid="flow-problems">
                    {nProblems === 0 && problems !== null && <Alert type="success" showIcon message={t('flow.valid')} />}
                    {(problems ?? []).map((p, i) => (
                      <div key={i} className={`flow-problem${p.stepId ? ' clickable' : ''}`} onClick={() => p.stepId && focusStep(p.stepId)} data-testid="flow-problem">
                        {p.stepId && <Tag color="red">{p.stepId}</Tag>}
                        <span title={p.message}>{describeProblem(p, p.stepId ? nodes.find((n) => n.id === p.stepId)?.data.step : undefined, t, locale)}</span>
                      </div>
                    ))}
                  </div>
                ),
              },
              { key: 'run', label: t('flow.tab.run'), children: <DryRunPanel bot={bot} flow={current} onTrace={setTrace} /> },
            ]}
          />
        </div>
      </div>
    </div>
  );
}
