// Conversation tests (issue 4, item 7): JSON files of customer turns and what the bot must say or do, played against
// the whole platform — the chat service, the robot, the flows, the one-time-code check through the recording SMS
// provider, and the demo core banking service over HTTP through the seeded connector — on a real database. A step can
// inject a fault into the core system, move the clock, or restart the server mid-conversation.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reply } from '@lingxi/contracts';
import { z } from 'zod';
import { EV } from '../modules/conversations/conversation-service.ts';
import type { Clock } from '../platform/clock.ts';
import { replayState } from '../modules/robot/robot-service.ts';

const Text = z.union([z.string(), z.array(z.string())]);
export const ConversationStep = z.union([
  /** A customer message. `{otp}` is replaced by the last code the customer received by SMS, `{wrong-otp}` by another. */
  z.object({ user: z.string().min(1) }).strict(),
  /** The bot's replies to the last message: some reply has this type; the replies together include / exclude texts. */
  z.object({ bot: z.object({ type: z.enum(['answer', 'clarify', 'fallback', 'handoff', 'text']).optional(), includes: Text.optional(), excludes: Text.optional(), matches: z.string().optional() }).strict() }).strict(),
  /** Faults of the demo core from now on (`{}` clears them): latencyMs, failNext, failStatus, failRate, malformed. */
  z.object({ core: z.record(z.string(), z.unknown()) }).strict(),
  /** Moves the server's clock forward (a code expires, a verified session times out). */
  z.object({ advanceClockMs: z.number().int().positive() }).strict(),
  /** Stops the server and starts a new one on the same database (a restart mid-flow). */
  z.object({ restart: z.literal(true) }).strict(),
  /** The conversation's state: the flow running (null: none), whether it was handed off, events that occurred. */
  z.object({ expect: z.object({
    flow: z.string().nullable().optional(),
    handoff: z.boolean().optional(),
    events: z.array(z.string()).optional(),
    /** Personal data that must not appear in clear anywhere in the stored events. */
    notStored: z.array(z.string()).optional(),
    /** The state rebuilt from the event log alone equals the stored state. */
    replayMatches: z.literal(true).optional(),
  }).strict() }).strict(),
]);
export type ConversationStep = z.infer<typeof ConversationStep>;

export const ConversationTest = z.object({
  name: z.string().min(1),
  bot: z.string().default('demo'),
  channel: z.string().default('web'),
  /** The channel carries this verified phone (an app's signed token): no one-time code. */
  verifiedPhone: z.string().optional(),
  steps: z.array(ConversationStep).min(1),
});
export type ConversationTest = z.infer<typeof ConversationTest>;

export function loadConversationTests(dir: string): { file: string; test: ConversationTest }[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().flatMap((file) => {
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown;
    const list = Array.isArray(raw) ? raw : [raw];
    return list.map((t, i) => {
      const parsed = ConversationTest.safeParse(t);
      if (!parsed.success) throw new Error(`${file}[${i}]: ${parsed.error.message}`);
      return { file, test: parsed.data };
    });
  });
}

/** A clock the tests move forward. */
export class TestClock implements Clock {
  offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** What the runner needs of the running platform; `restart` returns the new one. */
export type ConversationHarness = {
  handle(turn: { bot: string; sessionId?: string; text: string; channel: string; verifiedPhone?: string }): Promise<{ sessionId: string; replies: Reply[] }>;
  /** The SMS texts sent to customers so far, newest last. */
  smsTexts(): Promise<string[]>;
  events(sessionId: string): Promise<{ type: string; payload: Record<string, unknown> }[]>;
  conversationState(sessionId: string): Promise<Record<string, unknown>>;
  /** The sealed part of a state, opened (the running flow). */
  openState(state: Record<string, unknown>): { flow?: { flowId: string } } & Record<string, unknown>;
  replaySecure(events: { type: string; payload: Record<string, unknown> }[]): Record<string, unknown>;
  setCoreFaults(f: Record<string, unknown>): Promise<void>;
  clock: TestClock;
  restart(): Promise<ConversationHarness>;
};

const list = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const textOf = (rs: Reply[]) => rs.map((r) => [r.text, ...(r.options ?? []).map((o) => `${o.n}. ${o.text}`)].join('\n')).join('\n');

/** Plays one conversation test; throws an assertion error naming the step and showing the transcript. */
export async function runConversationTest(t: ConversationTest, start: ConversationHarness): Promise<ConversationHarness> {
  let h = start;
  let sessionId: string | undefined;
  let last: Reply[] = [];
  const transcript: string[] = [];
  const fail = (i: number, msg: string): never => assert.fail(`${t.name}: step ${i + 1}: ${msg}\n--- transcript ---\n${transcript.join('\n')}`);
  for (const [i, step] of t.steps.entries()) {
    if ('user' in step) {
      let text = step.user;
      if (text.includes('{otp}') || text.includes('{wrong-otp}')) {
        const sms = await h.smsTexts();
        const code = /(\d{6})/.exec(sms.at(-1) ?? '')?.[1];
        if (!code) fail(i, 'no one-time code was sent');
        text = text.replace('{otp}', code!).replace('{wrong-otp}', String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
      }
      const r = await h.handle({ bot: t.bot, sessionId, text, channel: t.channel, ...(t.verifiedPhone ? { verifiedPhone: t.verifiedPhone } : {}) });
      sessionId = r.sessionId;
      last = r.replies;
      transcript.push(`user: ${text}`, ...r.replies.map((x) => `bot[${x.type}]: ${textOf([x]).replace(/\n/g, ' / ')}`));
    } else if ('bot' in step) {
      const all = textOf(last);
      if (step.bot.type && !last.some((r) => r.type === step.bot.type)) fail(i, `expected a reply of type ${step.bot.type}, got ${last.map((r) => r.type).join(', ') || 'none'}`);
      for (const s of list(step.bot.includes)) if (!all.includes(s)) fail(i, `the replies do not include "${s}"`);
      for (const s of list(step.bot.excludes)) if (all.includes(s)) fail(i, `the replies include "${s}"`);
      if (step.bot.matches && !new RegExp(step.bot.matches, 'u').test(all)) fail(i, `the replies do not match /${step.bot.matches}/`);
    } else if ('core' in step) {
      await h.setCoreFaults(step.core);
    } else if ('advanceClockMs' in step) {
      h.clock.offsetMs += step.advanceClockMs;
    } else if ('restart' in step) {
      h = await h.restart();
      transcript.push('--- server restarted ---');
    } else {
      if (!sessionId) fail(i, 'expect before any message');
      const e = step.expect;
      const events = await h.events(sessionId!);
      const state = await h.conversationState(sessionId!);
      const open = h.openState(state);
      if (e.flow !== undefined && (open.flow?.flowId ?? null) !== e.flow) fail(i, `expected flow ${e.flow}, running: ${open.flow?.flowId ?? 'none'}`);
      if (e.handoff !== undefined && events.some((x) => x.type === EV.handoff) !== e.handoff) fail(i, `expected handoff ${e.handoff}`);
      for (const type of e.events ?? []) if (!events.some((x) => x.type === type)) fail(i, `no ${type} event (have: ${[...new Set(events.map((x) => x.type))].join(', ')})`);
      if (e.notStored?.length) {
        // The customer's own messages are the record of what they wrote; everything the robot derived is sealed.
        const derived = JSON.stringify([events.filter((x) => x.type !== EV.received), state]);
        for (const s of e.notStored) if (derived.includes(s)) fail(i, `"${s}" is stored in clear`);
      }
      if (e.replayMatches) {
        const robot = replayState(events);
        const dflt = (k: string) => (k === 'failures' ? 0 : null);
        for (const k of ['failures', 'lastEntryId', 'lang'] as const) {
          if ((robot[k] ?? dflt(k)) !== ((state as Record<string, unknown>)[k] ?? dflt(k))) fail(i, `replayed ${k} ${String(robot[k])} ≠ stored ${String(state[k])}`);
        }
        assert.deepEqual(h.replaySecure(events), open, `${t.name}: step ${i + 1}: the sealed state rebuilt from the log differs from the stored one`);
      }
    }
  }
  return h;
}
