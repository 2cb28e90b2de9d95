// The flow interpreter: a pure step machine. It never does I/O — a connector call, an identity check or a transfer
// is returned as an effect, and the result comes back through advance(). Every change of state is an event, and the
// state is nothing but the fold of those events (applyFlowEvent), so replayFlow() over the conversation log rebuilds
// exactly what the live machine held, including after a server restart mid-flow.
import type { FlowDefinition, FlowStepDefinition, FlowText, Reply, ReplyOption } from '@lingxi/contracts';
import { extractEntities, type ProductEntry } from '../nlu/entities/index.ts';
import { normalize, parseChoice } from '../text/index.ts';
import { getPath, maskValue, pickText, render, renderValue, formatValue, type FlowLang } from './template.ts';

export type FlowWaiting = 'slot' | 'choice' | 'identity' | 'connector';

export type FlowState = {
  flowId: string;
  version: number;
  stepId: string;
  vars: Record<string, unknown>;
  /** Invalid answers so far at the current step. */
  tries: number;
  waitingFor?: FlowWaiting;
  /** At an ask step with reuse: the value from earlier in the session that was offered. */
  offer?: unknown;
  /** Slot values found in the message that started the flow, used when their ask step comes. */
  prefill?: Record<string, unknown>;
  /** Set while the customer digresses (an FAQ question mid-flow). */
  suspended?: boolean;
};

export type FlowContext = {
  now: Date;
  lang: FlowLang;
  /** Slots filled earlier in the session (by sessionKey), offered again by ask steps with `reuse`. */
  sessionSlots: Record<string, unknown>;
  products?: ProductEntry[];
  timeZone?: string;
  /** The channel already carries a verified identity: verify-identity steps pass at once. */
  identityVerified?: boolean;
  /** Variables a verified identity brings (verifiedPhone), set when a verify-identity step passes. */
  identityVars?: Record<string, unknown>;
};

/** A connector's outcome as the flow sees it; on failure `status` is the remote HTTP status when there was one. */
export type ConnectorResult = { ok: true; vars?: Record<string, unknown> } | { ok: false; error: string; status?: number };
export type FlowInput =
  | { kind: 'user'; text: string }
  | { kind: 'connector'; result: ConnectorResult }
  | { kind: 'identity'; verified: boolean; vars?: Record<string, unknown> };

export type FlowEffect =
  | { type: 'call'; connector: string; operation: string; input: Record<string, unknown> }
  | { type: 'verify-identity' }
  | { type: 'transfer'; queue?: string; note?: string };

export type FlowEvent = { type: string; payload: Record<string, unknown> };

export type FlowStep = {
  /** null when the flow has ended (completed, transferred, cancelled or failed). */
  state: FlowState | null;
  replies: Reply[];
  effects: FlowEffect[];
  events: FlowEvent[];
};

export const FLOW_EV = {
  started: 'flow.started',
  step: 'flow.step',
  waiting: 'flow.waiting',
  retry: 'flow.retry',
  slotFilled: 'slot.filled',
  slotRejected: 'slot.rejected',
  vars: 'flow.vars',
  connector: 'flow.connector',
  suspended: 'flow.suspended',
  resumed: 'flow.resumed',
  restarted: 'flow.restarted',
  completed: 'flow.completed',
  cancelled: 'flow.cancelled',
  failed: 'flow.failed',
} as const;

/** Steps one advance() may execute before the flow is declared stuck in a loop. */
export const MAX_STEPS_PER_ADVANCE = 50;

const MSG = {
  cancelled: ['好的，已为您取消本次办理。还有什么可以帮您？', "OK, I've cancelled this request. Is there anything else I can help with?"],
  restarted: ['好的，我们重新开始。', "OK, let's start over."],
  stuck: ['抱歉，办理过程出现异常，已为您结束本次办理。您可以稍后重试，或回复“人工”联系客服。', 'Sorry, something went wrong and this request has been stopped. Please try again later, or ask for an agent.'],
  broken: ['抱歉，该业务流程已更新，请重新发起办理。', 'Sorry, this service has been updated. Please start again.'],
  waitIdentity: ['请先完成身份验证。', 'Please complete identity verification first.'],
  waitConnector: ['正在为您处理，请稍候……', 'Working on it, one moment please…'],
  handoff: ['正在为您转接人工客服，请稍候。', 'Transferring you to a customer-service agent, one moment please.'],
  resume: ['我们继续刚才的「{name}」：', "Let's continue with {name}: "],
  reuse: ['您之前提供的{label}是 {value}，继续使用吗？', 'Earlier you gave {label} {value}. Use it again?'],
  reuseYes: ['继续使用', 'Yes, use it'],
  reuseNo: ['换一个', 'Use another'],
  failed: ['抱歉，暂时无法完成办理。', 'Sorry, this request could not be completed.'],
} as const;

const SLOT_LABELS: Record<string, [string, string]> = {
  money: ['金额', 'the amount'], date: ['日期', 'the date'], card_number: ['卡号', 'card number'], phone: ['手机号', 'phone number'],
  id_number: ['证件号', 'ID number'], account_type: ['账户', 'account'], product: ['产品', 'product'], text: ['内容', ''], choice: ['选择', ''],
};

// Matched on the normalized text with whitespace and punctuation removed.
const CANCEL = /^(那|那就|还是|我)?((算了|不办了|不弄了|不查了|不要了|不挂失了|取消|取消办理|cancel|stop|quit|nevermind|forgetit)(吧|了|啦|呀)*)+$/i;
const RESTART = /^(我要|我想|请)?(重新开始|重来|重新来|从头开始|重新办理|restart|startover)(吧|了|一下)?$/i;
const YES = /^(是|是的|对|对的|确认|确定|好|好的|可以|行|嗯|要|需要|继续|继续使用|没错|yes|y|yeah|yep|ok|okay|sure|confirm)(吧|的|了|啊|呀)*$/i;
const NO = /^(不|否|不是|不要|不用|不对|不确认|暂不|先不|换一个|换个|其他|别的|no|n|nope|notnow)(了|吧|啊|用)*$/i;
const squash = (text: string) => normalize(text).toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
/** "算了", "不办了", "cancel": the customer drops what is in progress. */
export const isCancel = (text: string) => CANCEL.test(squash(text));
/** "重新开始", "start over". */
export const isRestart = (text: string) => RESTART.test(squash(text));

/** Folds one event into the state. The interpreter changes state only through this function. */
export function applyFlowEvent(s: FlowState | null, e: FlowEvent): FlowState | null {
  const p = e.payload;
  switch (e.type) {
    case FLOW_EV.started: {
      const prefill = p.prefill as Record<string, unknown> | undefined;
      return {
        flowId: String(p.flowId), version: Number(p.version), stepId: String(p.start), vars: {}, tries: 0,
        ...(prefill && Object.keys(prefill).length ? { prefill: { ...prefill } } : {}),
      };
    }
    case FLOW_EV.completed:
    case FLOW_EV.cancelled:
    case FLOW_EV.failed:
    case FLOW_EV.restarted:
      return null;
  }
  if (!s) return s;
  const n: FlowState = { ...s, vars: { ...s.vars } };
  switch (e.type) {
    case FLOW_EV.step:
      n.stepId = String(p.stepId);
      n.tries = 0;
      delete n.waitingFor;
      delete n.offer;
      return n;
    case FLOW_EV.waiting:
      n.waitingFor = p.for as FlowWaiting;
      if ('offer' in p) n.offer = p.offer;
      else delete n.offer;
      return n;
    case FLOW_EV.retry:
      n.tries = Number(p.tries);
      return n;
    case FLOW_EV.slotFilled:
    case FLOW_EV.slotRejected:
      if (e.type === FLOW_EV.slotFilled) n.vars[String(p.slot)] = p.value;
      if (n.prefill && String(p.slot) in n.prefill) {
        const { [String(p.slot)]: _drop, ...rest } = n.prefill;
        if (Object.keys(rest).length) n.prefill = rest;
        else delete n.prefill;
      }
      delete n.offer;
      return n;
    case FLOW_EV.vars:
      Object.assign(n.vars, p.vars as Record<string, unknown>);
      return n;
    case FLOW_EV.suspended:
      n.suspended = true;
      return n;
    case FLOW_EV.resumed:
      delete n.suspended;
      return n;
    default:
      return s; // informational events (flow.connector) and events of other modules
  }
}

/** Rebuilds a flow's state from the event log alone. Events of other kinds are ignored. */
export function replayFlow(def: Pick<FlowDefinition, 'id'>, events: FlowEvent[]): FlowState | null {
  let s: FlowState | null = null;
  let mine = false;
  for (const e of events) {
    if (e.type === FLOW_EV.started) mine = e.payload.flowId === def.id;
    if (!mine) continue;
    s = applyFlowEvent(s, e);
  }
  return s;
}

type Extracted = { ok: true; value: unknown } | { ok: false };

class Machine {
  replies: Reply[] = [];
  effects: FlowEffect[] = [];
  events: FlowEvent[] = [];
  private executed = 0;

  constructor(private def: FlowDefinition, private ctx: FlowContext, public state: FlowState | null) {}

  result(): FlowStep {
    return { state: this.state, replies: this.replies, effects: this.effects, events: this.events };
  }
  emit(type: string, payload: Record<string, unknown> = {}) {
    const e = { type, payload };
    this.events.push(e);
    this.state = applyFlowEvent(this.state, e);
  }
  msg(m: readonly [string, string]) {
    return this.ctx.lang === 'en' ? m[1] : m[0];
  }
  text(t: FlowText) {
    return render(t, this.state?.vars ?? {}, this.ctx.lang);
  }
  say(text: string, options?: string[], type: Reply['type'] = options?.length ? 'clarify' : 'text') {
    if (!text && !options?.length) return;
    const opts: ReplyOption[] | undefined = options?.map((o, i) => ({ n: i + 1, text: o }));
    this.replies.push({ type, text, ...(opts?.length ? { options: opts } : {}) });
  }
  step(): FlowStepDefinition | undefined {
    return this.state ? this.def.steps[this.state.stepId] : undefined;
  }
  fail(reason: string, message: readonly [string, string], extra: Record<string, unknown> = {}) {
    this.say(this.msg(message), undefined, 'fallback');
    this.emit(FLOW_EV.failed, { flowId: this.def.id, stepId: this.state?.stepId, reason, ...extra });
  }

  start(text?: string) {
    this.emit(FLOW_EV.started, { flowId: this.def.id, version: this.def.version, start: this.def.start, ...(text ? { prefill: this.prefill(text) } : {}) });
    this.goto(this.def.start);
  }

  /** Slot values in the message that started the flow ("我的卡 6222… 丢了"): the first slot of each entity type. */
  private prefill(text: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const ents = extractEntities(text, { now: this.ctx.now, products: this.ctx.products, timeZone: this.ctx.timeZone });
    const taken = new Set<string>();
    for (const [slot, sd] of Object.entries(this.def.slots ?? {})) {
      if (sd.entity === 'text' || sd.entity === 'choice' || taken.has(sd.entity)) continue;
      const e = ents.find((x) => x.type === sd.entity);
      if (e) {
        out[slot] = entityValue(e);
        taken.add(sd.entity);
      }
    }
    return out;
  }

  goto(stepId: string) {
    if (!this.state) return;
    if (!this.def.steps[stepId]) return this.fail('missing_step', MSG.broken, { missing: stepId });
    this.emit(FLOW_EV.step, { stepId, stepType: this.def.steps[stepId].type });
    this.run();
  }

  /** Executes steps until the flow waits for something or ends. */
  private run() {
    const step = this.step();
    if (!this.state || !step || this.state.waitingFor) return;
    if (++this.executed > MAX_STEPS_PER_ADVANCE) {
      return this.fail('step_limit', MSG.stuck, { error: `more than ${MAX_STEPS_PER_ADVANCE} steps without waiting for the customer` });
    }
    const vars = this.state.vars;
    switch (step.type) {
      case 'say':
        this.say(this.text(step.text));
        return this.goto(step.next);
      case 'ask': {
        const prefilled = this.state.prefill?.[step.slot];
        if (prefilled !== undefined) {
          if (this.check(step, prefilled)) return this.fill(step, prefilled, 'message');
          this.emit(FLOW_EV.slotRejected, { slot: step.slot, source: 'message' });
        }
        const key = this.def.slots?.[step.slot]?.sessionKey ?? step.slot;
        const earlier = step.reuse ? this.ctx.sessionSlots[key] : undefined;
        if (earlier !== undefined && earlier !== null && this.check(step, earlier)) {
          this.emit(FLOW_EV.waiting, { for: 'slot', offer: earlier });
          return this.askPrompt(step);
        }
        this.emit(FLOW_EV.waiting, { for: 'slot' });
        return this.askPrompt(step);
      }
      case 'choice':
        this.emit(FLOW_EV.waiting, { for: 'choice' });
        return this.say(this.text(step.prompt), step.options.map((o) => this.text(o.label)));
      case 'condition':
        return this.goto(evaluate(getPath(vars, step.if.var), step.if.op, step.if.value) ? step.then : step.else);
      case 'set':
        this.emit(FLOW_EV.vars, { vars: { [step.var]: renderValue(step.value, vars, this.ctx.lang) } });
        return this.goto(step.next);
      case 'call': {
        const input: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(step.input ?? {})) input[k] = renderValue(v, vars, this.ctx.lang);
        this.effects.push({ type: 'call', connector: step.connector, operation: step.operation, input });
        return this.emit(FLOW_EV.waiting, { for: 'connector', connector: step.connector, operation: step.operation });
      }
      case 'verify-identity':
        if (this.ctx.identityVerified) {
          this.emit(FLOW_EV.vars, { vars: { ...this.ctx.identityVars, identityVerified: true } });
          return this.goto(step.next);
        }
        this.effects.push({ type: 'verify-identity' });
        return this.emit(FLOW_EV.waiting, { for: 'identity' });
      case 'transfer': {
        const note = step.note ? render(step.note, vars, this.ctx.lang) : undefined;
        this.say(step.text ? this.text(step.text) : this.msg(MSG.handoff), undefined, 'handoff');
        this.effects.push({ type: 'transfer', ...(step.queue ? { queue: step.queue } : {}), ...(note ? { note } : {}) });
        return this.emit(FLOW_EV.completed, { flowId: this.def.id, stepId: this.state.stepId, outcome: 'transfer', ...(step.queue ? { queue: step.queue } : {}) });
      }
      case 'end':
        if (step.text) this.say(this.text(step.text));
        return this.emit(FLOW_EV.completed, { flowId: this.def.id, stepId: this.state.stepId, outcome: 'end' });
    }
  }

  /** The ask step's question (or the reuse offer, or the re-prompt after an invalid answer). */
  askPrompt(step: Extract<FlowStepDefinition, { type: 'ask' }>, again = false, prefix = '') {
    const s = this.state!;
    if (s.offer !== undefined) {
      const sd = this.def.slots?.[step.slot];
      const label = sd?.label ? this.text(sd.label) : this.msg(SLOT_LABELS[step.entity]);
      const value = ['card_number', 'phone', 'id_number'].includes(step.entity) ? maskValue(String(s.offer)) : formatValue(s.offer, this.ctx.lang);
      const text = this.msg(MSG.reuse).replace('{label}', label).replace('{value}', value);
      return this.say(prefix + text, [this.msg(MSG.reuseYes), this.msg(MSG.reuseNo)]);
    }
    const text = this.text(again && step.reprompt ? step.reprompt : step.prompt);
    return this.say(prefix + text, step.entity === 'choice' ? (step.options ?? []).map((o) => this.text(o.label)) : undefined);
  }

  private check(step: Extract<FlowStepDefinition, { type: 'ask' }>, value: unknown): boolean {
    const v = step.validate;
    if (!v) return true;
    const measure = typeof value === 'number' ? value : typeof value === 'string' && step.entity === 'text' ? [...value].length : undefined;
    if (measure !== undefined && v.min !== undefined && measure < v.min) return false;
    if (measure !== undefined && v.max !== undefined && measure > v.max) return false;
    if (v.pattern !== undefined && (typeof value === 'string' || typeof value === 'number')) {
      try {
        if (!new RegExp(v.pattern, 'u').test(String(value))) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  private fill(step: Extract<FlowStepDefinition, { type: 'ask' }>, value: unknown, source: 'user' | 'session' | 'message') {
    const sessionKey = this.def.slots?.[step.slot]?.sessionKey ?? step.slot;
    this.emit(FLOW_EV.slotFilled, { slot: step.slot, value, source, sessionKey, entity: step.entity });
    this.goto(step.next);
  }

  private extract(step: Extract<FlowStepDefinition, { type: 'ask' }>, text: string): Extracted {
    if (step.entity === 'text') {
      const t = text.trim();
      return t ? { ok: true, value: t } : { ok: false };
    }
    if (step.entity === 'choice') {
      const o = matchOption(this.rendered(step.options ?? []), text, this.ctx.lang);
      return o ? { ok: true, value: o.value } : { ok: false };
    }
    const ents = extractEntities(text, { now: this.ctx.now, products: this.ctx.products, timeZone: this.ctx.timeZone });
    const e = ents.find((x) => x.type === step.entity);
    if (e) return { ok: true, value: entityValue(e) };
    if (step.entity === 'money') {
      const m = /^(\d+(?:\.\d+)?)$/.exec(normalize(text).trim());
      if (m) return { ok: true, value: Number(m[1]) };
    }
    return { ok: false };
  }

  /** Options with their labels rendered (a label built from data, "{loans.0.typeName}", is matched as shown). */
  private rendered<O extends { label: FlowText }>(options: O[]): O[] {
    return options.map((o) => ({ ...o, label: typeof o.label === 'string' ? this.text(o.label) : { zh: render(o.label, this.state?.vars ?? {}, 'zh'), en: render(o.label, this.state?.vars ?? {}, 'en') } }));
  }

  /** The customer's answer at the step the flow waits on. */
  answer(text: string) {
    const step = this.step()!;
    const s = this.state!;
    if (s.waitingFor === 'identity') return this.say(this.msg(MSG.waitIdentity));
    if (s.waitingFor === 'connector') return this.say(this.msg(MSG.waitConnector));
    if (step.type === 'ask' && s.waitingFor === 'slot') {
      if (s.offer !== undefined) {
        const sq = squash(text);
        const n = parseChoice(text);
        if (n === 1 || YES.test(sq)) return this.fill(step, s.offer, 'session');
        if (n === 2 || NO.test(sq)) {
          this.emit(FLOW_EV.waiting, { for: 'slot' });
          return this.askPrompt(step);
        }
      }
      const got = this.extract(step, text);
      if (got.ok && this.check(step, got.value)) return this.fill(step, got.value, 'user');
      return this.retry(step.maxTries, step.onFail, () => this.askPrompt(step, true));
    }
    if (step.type === 'choice' && s.waitingFor === 'choice') {
      const o = matchOption(this.rendered(step.options), text, this.ctx.lang);
      if (o) {
        if (step.var) this.emit(FLOW_EV.vars, { vars: { [step.var]: o.value } });
        return this.goto(o.next);
      }
      return this.retry(step.maxTries, step.onFail, () => this.say(this.text(step.prompt), step.options.map((x) => this.text(x.label))));
    }
    // Not waiting on the customer (should not happen): carry on.
    this.run();
  }

  private retry(maxTries: number, onFail: string | undefined, reprompt: () => void) {
    const tries = this.state!.tries + 1;
    this.emit(FLOW_EV.retry, { stepId: this.state!.stepId, tries });
    if (tries < maxTries) return reprompt();
    if (onFail) return this.goto(onFail);
    this.fail('max_tries', MSG.failed);
  }
}

function entityValue(e: ReturnType<typeof extractEntities>[number]): unknown {
  return e.type === 'date' ? { start: e.value.start, end: e.value.end } : e.value;
}

type Option = { label: FlowText; value: string | number | boolean; synonyms?: string[] };
/** An option chosen by number ("2", "第二个"), label, value, synonym, yes/no for yes/no options, or a unique part. */
export function matchOption<O extends Option>(options: O[], text: string, lang: FlowLang): O | undefined {
  const n = parseChoice(text);
  if (n !== null) return options[n - 1];
  const sq = squash(text);
  if (!sq) return undefined;
  const names = (o: O) => [pickText(o.label, 'zh'), pickText(o.label, 'en'), pickText(o.label, lang), String(o.value), ...(o.synonyms ?? [])].map(squash).filter(Boolean);
  const exact = options.find((o) => names(o).includes(sq));
  if (exact) return exact;
  const yesNo = (o: O) => (o.value === true || o.value === 'yes' || o.value === 'confirm' ? 'yes' : o.value === false || o.value === 'no' ? 'no' : undefined);
  if (NO.test(sq)) return options.find((o) => yesNo(o) === 'no');
  if (YES.test(sq)) return options.find((o) => yesNo(o) === 'yes');
  const partial = options.filter((o) => names(o).some((x) => (sq.length >= 2 && x.includes(sq)) || (x.length >= 2 && sq.includes(x))));
  return partial.length === 1 ? partial[0] : undefined;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') return a !== null && b !== null && a !== '' && b !== '' && Number(a) === Number(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

export function evaluate(v: unknown, op: 'eq' | 'ne' | 'gt' | 'lt' | 'exists' | 'in', value: unknown): boolean {
  switch (op) {
    case 'eq': return same(v, value);
    case 'ne': return !same(v, value);
    case 'gt': return v != null && value != null && Number.isFinite(Number(v)) && Number(v) > Number(value);
    case 'lt': return v != null && value != null && Number.isFinite(Number(v)) && Number(v) < Number(value);
    case 'exists': return v !== undefined && v !== null && v !== '';
    case 'in': return Array.isArray(value) && value.some((x) => same(v, x));
  }
}

/** Starts a flow. `opts.text`: the message that triggered it, whose entities fill slots ahead of their ask steps. */
export function startFlow(def: FlowDefinition, ctx: FlowContext, opts: { text?: string } = {}): FlowStep {
  const m = new Machine(def, ctx, null);
  m.start(opts.text);
  return m.result();
}

/** One input to a running flow: the customer's message, a connector's result or the identity check's outcome. */
export function advance(def: FlowDefinition, state: FlowState, input: FlowInput, ctx: FlowContext): FlowStep {
  if (state.flowId !== def.id) throw new Error(`flow state belongs to "${state.flowId}", not "${def.id}"`);
  const m = new Machine(def, ctx, state);
  if (!def.steps[state.stepId]) {
    m.fail('missing_step', MSG.broken, { missing: state.stepId });
    return m.result();
  }
  if (state.suspended) m.emit(FLOW_EV.resumed, {});
  const step = def.steps[state.stepId];
  if (input.kind === 'user') {
    const sq = squash(input.text);
    if (CANCEL.test(sq)) {
      m.say(m.msg(MSG.cancelled));
      m.emit(FLOW_EV.cancelled, { flowId: def.id, stepId: state.stepId });
      return m.result();
    }
    if (RESTART.test(sq)) {
      m.emit(FLOW_EV.restarted, { flowId: def.id, stepId: state.stepId });
      m.say(m.msg(MSG.restarted));
      m.start();
      return m.result();
    }
    m.answer(input.text);
    return m.result();
  }
  if (input.kind === 'connector') {
    if (state.waitingFor !== 'connector' || step.type !== 'call') return m.result(); // a stale or duplicate result
    const r = input.result;
    m.emit(FLOW_EV.connector, { connector: step.connector, operation: step.operation, ok: r.ok, ...(r.ok ? {} : { error: r.error }) });
    if (r.ok) {
      if (r.vars && Object.keys(r.vars).length) m.emit(FLOW_EV.vars, { vars: r.vars });
      m.goto(step.next);
    } else {
      // `errorStatus` tells "no such card" (404) from "refused" (401/403) on the error branch.
      m.emit(FLOW_EV.vars, { vars: { error: r.error, errorStatus: r.status ?? null } });
      m.goto(step.onError);
    }
    return m.result();
  }
  if (state.waitingFor !== 'identity' || step.type !== 'verify-identity') return m.result();
  if (input.verified) {
    m.emit(FLOW_EV.vars, { vars: { ...input.vars, identityVerified: true } });
    m.goto(step.next);
  } else m.goto(step.onFail);
  return m.result();
}

/** A digression: the robot answers something else (an FAQ) and the flow waits, untouched, until resume(). */
export function suspend(state: FlowState): FlowStep {
  const e: FlowEvent = { type: FLOW_EV.suspended, payload: { flowId: state.flowId, stepId: state.stepId } };
  return { state: applyFlowEvent(state, e), replies: [], effects: [], events: [e] };
}

/** Back from a digression: re-asks what the flow was waiting for ("我们继续刚才的……"). */
export function resume(def: FlowDefinition, state: FlowState, ctx: FlowContext): FlowStep {
  const m = new Machine(def, ctx, state);
  const step = def.steps[state.stepId];
  if (!step) {
    m.fail('missing_step', MSG.broken, { missing: state.stepId });
    return m.result();
  }
  m.emit(FLOW_EV.resumed, { flowId: def.id, stepId: state.stepId });
  const prefix = m.msg(MSG.resume).replace('{name}', pickText(def.name, ctx.lang));
  if (step.type === 'ask' && state.waitingFor === 'slot') m.askPrompt(step, false, prefix);
  else if (step.type === 'choice' && state.waitingFor === 'choice') m.say(prefix + m.text(step.prompt), step.options.map((o) => m.text(o.label)));
  else if (state.waitingFor === 'identity') m.say(prefix + m.msg(MSG.waitIdentity));
  else if (state.waitingFor === 'connector') m.say(prefix + m.msg(MSG.waitConnector));
  else m.say(prefix);
  return m.result();
}
