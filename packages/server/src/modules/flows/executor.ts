// Runs a flow's effects until it waits for the customer: connector calls are made and their results fed back, an
// identity check is answered when it can be decided now. The interpreter stays pure; this is its I/O loop, shared by
// the live robot (DialogueService) and the flow API's dry run.
import type { FlowDefinition } from '@lingxi/contracts';
import { advance, type ConnectorResult, type FlowContext, type FlowEffect, type FlowStep } from './interpreter.ts';

export type CallEffect = Extract<FlowEffect, { type: 'call' }>;
export type TransferEffect = Extract<FlowEffect, { type: 'transfer' }>;

export type EffectRunner = {
  /** Makes a connector call. `vars` are the flow's variables at the call (the step's input already overrides them). */
  call(effect: CallEffect, vars: Record<string, unknown>): Promise<ConnectorResult>;
  /**
   * The flow asks for a verified identity. Return the outcome when it is known now (a verified session, a channel
   * identity), or null when it takes a dialogue with the customer (a one-time code): the flow keeps waiting.
   */
  identity(): Promise<{ verified: boolean; vars?: Record<string, unknown> } | null>;
};

export type DriveResult = FlowStep & {
  /** A transfer the flow ended with. */
  transfer?: TransferEffect;
  /** The flow waits for an identity check that takes a dialogue. */
  identityPending: boolean;
  /** Time spent waiting on connectors (excluded from the robot's own latency). */
  connectorMs: number;
};

/** Effects one turn may run before the flow is stopped (a flow calling connectors in a loop). */
export const MAX_EFFECTS_PER_TURN = 20;

/** Feeds effects back into the interpreter until none is left that can be run now. */
export async function drive(def: FlowDefinition, first: FlowStep, ctx: FlowContext, run: EffectRunner): Promise<DriveResult> {
  const out: DriveResult = { state: first.state, replies: [...first.replies], effects: [], events: [...first.events], identityPending: false, connectorMs: 0 };
  let queue = [...first.effects];
  let budget = MAX_EFFECTS_PER_TURN;
  while (queue.length) {
    const effect = queue.shift()!;
    if (effect.type === 'transfer') {
      out.transfer = effect;
      out.effects.push(effect);
      continue;
    }
    if (!out.state) continue;
    if (--budget < 0) {
      // Reported as a connector failure so that the flow's own error branch speaks to the customer.
      const step = advance(def, out.state, { kind: 'connector', result: { ok: false, error: 'effect_limit' } }, ctx);
      absorb(out, step);
      queue = [];
      if (out.state) {
        out.events.push({ type: 'flow.failed', payload: { flowId: def.id, reason: 'effect_limit' } });
        out.state = null;
      }
      break;
    }
    let step: FlowStep;
    if (effect.type === 'call') {
      const t0 = performance.now();
      let result: ConnectorResult;
      try {
        result = await run.call(effect, { ...out.state.vars, ...effect.input });
      } catch (err) {
        result = { ok: false, error: 'internal' };
        void err;
      }
      out.connectorMs += performance.now() - t0;
      step = advance(def, out.state, { kind: 'connector', result }, ctx);
    } else {
      const r = await run.identity();
      if (!r) {
        out.identityPending = true;
        out.effects.push(effect);
        continue;
      }
      step = advance(def, out.state, { kind: 'identity', verified: r.verified, ...(r.vars ? { vars: r.vars } : {}) }, ctx);
    }
    absorb(out, step);
    queue.push(...step.effects);
  }
  return out;
}

function absorb(out: DriveResult, step: FlowStep) {
  out.state = step.state;
  out.replies.push(...step.replies);
  out.events.push(...step.events);
}
