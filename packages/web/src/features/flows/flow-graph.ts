import type { FlowDefinitionInput, FlowStepType } from '@lingxi/contracts';

/**
 * Pure conversion between a flow's JSON (the document the engine runs, contracts/flow.ts) and the editor's graph.
 *
 * The step objects are the single source of truth: a node carries its step exactly as authored, and the edges are
 * derived from the steps' target fields (`next`, `onFail`, `onError`, `then`, `else`, `options[i].next`). Connecting,
 * disconnecting, deleting or renaming rewrites those fields, so graph → JSON is the steps back in node order and
 * JSON → graph → JSON is the identical document (key order included). A target naming a step that does not exist is
 * kept in the step (no edge is drawn) for the validator to report.
 *
 * Node positions are not part of the flow: the server's schema strips unknown keys, so they are kept by the editor
 * (localStorage) and computed by `layoutSteps` when none are saved.
 */

/** A flow as authored (defaults may be omitted). */
export type FlowJson = FlowDefinitionInput;
export type StepJson = FlowJson['steps'][string];

export type XY = { x: number; y: number };

export type StepNode = {
  id: string;
  type: 'step';
  position: XY;
  data: { step: StepJson; start: boolean };
};

/** One outgoing connection point of a step: its id is the JSON path of the target field inside the step. */
export type StepHandle = { id: string; kind: 'next' | 'fail' | 'error' | 'then' | 'else' | 'option'; option?: number };

export type StepEdge = { id: string; source: string; target: string; sourceHandle: string; targetHandle: 'in' };

export type FlowGraph = {
  /** The flow without its steps' layout: name, triggers, slots, start… kept as loaded. */
  flow: FlowJson;
  nodes: StepNode[];
  edges: StepEdge[];
};

export const STEP_TYPES: FlowStepType[] = ['say', 'ask', 'choice', 'condition', 'set', 'call', 'verify-identity', 'transfer', 'end'];

/** The outgoing handles of a step, in drawing order. */
export function handlesOf(step: StepJson): StepHandle[] {
  switch (step.type) {
    case 'say':
    case 'set':
      return [{ id: 'next', kind: 'next' }];
    case 'ask':
    case 'verify-identity':
      return [{ id: 'next', kind: 'next' }, { id: 'onFail', kind: 'fail' }];
    case 'call':
      return [{ id: 'next', kind: 'next' }, { id: 'onError', kind: 'error' }];
    case 'condition':
      return [{ id: 'then', kind: 'then' }, { id: 'else', kind: 'else' }];
    case 'choice':
      return [...step.options.map((_, i): StepHandle => ({ id: `options.${i}.next`, kind: 'option', option: i })), { id: 'onFail', kind: 'fail' }];
    case 'transfer':
    case 'end':
      return [];
  }
}

const optionIndex = (handle: string): number | undefined => {
  const m = /^options\.(\d+)\.next$/.exec(handle);
  return m ? Number(m[1]) : undefined;
};

/** The step a handle of `step` leads to, if set. */
export function targetOf(step: StepJson, handle: string): string | undefined {
  const i = optionIndex(handle);
  if (i !== undefined) return step.type === 'choice' ? step.options[i]?.next || undefined : undefined;
  const v = (step as Record<string, unknown>)[handle];
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * The step with one handle pointing to `target` (or, with undefined, the field removed). The field keeps its place
 * in the object, so a step rewritten with its own values is unchanged.
 */
export function withTarget(step: StepJson, handle: string, target: string | undefined): StepJson {
  const i = optionIndex(handle);
  if (i !== undefined) {
    if (step.type !== 'choice' || !step.options[i]) return step;
    // An option without next is invalid JSON for the engine; the empty string keeps the option and is reported.
    const options = step.options.map((o, j) => (j === i ? { ...o, next: target ?? '' } : o));
    return { ...step, options };
  }
  if (!handlesOf(step).some((h) => h.id === handle)) return step;
  if (target === undefined) {
    const copy = { ...step } as Record<string, unknown>;
    delete copy[handle];
    return copy as StepJson;
  }
  return { ...step, [handle]: target } as StepJson;
}

/** The edges a set of steps implies (targets that name a missing step draw none). */
export function edgesOfSteps(nodes: readonly GraphNode[]): StepEdge[] {
  const ids = new Set(nodes.map((n) => n.id));
  const out: StepEdge[] = [];
  for (const n of nodes) {
    for (const h of handlesOf(n.data.step)) {
      const t = targetOf(n.data.step, h.id);
      if (t && ids.has(t)) out.push({ id: `${n.id}:${h.id}`, source: n.id, target: t, sourceHandle: h.id, targetHandle: 'in' });
    }
  }
  return out;
}

export const NODE_W = 240;
export const NODE_H = 96;
const GAP_X = 90;
const GAP_Y = 36;

/**
 * A layered left-to-right layout: the layer of a step is its distance (in steps) from the start, found breadth
 * first so loops do not push steps away; steps not reachable from the start go in a last column. Inside a layer
 * steps keep the order they were discovered in, which keeps branches of one step next to each other.
 */
export function layoutSteps(flow: Pick<FlowJson, 'start' | 'steps'>): Record<string, XY> {
  const ids = Object.keys(flow.steps);
  const layer = new Map<string, number>();
  const order: string[] = [];
  if (Object.prototype.hasOwnProperty.call(flow.steps, flow.start)) {
    layer.set(flow.start, 0);
    order.push(flow.start);
    for (let q = 0; q < order.length; q++) {
      const id = order[q];
      const step = flow.steps[id];
      for (const h of handlesOf(step)) {
        const t = targetOf(step, h.id);
        if (t && Object.prototype.hasOwnProperty.call(flow.steps, t) && !layer.has(t)) {
          layer.set(t, layer.get(id)! + 1);
          order.push(t);
        }
      }
    }
  }
  const last = Math.max(-1, ...layer.values()) + 1;
  for (const id of ids) if (!layer.has(id)) { layer.set(id, last); order.push(id); }
  const bottom = new Map<number, number>();
  const out: Record<string, XY> = {};
  for (const id of order) {
    const l = layer.get(id)!;
    const y = bottom.get(l) ?? 0;
    bottom.set(l, y + stepHeight(flow.steps[id]) + GAP_Y);
    out[id] = { x: l * (NODE_W + GAP_X), y };
  }
  return out;
}

/** About how tall a step's node is drawn: a head, two lines of summary and a row per outgoing handle. */
export function stepHeight(step: StepJson): number {
  return Math.max(NODE_H, 72 + 20 * handlesOf(step).length);
}

/** JSON → graph. Saved positions win; steps without one are laid out. */
export function flowToGraph(flow: FlowJson, positions: Record<string, XY> = {}): FlowGraph {
  const auto = layoutSteps(flow);
  const nodes: StepNode[] = Object.entries(flow.steps).map(([id, step]) => ({
    id,
    type: 'step',
    position: positions[id] ?? auto[id],
    data: { step, start: id === flow.start },
  }));
  return { flow, nodes, edges: edgesOfSteps(nodes) };
}

/** Graph → JSON: the flow with its start and its steps in node order. */
export function graphToFlow(flow: FlowJson, nodes: readonly GraphNode[]): FlowJson {
  const steps: FlowJson['steps'] = {};
  for (const n of nodes) steps[n.id] = n.data.step;
  return { ...flow, steps };
}

/** What the editing functions need of a node (the canvas's nodes carry more: measurements, selection). */
export type GraphNode = { id: string; data: { step: StepJson } };

/** Nodes with one handle reconnected (or disconnected with target undefined). */
export function connect<N extends GraphNode>(nodes: N[], source: string, handle: string, target: string | undefined): N[] {
  return nodes.map((n) => (n.id === source ? ({ ...n, data: { ...n.data, step: withTarget(n.data.step, handle, target) } } as N) : n));
}

/** Nodes with one step replaced (same id). */
export function updateStep<N extends GraphNode>(nodes: N[], id: string, step: StepJson): N[] {
  return nodes.map((n) => (n.id === id ? ({ ...n, data: { ...n.data, step } } as N) : n));
}

/** Removes steps and every connection into them. */
export function removeSteps<N extends GraphNode>(nodes: N[], ids: readonly string[]): N[] {
  const gone = new Set(ids);
  return nodes
    .filter((n) => !gone.has(n.id))
    .map((n) => {
      let step = n.data.step;
      for (const h of handlesOf(step)) {
        const t = targetOf(step, h.id);
        if (t && gone.has(t)) step = withTarget(step, h.id, undefined);
      }
      return step === n.data.step ? n : ({ ...n, data: { ...n.data, step } } as N);
    });
}

/** Renames a step, rewriting every connection into it; the flow's start follows. */
export function renameStep<N extends GraphNode>(flow: FlowJson, nodes: N[], from: string, to: string): { flow: FlowJson; nodes: N[] } {
  if (from === to || nodes.some((n) => n.id === to)) return { flow, nodes };
  const out = nodes.map((n) => {
    let step = n.data.step;
    for (const h of handlesOf(step)) if (targetOf(step, h.id) === from) step = withTarget(step, h.id, to);
    const id = n.id === from ? to : n.id;
    return id === n.id && step === n.data.step ? n : ({ ...n, id, data: { ...n.data, step } } as N);
  });
  return { flow: flow.start === from ? { ...flow, start: to } : flow, nodes: out };
}

/** A fresh step id for a type: `ask1`, `ask2`… not yet used. */
export function freshStepId(type: FlowStepType, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = type === 'verify-identity' ? 'verify' : type;
  for (let i = 1; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/**
 * A new step of a type, with placeholder texts (the author edits them) and no connections yet — the validator
 * reports the missing targets until they are drawn.
 */
export function newStep(type: FlowStepType, texts: { say: string; prompt: string; option: string }): StepJson {
  switch (type) {
    case 'say': return { type, text: texts.say } as StepJson;
    case 'ask': return { type, slot: 'value', entity: 'text', prompt: texts.prompt, maxTries: 3 } as StepJson;
    case 'choice': return { type, prompt: texts.prompt, options: [{ label: texts.option, value: '1' }] } as StepJson;
    case 'condition': return { type, if: { var: '', op: 'exists' } } as StepJson;
    case 'set': return { type, var: 'value', value: '' } as StepJson;
    case 'call': return { type, connector: '', operation: '' } as StepJson;
    case 'verify-identity': return { type } as StepJson;
    case 'transfer': return { type };
    case 'end': return { type };
  }
}

/** A new, empty flow: one end step as the start. */
export function emptyFlow(id: string, name: string): FlowJson {
  return { id, version: 1, name, triggers: { phrases: [] }, slots: {}, start: 'end1', steps: { end1: { type: 'end' } } };
}

/** The steps a dry run passed (in order) and the variables it set, from the turns' events. */
export function dryRunTrace(turns: readonly { events: readonly { type: string; payload: Record<string, unknown> }[] }[]): { steps: string[]; vars: Record<string, unknown> } {
  const steps: string[] = [];
  const vars: Record<string, unknown> = {};
  for (const t of turns) {
    for (const e of t.events) {
      if (e.type === 'flow.step' && typeof e.payload.stepId === 'string') steps.push(e.payload.stepId);
      else if (e.type === 'slot.filled' && typeof e.payload.slot === 'string') vars[e.payload.slot] = e.payload.value;
      else if (e.type === 'flow.vars' && e.payload.vars && typeof e.payload.vars === 'object') Object.assign(vars, e.payload.vars);
    }
  }
  return { steps, vars };
}

/**
 * The flow with slot `slot` declared for `entity` (an ask step's slot must be declared with the same entity); a
 * declaration other ask steps still use under a different name stays.
 */
export function declareSlot(flow: FlowJson, slot: string, entity: string): FlowJson {
  const slots = flow.slots ?? {};
  const cur = slots[slot];
  if (cur && cur.entity === entity) return flow;
  return { ...flow, slots: { ...slots, [slot]: { ...(cur ?? {}), entity } as NonNullable<FlowJson['slots']>[string] } };
}

/**
 * The flow's slot declarations after an ask step changed from `prev` to `next`: the new slot is declared with the
 * step's entity, and the old one is dropped when no other ask step still asks for it.
 */
export function syncAskSlot(flow: FlowJson, nodes: readonly GraphNode[], prev: StepJson, next: StepJson): FlowJson {
  if (next.type !== 'ask') return flow;
  let out = flow;
  if (prev.type === 'ask' && prev.slot !== next.slot && out.slots?.[prev.slot]) {
    const used = nodes.some((n) => n.data.step.type === 'ask' && n.data.step.slot === prev.slot);
    if (!used) {
      const slots = { ...out.slots };
      delete slots[prev.slot];
      out = { ...out, slots };
    }
  }
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(next.slot) ? declareSlot(out, next.slot, next.entity) : out;
}

/**
 * A schema problem that only says a step's connection is missing ("invalid flow at steps.s1.next: … undefined",
 * or an option's empty next), as the step and handle it concerns; anything else: null.
 */
export function missingConnection(message: string): { stepId: string; handle: string } | null {
  const m = /^invalid flow at steps\.([^.\s]+)\.((?:options\.\d+\.)?(?:next|onFail|onError|then|else)):\s*(.*)$/.exec(message);
  if (!m) return null;
  return /undefined|required|too small|at least 1|>=1/i.test(m[3]) ? { stepId: m[1], handle: m[2] } : null;
}
