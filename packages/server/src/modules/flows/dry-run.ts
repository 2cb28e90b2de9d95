// A flow played against a script of customer messages, without a conversation: the flow designer's "try it". The
// interpreter and the effect loop are the live robot's (interpreter.ts, executor.ts); only the runner differs —
// connector calls may be answered by mocks, and the identity check is answered by the request.
import type { FlowDefinition, Reply } from '@lingxi/contracts';
import { drive, type CallEffect } from './executor.ts';
import { advance, FLOW_EV, startFlow, type ConnectorResult, type FlowContext, type FlowEvent, type FlowState } from './interpreter.ts';
import type { FlowLang } from './template.ts';

/** The mobile number a dry run's verified identity carries when the request names none (the demo bank's customer). */
export const DRY_RUN_PHONE = '13800138000';
const TIME_ZONE = 'Asia/Shanghai';

export type DryRunMock = { ok: true; vars?: Record<string, unknown> } | { ok: false; error: string };

export type DryRunInput = {
  /** The first starts the flow (its entities prefill slots); each further one is the customer's next answer. */
  messages: string[];
  lang?: FlowLang;
  /** How a verify-identity step is answered. Default: verified, with `verifiedPhone` = phone ?? DRY_RUN_PHONE. */
  identity?: { verified: boolean; phone?: string };
  /** Answers for connector calls by "connector.operation"; calls without a mock go to the live connector. */
  mocks?: Record<string, DryRunMock>;
};

export type DryRunOutcome = 'active' | 'end' | 'transfer' | 'cancelled' | 'failed';
export type DryRunTurn = { user: string; replies: Reply[]; events: FlowEvent[]; state: FlowState | null };
export type DryRunResult = {
  turns: DryRunTurn[];
  outcome: DryRunOutcome;
  /** Messages left over after the flow ended (not played). */
  unplayed: string[];
  /** The connector calls the flow made, in order, and whether a mock or the live connector answered. */
  calls: { connector: string; operation: string; source: 'mock' | 'live'; ok: boolean; error?: string }[];
};

export type LiveCall = (effect: CallEffect, vars: Record<string, unknown>) => Promise<ConnectorResult>;

/** The outcome an ended flow's last events tell, or 'active' while it runs. */
function outcomeOf(state: FlowState | null, events: FlowEvent[]): DryRunOutcome {
  if (state) return 'active';
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === FLOW_EV.completed) return e.payload.outcome === 'transfer' ? 'transfer' : 'end';
    if (e.type === FLOW_EV.cancelled) return 'cancelled';
    if (e.type === FLOW_EV.failed) return 'failed';
  }
  return 'failed';
}

export async function dryRunFlow(def: FlowDefinition, input: DryRunInput, live: LiveCall, now: Date): Promise<DryRunResult> {
  const lang = input.lang ?? 'zh';
  const ctx: FlowContext = { now, lang, sessionSlots: {}, timeZone: TIME_ZONE };
  const identity = input.identity ?? { verified: true };
  const calls: DryRunResult['calls'] = [];
  const runner = {
    async call(effect: CallEffect, vars: Record<string, unknown>): Promise<ConnectorResult> {
      const key = `${effect.connector}.${effect.operation}`;
      const mock = input.mocks && Object.prototype.hasOwnProperty.call(input.mocks, key) ? input.mocks[key] : undefined;
      const r: ConnectorResult = mock ? (mock.ok ? { ok: true, vars: { ...mock.vars } } : { ok: false, error: mock.error }) : await live(effect, vars);
      calls.push({ connector: effect.connector, operation: effect.operation, source: mock ? 'mock' : 'live', ok: r.ok, ...(r.ok ? {} : { error: r.error }) });
      return r;
    },
    async identity() {
      return identity.verified ? { verified: true, vars: { verifiedPhone: identity.phone ?? DRY_RUN_PHONE } } : { verified: false };
    },
  };

  const turns: DryRunTurn[] = [];
  let state: FlowState | null = null;
  let outcome: DryRunOutcome = 'active';
  let i = 0;
  for (; i < input.messages.length; i++) {
    const text = input.messages[i];
    if (i > 0 && !state) break;
    const step = i === 0 ? startFlow(def, ctx, { text }) : advance(def, state!, { kind: 'user', text }, ctx);
    const r = await drive(def, step, ctx, runner);
    state = r.state;
    outcome = outcomeOf(state, r.events);
    turns.push({ user: text, replies: r.replies, events: r.events, state });
  }
  return { turns, outcome, unplayed: input.messages.slice(i), calls };
}
