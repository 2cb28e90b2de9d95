// The business robot's turn: a running flow gets the customer's message (or the robot answers a digression and the
// flow resumes), connector calls and identity checks are run, and a one-time-code dialogue verifies the customer when a
// flow needs it. Everything that holds personal data — slot values, connector results, the phone being verified — is
// sealed (AES-GCM field cipher) in the conversation's state and in its events; the event log alone still rebuilds the
// state (replaySecure), so a flow survives a restart on any node.
import type { FlowDefinition, Reply } from '@lingxi/contracts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { NewEvent } from '../conversations/conversation-repository.ts';
import { EV } from '../conversations/conversation-service.ts';
import { drive, type CallEffect, type DriveResult } from '../flows/executor.ts';
import {
  FLOW_EV, advance, applyFlowEvent, isCancel, resume, startFlow, suspend,
  type ConnectorResult, type FlowContext, type FlowEvent, type FlowState, type FlowStep,
} from '../flows/interpreter.ts';
import type { IdentityVerificationService } from '../identity/identity-verification-service.ts';
import { maskPhone, normalizePhone } from '../identity/otp.ts';
import { extractEntities } from '../nlu/entities/index.ts';
import type { BotSettings } from '../tenancy/bot-settings.ts';
import { detectLang, normalize, type Lang } from '../text/index.ts';
import type { LoadedBot } from './bot-model-registry.ts';
import type { RobotState, TurnResult } from './robot-service.ts';

/** What the robot keeps sealed between turns. */
export type SecureState = {
  flow?: FlowState;
  /** The language the running flow speaks (fixed when it starts). */
  flowLang?: Lang;
  /** Slot values of this session by session key, offered again by later asks ("那上个月的流水呢" keeps the account). */
  slots?: Record<string, unknown>;
  /** A one-time-code check in progress. */
  idv?: { stage: 'phone' | 'code'; tries: number; challengeId?: string; phone?: string };
  /** The phone this conversation proved by a code (or that the channel vouched for). */
  verifiedPhone?: string;
};

/** Where a turn happens: the conversation (for the identity check) and what the channel already knows. */
export type TurnContext = {
  tenantId: string;
  conversationId: string;
  /** A phone the channel has verified (an app's signed token): identity checks pass without a code. */
  verifiedPhone?: string;
  /** The phone the message came from (SMS): the code is sent there without asking. */
  senderPhone?: string;
};

export type FlowConnectors = {
  callForFlow(tenantId: string, effect: CallEffect, vars: Record<string, unknown>): Promise<ConnectorResult>;
};

export const IDV_EV = {
  requested: 'identity.requested',
  codeSent: 'identity.code_sent',
  codeRejected: 'identity.code_rejected',
  verified: 'identity.verified',
  failed: 'identity.failed',
} as const;

const SEALED = '$sealed';
type Sealed = { [SEALED]: string };
const isSealed = (v: unknown): v is Sealed => typeof v === 'object' && v !== null && typeof (v as Sealed)[SEALED] === 'string';

const T = {
  askPhone: ['为保障您的账户安全，需要先验证您的身份。请输入您在本行预留的手机号码：', 'To keep your account safe, I need to verify your identity first. Please enter the mobile number registered with us:'],
  badPhone: ['手机号码格式不正确，请输入 11 位手机号码：', "That doesn't look like a mobile number. Please enter your 11-digit mobile number:"],
  codeSent: ['验证码已发送至 {phone}，{min} 分钟内有效。请输入 6 位验证码：', 'A verification code has been sent to {phone}; it is valid for {min} minutes. Please enter the 6-digit code:'],
  wrongCode: ['验证码不正确，您还可以再试 {n} 次。', 'That code is not correct. You have {n} more tries.'],
  expired: ['验证码已过期。回复“重新发送”获取新的验证码。', 'The code has expired. Reply "resend" for a new one.'],
  notACode: ['请输入短信中的 6 位数字验证码，或回复“重新发送”。', 'Please enter the 6-digit code from the text message, or reply "resend".'],
  resendTooSoon: ['验证码发送过于频繁，请稍后再试，或输入已收到的验证码。', 'Codes were sent too often. Please wait a moment, or enter the code you already received.'],
  locked: ['验证失败次数过多，为保护您的账户，该手机号的在线验证已暂时锁定，请 30 分钟后再试或联系人工客服。', 'Too many failed attempts. Online verification for this number is locked for a while to protect your account; please try again in 30 minutes or ask for an agent.'],
  hourly: ['该手机号今天获取验证码的次数过多，请稍后再试或联系人工客服。', 'Too many codes were requested for this number. Please try later or ask for an agent.'],
  smsDown: ['抱歉，验证码短信暂时无法发送，请稍后再试。', "Sorry, we can't send the verification text right now. Please try again later."],
  removed: ['抱歉，该业务流程已更新，请重新发起办理。', 'Sorry, this service has been updated. Please start again.'],
  enterCode: ['请输入短信中的 6 位验证码：', 'Please enter the 6-digit code from the text message:'],
  resume: ['我们继续刚才的「{name}」：', "Let's continue with {name}: "],
  cancelled: ['好的，已为您取消本次办理。还有什么可以帮您？', "OK, I've cancelled this request. Is there anything else I can help with?"],
} as const;
const RESEND = /^(重新发送|重发|再发一次|再发一遍|重新获取|没收到|resend|send again|send it again)[吧啊呀了\s!！。.]*$/i;
const MAX_PHONE_TRIES = 3;
const TIME_ZONE = 'Asia/Shanghai';

export class FlowTurns {
  constructor(private d: { cipher: FieldCipher; identity: IdentityVerificationService; connectors: FlowConnectors; clock: Clock; logger: Logger }) {}

  // --- sealing ---------------------------------------------------------------------------------------------------

  unseal(state: RobotState): SecureState {
    if (!state.secure) return {};
    try {
      return JSON.parse(this.d.cipher.decrypt(state.secure)) as SecureState;
    } catch (err) {
      this.d.logger.warn({ err }, 'sealed robot state unreadable, starting afresh');
      return {};
    }
  }

  seal(sec: SecureState): string | undefined {
    const clean: SecureState = {};
    if (sec.flow) clean.flow = sec.flow;
    if (sec.flow && sec.flowLang) clean.flowLang = sec.flowLang;
    if (sec.slots && Object.keys(sec.slots).length) clean.slots = sec.slots;
    if (sec.idv) clean.idv = sec.idv;
    if (sec.verifiedPhone) clean.verifiedPhone = sec.verifiedPhone;
    return Object.keys(clean).length ? this.d.cipher.encrypt(JSON.stringify(clean)) : undefined;
  }

  private sealValue(v: unknown): Sealed {
    return { [SEALED]: this.d.cipher.encrypt(JSON.stringify(v ?? null)) };
  }

  /** A flow event as stored: slot values, connector results and prefilled values sealed. */
  private sealEvent(e: FlowEvent): NewEvent {
    const p = { ...e.payload };
    if (e.type === FLOW_EV.slotFilled && 'value' in p) p.value = this.sealValue(p.value);
    if (e.type === FLOW_EV.vars) p.vars = this.sealValue(p.vars);
    if (e.type === FLOW_EV.started && p.prefill) p.prefill = this.sealValue(p.prefill);
    return { type: e.type, payload: p };
  }

  /** Rebuilds the sealed part of the state from the conversation's events alone. */
  replaySecure(events: { type: string; payload: Record<string, unknown> }[]): SecureState {
    const open = (v: unknown) => (isSealed(v) ? JSON.parse(this.d.cipher.decrypt(v[SEALED])) : v);
    const s: SecureState = {};
    for (const raw of events) {
      if (raw.type.startsWith('flow.') || raw.type.startsWith('slot.')) {
        const p = { ...raw.payload };
        for (const k of ['value', 'vars', 'prefill']) if (k in p) p[k] = open(p[k]);
        const e = { type: raw.type, payload: p };
        if (e.type === FLOW_EV.started) s.flowLang = p.lang as Lang | undefined;
        const f = applyFlowEvent(s.flow ?? null, e);
        if (f) s.flow = f;
        else delete s.flow;
        if (e.type === FLOW_EV.slotFilled && typeof p.sessionKey === 'string') s.slots = { ...s.slots, [p.sessionKey]: p.value };
        continue;
      }
      const p = raw.payload;
      switch (raw.type) {
        case IDV_EV.requested: s.idv = { stage: 'phone', tries: 0 }; break;
        case IDV_EV.codeSent: s.idv = { stage: 'code', tries: 0, challengeId: String(p.challengeId), phone: open(p.phone) as string }; break;
        case IDV_EV.codeRejected: if (s.idv) s.idv = { ...s.idv, tries: s.idv.tries + 1 }; break;
        case IDV_EV.verified: s.verifiedPhone = open(p.phone) as string; delete s.idv; break;
        case IDV_EV.failed: delete s.idv; break;
      }
    }
    if (!s.flow) {
      delete s.flowLang;
      delete s.idv;
    }
    return s;
  }

  // --- turns -----------------------------------------------------------------------------------------------------

  /** True when a flow (or its identity check) is in progress: the message goes to it first. */
  busy(sec: SecureState): boolean {
    return !!sec.flow;
  }

  /** Starts the flow the robot chose for this message. */
  async start(flowId: string, base: TurnResult, loaded: LoadedBot, sec: SecureState, text: string, ctx: TurnContext): Promise<TurnResult> {
    const def = loaded.flows?.get(flowId);
    if (!def) return base;
    const lang = detectLang(text);
    const fctx = this.flowContext(sec, lang, ctx);
    const first = startFlow(def, fctx, { text });
    first.events[0].payload.lang = lang;
    const out = this.open(base, sec);
    out.sec.flowLang = lang;
    return this.finish(out, await this.run(def, first, fctx, sec, ctx, out), def);
  }

  /**
   * A message while a flow runs. `decideFresh` is the robot's ordinary decision on the message (for digressions:
   * an FAQ question answered mid-flow, another flow, a request for a person).
   */
  async continue(base: TurnResult, loaded: LoadedBot, settings: BotSettings, sec: SecureState, text: string, ctx: TurnContext, decideFresh: () => TurnResult): Promise<TurnResult> {
    const flow = sec.flow!;
    const def = loaded.flows?.get(flow.flowId);
    const out = this.open(base, sec);
    const lang = sec.flowLang ?? detectLang(text);
    if (!def) {
      // The flow was removed by a newer version: say so and let the robot take the message next time.
      out.events.push({ type: FLOW_EV.failed, payload: { flowId: flow.flowId, reason: 'flow_removed' } });
      this.say(out, { type: 'fallback', text: pick(T.removed, lang) });
      delete out.sec.flow;
      delete out.sec.idv;
      return this.result(out);
    }
    const fctx = this.flowContext(sec, lang, ctx);
    const lower = normalize(text).toLowerCase();
    if (settings.handoffKeywords.some((k) => lower.includes(k.toLowerCase()))) {
      out.events.push(this.sealEvent({ type: FLOW_EV.cancelled, payload: { flowId: def.id, stepId: flow.stepId, reason: 'handoff' } }));
      delete out.sec.flow;
      delete out.sec.idv;
      const d = decideFresh();
      return { ...d, events: [...out.events, ...d.events], state: { ...d.state, secure: this.seal(out.sec) } };
    }
    if (sec.idv) {
      if (isCancel(text)) {
        out.events.push({ type: IDV_EV.failed, payload: { reason: 'cancelled' } });
        out.events.push(this.sealEvent({ type: FLOW_EV.cancelled, payload: { flowId: def.id, stepId: flow.stepId } }));
        this.say(out, { type: 'text', text: pick(T.cancelled, lang) });
        delete out.sec.flow;
        delete out.sec.idv;
        return this.result(out);
      }
      const idv = sec.idv;
      const plain = normalize(text).trim();
      const looksLikeAnswer = idv.stage === 'phone' ? !!phoneIn(text) : /^[\d\s-]{4,12}$/.test(plain) || RESEND.test(plain);
      if (!looksLikeAnswer) {
        const d = decideFresh();
        if (isDigression(d, text)) {
          // A question in the middle of the check: answered, then the check goes on where it was.
          out.events.push(...d.events.filter((e) => e.type !== EV.replied));
          for (const r of d.replies) this.say(out, r);
          out.events.push(...suspend(flow).events.map((e) => this.sealEvent(e)), { type: FLOW_EV.resumed, payload: { flowId: def.id, stepId: flow.stepId } });
          const again = idv.stage === 'phone' ? pick(T.askPhone, lang) : pick(T.enterCode, lang);
          this.say(out, { type: 'text', text: pick(T.resume, lang).replace('{name}', flowName(def, lang)) + again });
          return this.result(out, { lastEntryId: d.state.lastEntryId, lastQuestion: d.state.lastQuestion });
        }
      }
      return this.finish(out, await this.identityTurn(def, out, fctx, text, ctx), def);
    }
    const trial = advance(def, flow, { kind: 'user', text }, fctx);
    const firstChange = trial.events.find((e) => e.type !== FLOW_EV.resumed);
    const rejected = firstChange?.type === FLOW_EV.retry || (flow.waitingFor === 'identity' || flow.waitingFor === 'connector');
    if (rejected) {
      const d = decideFresh();
      if (d.startFlow && d.startFlow !== def.id) {
        // Another business: this one is dropped, the new one starts.
        out.events.push(this.sealEvent({ type: FLOW_EV.cancelled, payload: { flowId: def.id, stepId: flow.stepId, reason: 'switched', to: d.startFlow } }));
        delete out.sec.flow;
        const switched = await this.start(d.startFlow, { ...d, events: [...out.events, ...d.events] }, loaded, out.sec, text, ctx);
        return switched;
      }
      if (isDigression(d, text)) {
        // A digression: the FAQ answer, then the flow asks again for what it was waiting on.
        out.events.push(...d.events.filter((e) => e.type !== EV.replied));
        for (const r of d.replies) this.say(out, r);
        const s = suspend(flow);
        out.events.push(...s.events.map((e) => this.sealEvent(e)));
        const back = resume(def, s.state!, fctx);
        return this.finish(out, { ...back, transfer: undefined, identityPending: false, connectorMs: 0, effects: [] }, def, { lastEntryId: d.state.lastEntryId, lastQuestion: d.state.lastQuestion });
      }
    }
    return this.finish(out, await this.run(def, trial, fctx, sec, ctx, out), def);
  }

  // --- identity ----------------------------------------------------------------------------------------------------

  private async identityTurn(def: FlowDefinition, out: Work, fctx: FlowContext, text: string, ctx: TurnContext): Promise<DriveResult> {
    const idv = out.sec.idv!;
    const lang = fctx.lang;
    const none = (): DriveResult => ({ state: out.sec.flow ?? null, replies: [], effects: [], events: [], identityPending: true, connectorMs: 0 });
    if (idv.stage === 'phone') {
      const phone = phoneIn(text);
      if (!phone) {
        const tries = idv.tries + 1;
        out.events.push({ type: IDV_EV.codeRejected, payload: { stage: 'phone', tries } });
        if (tries >= MAX_PHONE_TRIES) return this.identityFailed(def, out, fctx, ctx, 'invalid_phone');
        out.sec.idv = { ...idv, tries };
        this.say(out, { type: 'text', text: pick(T.badPhone, lang) });
        return none();
      }
      return (await this.sendCode(def, out, fctx, ctx, phone)) ?? none();
    }
    if (RESEND.test(normalize(text).trim())) return (await this.sendCode(def, out, fctx, ctx, idv.phone!)) ?? none();
    const code = normalize(text).replace(/[\s-]/g, '');
    if (!/^\d{6}$/.test(code)) {
      this.say(out, { type: 'text', text: pick(T.notACode, lang) });
      return none();
    }
    const r = await this.d.identity.check({ tenantId: ctx.tenantId, challengeId: idv.challengeId!, code });
    if (r.ok) {
      out.events.push({ type: IDV_EV.verified, payload: { via: 'otp', phone: this.sealValue(idv.phone), masked: maskPhone(idv.phone!) } });
      out.sec.verifiedPhone = idv.phone;
      delete out.sec.idv;
      const step = advance(def, out.sec.flow!, { kind: 'identity', verified: true, vars: { verifiedPhone: idv.phone } }, fctx);
      return this.run(def, step, fctx, out.sec, ctx, out);
    }
    if (r.reason === 'wrong_code') {
      out.events.push({ type: IDV_EV.codeRejected, payload: { stage: 'code', reason: r.reason, attemptsLeft: r.attemptsLeft } });
      if (r.attemptsLeft > 0) {
        out.sec.idv = { ...idv, tries: idv.tries + 1 };
        this.say(out, { type: 'text', text: pick(T.wrongCode, lang).replace('{n}', String(r.attemptsLeft)) });
        return none();
      }
      return this.identityFailed(def, out, fctx, ctx, 'too_many_attempts');
    }
    if (r.reason === 'expired') {
      out.events.push({ type: IDV_EV.codeRejected, payload: { stage: 'code', reason: r.reason } });
      this.say(out, { type: 'text', text: pick(T.expired, lang) });
      return none();
    }
    if (r.reason === 'locked') this.say(out, { type: 'text', text: pick(T.locked, lang) });
    return this.identityFailed(def, out, fctx, ctx, r.reason);
  }

  /** Sends a code; null when it was sent (or refused for now) and the dialogue goes on, else the flow's outcome. */
  private async sendCode(def: FlowDefinition, out: Work, fctx: FlowContext, ctx: TurnContext, phone: string): Promise<DriveResult | null> {
    const lang = fctx.lang;
    try {
      const s = await this.d.identity.start({ tenantId: ctx.tenantId, conversationId: ctx.conversationId, phone, purpose: def.id });
      out.events.push({ type: IDV_EV.codeSent, payload: { challengeId: s.challengeId, phone: this.sealValue(phone), masked: s.maskedPhone } });
      out.sec.idv = { stage: 'code', tries: 0, challengeId: s.challengeId, phone };
      const min = Math.round(this.d.identity.settings.codeTtlMs / 60_000);
      this.say(out, { type: 'text', text: pick(T.codeSent, lang).replace('{phone}', s.maskedPhone).replace('{min}', String(min)) });
      return null;
    } catch (err) {
      const reason = err instanceof AppError ? (err.details as { reason?: string } | undefined)?.reason : undefined;
      if (reason === 'resend_too_soon' && out.sec.idv?.stage === 'code') {
        this.say(out, { type: 'text', text: pick(T.resendTooSoon, lang) });
        return null;
      }
      if (reason === 'locked' || reason === 'hourly_limit' || reason === 'resend_too_soon') {
        this.say(out, { type: 'text', text: pick(reason === 'hourly_limit' ? T.hourly : reason === 'locked' ? T.locked : T.resendTooSoon, lang) });
        return this.identityFailed(def, out, fctx, ctx, reason);
      }
      this.d.logger.error({ err }, 'one-time code could not be sent');
      this.say(out, { type: 'text', text: pick(T.smsDown, lang) });
      return this.identityFailed(def, out, fctx, ctx, 'sms_failed');
    }
  }

  private async identityFailed(def: FlowDefinition, out: Work, fctx: FlowContext, ctx: TurnContext, reason: string): Promise<DriveResult> {
    out.events.push({ type: IDV_EV.failed, payload: { reason } });
    delete out.sec.idv;
    const step = advance(def, out.sec.flow!, { kind: 'identity', verified: false }, fctx);
    return this.run(def, step, fctx, out.sec, ctx, out);
  }

  // --- plumbing ----------------------------------------------------------------------------------------------------

  private flowContext(sec: SecureState, lang: Lang, ctx: TurnContext): FlowContext {
    const phone = ctx.verifiedPhone ? normalizePhone(ctx.verifiedPhone) : null;
    return {
      now: this.d.clock.now(), lang, sessionSlots: sec.slots ?? {}, timeZone: TIME_ZONE,
      ...(phone ? { identityVerified: true, identityVars: { verifiedPhone: phone } } : {}),
    };
  }

  /** Runs the flow's effects; a verify-identity that needs a code starts the code dialogue. */
  private async run(def: FlowDefinition, step: FlowStep, fctx: FlowContext, sec: SecureState, ctx: TurnContext, out: Work): Promise<DriveResult> {
    const r = await drive(def, step, fctx, {
      call: (effect, vars) => this.d.connectors.callForFlow(ctx.tenantId, effect, vars),
      identity: async () => {
        if (sec.verifiedPhone && (await this.d.identity.isVerified(ctx.tenantId, ctx.conversationId))) return { verified: true, vars: { verifiedPhone: sec.verifiedPhone } };
        return null;
      },
    });
    if (r.identityPending && r.state) {
      // The code dialogue starts: straight to the code when the channel knows the sender's phone (SMS).
      out.sec.flow = r.state;
      out.events.push(...r.events.map((e) => this.sealEvent(e)));
      for (const x of r.replies) this.say(out, x);
      out.connectorMs += r.connectorMs;
      out.events.push({ type: IDV_EV.requested, payload: { flowId: def.id } });
      const phone = ctx.senderPhone ? normalizePhone(ctx.senderPhone) : null;
      if (phone) {
        out.sec.idv = { stage: 'phone', tries: 0 };
        const sent = await this.sendCode(def, out, fctx, ctx, phone);
        if (sent) return sent;
      } else {
        out.sec.idv = { stage: 'phone', tries: 0 };
        this.say(out, { type: 'text', text: pick(T.askPhone, fctx.lang) });
      }
      return { state: out.sec.flow ?? null, replies: [], effects: [], events: [], identityPending: true, connectorMs: 0 };
    }
    return r;
  }

  private open(base: TurnResult, sec: SecureState): Work {
    return { base, events: [...base.events], replies: [...base.replies], sec: { ...sec }, handoff: base.handoff, connectorMs: 0 };
  }

  private say(out: Work, r: Reply) {
    out.replies.push(r);
    out.events.push({ type: EV.replied, payload: { reply: r } });
  }

  /** Folds a flow's step into the turn: its events (sealed), replies, session slots, a transfer. */
  private finish(out: Work, r: DriveResult, def: FlowDefinition, robot: Partial<RobotState> = {}): TurnResult {
    for (const e of r.events) {
      out.events.push(this.sealEvent(e));
      if (e.type === FLOW_EV.slotFilled && typeof e.payload.sessionKey === 'string') out.sec.slots = { ...out.sec.slots, [e.payload.sessionKey]: e.payload.value };
    }
    for (const x of r.replies) this.say(out, x);
    out.connectorMs += r.connectorMs;
    if (r.state) out.sec.flow = r.state;
    else {
      delete out.sec.flow;
      delete out.sec.idv;
    }
    if (r.transfer) {
      out.events.push({ type: EV.handoff, payload: { reason: 'flow', flowId: def.id, ...(r.transfer.queue ? { queue: r.transfer.queue } : {}), ...(r.transfer.note ? { note: r.transfer.note } : {}) } });
      out.handoff = true;
    }
    return this.result(out, robot);
  }

  private result(out: Work, robot: Partial<RobotState> = {}): TurnResult {
    const state: RobotState = { ...out.base.state, pending: undefined, ...robot, secure: this.seal(out.sec) };
    if (out.handoff) state.failures = 0;
    return { replies: out.replies, events: out.events, state, handoff: out.handoff, connectorMs: out.connectorMs };
  }
}

type Work = { base: TurnResult; events: NewEvent[]; replies: Reply[]; sec: SecureState; handoff: boolean; connectorMs: number };

/**
 * Mid-flow, a message the flow cannot take is a question of its own only when it reads as a question and the robot
 * is sure of the answer: a wrong answer here also derails the customer's business ("不知道" is not a question about
 * transfers, whatever the matcher thinks).
 */
const QUESTION = /[?？吗呢么嘛]|多少|怎么|怎样|如何|什么|哪|几[个天点号]|能不能|可不可以|可以|是否|有没有|为什么|\b(how|what|when|where|why|which|can|could|do|does|is|are)\b/i;
const isDigression = (d: TurnResult, text: string) => d.replies[0]?.type === 'answer' && QUESTION.test(text);

const pick = (m: readonly [string, string], lang: Lang) => (lang === 'en' ? m[1] : m[0]);
const flowName = (def: FlowDefinition, lang: Lang) => (typeof def.name === 'string' ? def.name : lang === 'en' ? (def.name.en ?? def.name.zh) : def.name.zh);

/** A mainland mobile number in the message ("13800138000", "+86 138 0013 8000"). */
function phoneIn(text: string): string | null {
  const e = extractEntities(text, { now: new Date(), timeZone: TIME_ZONE }).find((x) => x.type === 'phone');
  if (e) return normalizePhone(String(e.value));
  return normalizePhone(normalize(text).replace(/[\s-]/g, ''));
}
