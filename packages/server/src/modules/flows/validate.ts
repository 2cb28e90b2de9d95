import { FlowDefinition, type FlowStepDefinition, type FlowText } from '@lingxi/contracts';
import { FILTERS, templateVars } from './template.ts';

export type FlowProblem = { stepId?: string; message: string };
export type ValidateOptions = {
  /** Connector name → the operations it offers. */
  connectors: Record<string, string[]>;
};

/** Variables every flow may read: set by the interpreter itself. */
const BUILTINS = new Set(['identityVerified']);
/** Variables a passed identity check sets: the flag and the customer's verified mobile (11 digits). */
export const IDENTITY_VARS = ['identityVerified', 'verifiedPhone'] as const;

/** Every step a step can lead to, with the variables defined on that edge. */
export function edgesOf(step: FlowStepDefinition): { to: string; label: string; defines: string[] }[] {
  switch (step.type) {
    case 'say': return [{ to: step.next, label: 'next', defines: [] }];
    case 'ask': return [{ to: step.next, label: 'next', defines: [step.slot] }, { to: step.onFail, label: 'onFail', defines: [] }];
    case 'choice': return [
      ...step.options.map((o, i) => ({ to: o.next, label: `options[${i}].next`, defines: step.var ? [step.var] : [] })),
      ...(step.onFail ? [{ to: step.onFail, label: 'onFail', defines: [] }] : []),
    ];
    case 'condition': return [{ to: step.then, label: 'then', defines: [] }, { to: step.else, label: 'else', defines: [] }];
    case 'set': return [{ to: step.next, label: 'next', defines: [step.var] }];
    case 'call': return [{ to: step.next, label: 'next', defines: step.outputs ?? [] }, { to: step.onError, label: 'onError', defines: ['error', 'errorStatus'] }];
    case 'verify-identity': return [{ to: step.next, label: 'next', defines: [...IDENTITY_VARS] }, { to: step.onFail, label: 'onFail', defines: [] }];
    case 'transfer':
    case 'end': return [];
  }
}

/** Template variables a step reads, with where. */
function usesOf(step: FlowStepDefinition): { name: string; where: string; filter?: string }[] {
  const out: { name: string; where: string; filter?: string }[] = [];
  const add = (t: FlowText | string | number | boolean | null | undefined, where: string) => {
    for (const v of templateVars(t)) out.push({ name: v.name, where, ...(v.filter ? { filter: v.filter } : {}) });
  };
  switch (step.type) {
    case 'say': add(step.text, 'text'); break;
    case 'ask': add(step.prompt, 'prompt'); add(step.reprompt, 'reprompt'); break;
    case 'choice': add(step.prompt, 'prompt'); step.options.forEach((o, i) => add(o.label, `options[${i}].label`)); break;
    case 'condition': if (step.if.op !== 'exists') out.push({ name: step.if.var.split('.')[0], where: 'if.var' }); break;
    case 'set': add(step.value, 'value'); break;
    case 'call': for (const [k, v] of Object.entries(step.input ?? {})) add(v, `input.${k}`); break;
    case 'transfer': add(step.note, 'note'); add(step.text, 'text'); break;
    case 'end': add(step.text, 'text'); break;
    case 'verify-identity': break;
  }
  return out;
}

/**
 * Problems that make a flow unsafe to publish, as a list a flow author can act on. Accepts raw JSON: schema errors
 * are reported first (and stop further checks).
 */
export function validateFlow(raw: unknown, opts: ValidateOptions): FlowProblem[] {
  const parsed = FlowDefinition.safeParse(raw);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => {
      const stepId = i.path[0] === 'steps' && typeof i.path[1] === 'string' ? i.path[1] : undefined;
      return { ...(stepId ? { stepId } : {}), message: `invalid flow at ${i.path.join('.') || '(root)'}: ${i.message}` };
    });
  }
  const def = parsed.data;
  const problems: FlowProblem[] = [];
  const ids = Object.keys(def.steps);
  const has = (id: string) => Object.prototype.hasOwnProperty.call(def.steps, id);
  if (ids.length === 0) problems.push({ message: 'the flow has no steps' });
  if (!has(def.start)) problems.push({ message: `start step "${def.start}" does not exist` });

  // Targets, slots, connectors, patterns.
  for (const id of ids) {
    const step = def.steps[id];
    for (const e of edgesOf(step)) if (!has(e.to)) problems.push({ stepId: id, message: `${e.label} points to unknown step "${e.to}"` });
    if (step.type === 'ask') {
      const slot = def.slots?.[step.slot];
      if (!slot) problems.push({ stepId: id, message: `asks for slot "${step.slot}", which is not declared in "slots"` });
      else if (slot.entity !== step.entity) problems.push({ stepId: id, message: `entity "${step.entity}" differs from slot "${step.slot}"'s declared entity "${slot.entity}"` });
      if (step.entity === 'choice' && !step.options?.length) problems.push({ stepId: id, message: 'an ask with entity "choice" needs options' });
      if (step.validate?.pattern !== undefined) {
        try { new RegExp(step.validate.pattern, 'u'); } catch { problems.push({ stepId: id, message: `validate.pattern is not a valid regular expression: ${step.validate.pattern}` }); }
      }
      const { min, max } = step.validate ?? {};
      if (min !== undefined && max !== undefined && min > max) problems.push({ stepId: id, message: `validate.min (${min}) is greater than validate.max (${max})` });
    }
    if (step.type === 'call') {
      const ops = opts.connectors[step.connector];
      if (!ops) problems.push({ stepId: id, message: `calls unknown connector "${step.connector}"` });
      else if (!ops.includes(step.operation)) problems.push({ stepId: id, message: `connector "${step.connector}" has no operation "${step.operation}"` });
    }
    if (step.type === 'choice') {
      const seen = new Set<string>();
      for (const o of step.options) {
        const k = String(o.value);
        if (seen.has(k)) problems.push({ stepId: id, message: `two options have the value "${k}"` });
        seen.add(k);
      }
    }
    for (const u of usesOf(step)) {
      if (u.filter && !(FILTERS as readonly string[]).includes(u.filter)) problems.push({ stepId: id, message: `${u.where} uses unknown filter "|${u.filter}" (known: ${FILTERS.join(', ')})` });
    }
  }
  if (!has(def.start)) return problems;

  // Reachability.
  const reachable = new Set<string>([def.start]);
  const queue = [def.start];
  while (queue.length) {
    const id = queue.shift()!;
    for (const e of edgesOf(def.steps[id])) if (has(e.to) && !reachable.has(e.to)) { reachable.add(e.to); queue.push(e.to); }
  }
  for (const id of ids) if (!reachable.has(id)) problems.push({ stepId: id, message: 'step is unreachable from the start step' });

  // Variables set before use, on every path (definite assignment over the step graph).
  const definedAnywhere = new Set<string>(BUILTINS);
  for (const id of ids) for (const e of edgesOf(def.steps[id])) e.defines.forEach((v) => definedAnywhere.add(v));
  const inSets = new Map<string, Set<string>>(); // missing = not computed yet (= every variable)
  inSets.set(def.start, new Set(BUILTINS));
  const work = [def.start];
  while (work.length) {
    const id = work.pop()!;
    const cur = inSets.get(id)!;
    for (const e of edgesOf(def.steps[id])) {
      if (!has(e.to)) continue;
      const out = new Set(cur);
      e.defines.forEach((v) => out.add(v));
      const prev = inSets.get(e.to);
      let next: Set<string>;
      if (!prev) next = out;
      else next = new Set([...prev].filter((v) => out.has(v)));
      if (!prev || next.size !== prev.size) {
        inSets.set(e.to, next);
        work.push(e.to);
      }
    }
  }
  for (const id of ids) {
    if (!reachable.has(id)) continue;
    const known = inSets.get(id) ?? new Set<string>();
    const reported = new Set<string>();
    for (const u of usesOf(def.steps[id])) {
      if (known.has(u.name) || reported.has(u.name)) continue;
      reported.add(u.name);
      problems.push({
        stepId: id,
        message: definedAnywhere.has(u.name)
          ? `${u.where} uses variable "${u.name}", which may be unset on some path to this step`
          : `${u.where} uses variable "${u.name}", which no step sets (declare a slot, a set step or a call output)`,
      });
    }
  }

  // Loops that never wait for the customer (would spin until the step cap).
  const waits = (s: FlowStepDefinition) => s.type === 'ask' || s.type === 'choice';
  for (const scc of stronglyConnected(ids.filter((id) => !waits(def.steps[id])), (id) =>
    edgesOf(def.steps[id]).map((e) => e.to).filter((t) => has(t) && !waits(def.steps[t])))) {
    const selfLoop = scc.length === 1 && edgesOf(def.steps[scc[0]]).some((e) => e.to === scc[0]);
    if (scc.length > 1 || selfLoop) problems.push({ stepId: scc[0], message: `loop without an ask or choice step: ${[...scc, scc[0]].join(' → ')}` });
  }
  return problems;
}

/** Tarjan's strongly connected components. */
function stronglyConnected(nodes: string[], succ: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of succ(v)) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== v);
      out.push(comp.reverse());
    }
  };
  for (const n of nodes) if (!idx.has(n)) strong(n);
  return out;
}
