// Conversation tests for flows (issue 4, item 7), in the spirit of Rasa's test stories: a JSON list of customer
// turns, expected bot replies, connector responses and identity outcomes, played against the pure interpreter.
import type { FlowDefinition, Reply } from '@lingxi/contracts';
import { z } from 'zod';
import { advance, replayFlow, resume, startFlow, suspend, type FlowContext, type FlowEffect, type FlowEvent, type FlowState, type FlowStep } from './interpreter.ts';

const Includes = z.union([z.string(), z.array(z.string())]);
export const StoryStep = z.union([
  z.object({ user: z.string() }).strict(),
  z.object({ bot: z.object({ type: z.enum(['answer', 'clarify', 'fallback', 'handoff', 'text']).optional(), includes: Includes.optional(), excludes: Includes.optional() }).strict() }).strict(),
  z.object({
    connector: z.object({
      operation: z.string().describe('"reportLoss" or "core.reportLoss"'),
      /** Expected call input (each listed key must be equal). */
      input: z.record(z.string(), z.unknown()).optional(),
      respond: z.union([z.object({ ok: z.literal(true), vars: z.record(z.string(), z.unknown()).optional() }), z.object({ ok: z.literal(false), error: z.string() })]),
    }).strict(),
  }).strict(),
  z.object({ identity: z.boolean() }).strict(),
  /** The robot answers something else mid-flow (an FAQ); the flow is suspended and then resumed. */
  z.object({ digression: z.string() }).strict(),
  /** The flow's state at this point: still running (optionally at a step), or how it ended. */
  z.object({ expect: z.object({
    outcome: z.enum(['active', 'end', 'transfer', 'cancelled', 'failed']).optional(),
    stepId: z.string().optional(),
    vars: z.record(z.string(), z.unknown()).optional(),
    effect: z.enum(['transfer']).optional(),
  }).strict() }).strict(),
]);
export type StoryStep = z.infer<typeof StoryStep>;

export const Story = z.object({
  name: z.string().min(1),
  flow: z.string().min(1),
  /** The message that started the flow (its entities may fill slots ahead of time). */
  trigger: z.string().optional(),
  context: z.object({
    lang: z.enum(['zh', 'en']).optional(),
    now: z.string().optional(),
    sessionSlots: z.record(z.string(), z.unknown()).optional(),
    identityVerified: z.boolean().optional(),
  }).strict().optional(),
  steps: z.array(StoryStep).min(1),
});
export type Story = z.infer<typeof Story>;

export type StoryMismatch = { step: number; expected: unknown; actual: unknown; message: string };
export type StoryResult = {
  name: string;
  ok: boolean;
  mismatch?: StoryMismatch;
  /** Every bot reply, in order. */
  transcript: Reply[];
  events: FlowEvent[];
  state: FlowState | null;
  outcome: 'active' | 'end' | 'transfer' | 'cancelled' | 'failed';
};

const includesOf = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const replyText = (r: Reply) => [r.text, ...(r.options ?? []).map((o) => o.text)].join('\n');
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Plays a story against a flow and reports the first step whose expectation is not met. */
export function runStory(def: FlowDefinition, story: Story, baseCtx: FlowContext): StoryResult {
  const ctx: FlowContext = {
    ...baseCtx,
    ...(story.context?.lang ? { lang: story.context.lang } : {}),
    ...(story.context?.now ? { now: new Date(story.context.now) } : {}),
    ...(story.context?.sessionSlots ? { sessionSlots: { ...baseCtx.sessionSlots, ...story.context.sessionSlots } } : {}),
    ...(story.context?.identityVerified !== undefined ? { identityVerified: story.context.identityVerified } : {}),
  };
  const transcript: Reply[] = [];
  const events: FlowEvent[] = [];
  let queue: Reply[] = [];
  let effects: FlowEffect[] = [];
  let state: FlowState | null = null;
  let outcome: StoryResult['outcome'] = 'active';
  const take = (s: FlowStep) => {
    state = s.state;
    transcript.push(...s.replies);
    queue.push(...s.replies);
    events.push(...s.events);
    effects.push(...s.effects);
    for (const e of s.events) {
      if (e.type === 'flow.completed') outcome = e.payload.outcome === 'transfer' ? 'transfer' : 'end';
      if (e.type === 'flow.cancelled') outcome = 'cancelled';
      if (e.type === 'flow.failed') outcome = 'failed';
      if (e.type === 'flow.started') outcome = 'active';
    }
  };
  const done = (mismatch?: StoryMismatch): StoryResult => ({ name: story.name, ok: !mismatch, ...(mismatch ? { mismatch } : {}), transcript, events, state, outcome });

  if (story.flow !== def.id) return done({ step: -1, expected: story.flow, actual: def.id, message: `story is for flow "${story.flow}", not "${def.id}"` });
  take(startFlow(def, ctx, story.trigger ? { text: story.trigger } : {}));

  for (let i = 0; i < story.steps.length; i++) {
    const step = story.steps[i];
    const miss = (expected: unknown, actual: unknown, message: string) => done({ step: i, expected, actual, message });
    if ('user' in step) {
      if (!state) return miss('a running flow', outcome, `the customer says "${step.user}" but the flow has already ended (${outcome})`);
      queue = [];
      take(advance(def, state, { kind: 'user', text: step.user }, ctx));
    } else if ('bot' in step) {
      const r = queue.shift();
      if (!r) return miss(step.bot, null, 'expected a bot reply, but there is none left');
      if (step.bot.type && r.type !== step.bot.type) return miss(step.bot, r, `expected a "${step.bot.type}" reply, got "${r.type}": ${r.text}`);
      const text = replyText(r);
      for (const s of includesOf(step.bot.includes)) if (!text.includes(s)) return miss(step.bot, r, `expected the reply to include "${s}", got: ${text}`);
      for (const s of includesOf(step.bot.excludes)) if (text.includes(s)) return miss(step.bot, r, `expected the reply not to include "${s}", got: ${text}`);
    } else if ('connector' in step) {
      const idx = effects.findIndex((e) => e.type === 'call');
      const call = idx >= 0 ? (effects[idx] as Extract<FlowEffect, { type: 'call' }>) : undefined;
      if (!state || !call) return miss(step.connector.operation, effects, `expected a connector call "${step.connector.operation}", but the flow asked for none`);
      const name = step.connector.operation;
      if (name !== call.operation && name !== `${call.connector}.${call.operation}`) return miss(name, `${call.connector}.${call.operation}`, `expected a call to "${name}", got "${call.connector}.${call.operation}"`);
      for (const [k, v] of Object.entries(step.connector.input ?? {})) {
        if (!sameJson(call.input[k], v)) return miss({ [k]: v }, { [k]: call.input[k] }, `call input "${k}" differs`);
      }
      effects.splice(idx, 1);
      queue = [];
      take(advance(def, state, { kind: 'connector', result: step.connector.respond }, ctx));
    } else if ('identity' in step) {
      const idx = effects.findIndex((e) => e.type === 'verify-identity');
      if (!state || idx < 0) return miss('verify-identity', effects, 'expected the flow to ask for an identity check, but it did not');
      effects.splice(idx, 1);
      queue = [];
      take(advance(def, state, { kind: 'identity', verified: step.identity }, ctx));
    } else if ('digression' in step) {
      if (!state) return miss('a running flow', outcome, 'a digression needs a running flow');
      queue = [];
      take(suspend(state));
      // The robot's own answer to the digression; the flows module does not know the FAQ.
      const faq: Reply = { type: 'answer', text: `(FAQ) ${step.digression}` };
      transcript.push(faq);
      queue.push(faq);
      take(resume(def, state!, ctx));
    } else {
      const x = step.expect;
      if (x.outcome && x.outcome !== outcome) return miss(x.outcome, outcome, `expected the flow to be "${x.outcome}", it is "${outcome}"`);
      const cur = state as FlowState | null;
      if (x.stepId && cur?.stepId !== x.stepId) return miss(x.stepId, cur?.stepId, `expected the flow at step "${x.stepId}"`);
      for (const [k, v] of Object.entries(x.vars ?? {})) {
        const have = cur?.vars[k] ?? replayVarsAtEnd(events)[k];
        if (!sameJson(have, v)) return miss({ [k]: v }, { [k]: have }, `variable "${k}" differs`);
      }
      if (x.effect && !effects.some((e) => e.type === x.effect)) return miss(x.effect, effects, `expected a "${x.effect}" effect`);
    }
  }
  return done();
}

/** The variables as they were when the flow ended (the state is null by then). */
function replayVarsAtEnd(events: FlowEvent[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const e of events) {
    if (e.type === 'flow.started') for (const k of Object.keys(vars)) delete vars[k];
    if (e.type === 'slot.filled') vars[String(e.payload.slot)] = e.payload.value;
    if (e.type === 'flow.vars') Object.assign(vars, e.payload.vars as Record<string, unknown>);
  }
  return vars;
}

/** Convenience for tests: the state replayed from the story's events equals the live one. */
export function replayMatches(def: FlowDefinition, r: StoryResult): boolean {
  return sameJson(replayFlow(def, r.events), r.state);
}
