import { readFileSync, existsSync } from 'node:fs';
import { ChatRequest, ChatResponse, WsClientMessage, type WsServerMessage } from '@lingxi/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import type { Deps } from '../../compose.ts';
import { AppError } from '../../platform/errors.ts';
import type { Unsubscribe } from '../../platform/coordination.ts';
import type { Conversation } from '../conversations/conversation-repository.ts';
import type { LiveFrame, SessionFrame } from '../conversations/conversation-service.ts';
import type { Bot } from '../tenancy/tenancy-repository.ts';
import { serverTiming } from './chat-service.ts';
import type { AppIdentity } from '../channels/app/app-channel.ts';

const PUBLIC_DIR = new URL('./public/', import.meta.url).pathname;
const WIDGET_BUNDLE = new URL('../../../../widget/dist/lingxi-widget.js', import.meta.url).pathname;
/** Messages one WebSocket may send per window before it is told to slow down. */
const WS_RATE = { max: 30, windowMs: 10_000 };
/** An app customer's open socket keeps them "online" (no push notifications) by heartbeating presence. */
const APP_HEARTBEAT_MS = 20_000;
/** A widget open on a conversation waiting for or with a person tells the human service so (queue abandonment rule). */
const SERVICE_HEARTBEAT_MS = 10_000;

export const webChannelRoutes = (deps: Deps): FastifyPluginAsyncZod => async (app) => {
  const { chat, conversations } = deps;

  // The public chat API carries no cookies or credentials, so any site embedding the widget may call it (the
  // widget falls back to it when WebSockets are blocked).
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/v1/chat')) return;
    reply.header('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'POST, OPTIONS').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '86400');
      return reply.status(204).send();
    }
  });
  app.options('/api/v1/chat', { schema: { hide: true } }, async (_req, reply) => reply.status(204).send());

  app.post('/api/v1/chat', {
    schema: {
      tags: ['chat'],
      summary: 'Send a customer message to a bot and get its replies',
      description:
        'No credentials needed for a public bot (the demo bot is public, slug `demo`). Omit sessionId on the first turn and send the returned one ' +
        'afterwards. Reply types: `answer` (from a knowledge entry, `entryId`), `clarify` (`options` to choose from: send the option number or text ' +
        'next), `fallback` (not understood; hot questions as `options`), `handoff` (a person will take over), `text` (greetings, thanks).',
      body: ChatRequest,
      response: { 200: ChatResponse },
    },
  }, async (req, reply) => {
    const r = await chat.handle({ bot: req.body.bot, sessionId: req.body.sessionId, text: req.body.text, channel: req.body.channel ?? 'api', clientMsgId: req.body.clientMsgId });
    // The robot's own time and the time spent waiting on the bank's systems, for monitoring and the benchmark.
    if (r.timing) reply.header('server-timing', serverTiming(r.timing));
    return { sessionId: r.sessionId, replies: r.replies };
  });

  app.get('/api/v1/ws', { websocket: true, schema: { tags: ['chat'], summary: 'WebSocket chat (protocol in packages/contracts/src/chat.ts)' } }, (socket: WebSocket, req) => {
    let bot: Bot | undefined;
    let conv: Conversation | undefined;
    let app: AppIdentity | undefined;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    let unsub: Unsubscribe | undefined;
    let serviceBeat: ReturnType<typeof setInterval> | undefined;
    /** The conversation's service status as this socket last heard it (bot, handoff, agent, closed). */
    let liveStatus: Conversation['status'] = 'bot';
    let lastSentSeq = 0;
    let closed = false;
    let windowStart = Date.now();
    let count = 0;
    const send = (m: WsServerMessage) => {
      if (!closed && socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
    };
    const waitingForPerson = () => liveStatus === 'handoff' || liveStatus === 'agent';
    const beatService = () => {
      if (conv && waitingForPerson()) void deps.service.router.customerPresent(conv.id).catch(() => {});
    };
    // Live frames and replayed frames can overlap around a reconnect: send each seq once, in order. Queue, status
    // and typing frames carry no seq and go straight through.
    const deliver = (frames: (SessionFrame | LiveFrame)[]) => {
      for (const f of frames) {
        if (!('seq' in f)) {
          if (f.type === 'status') {
            const was = waitingForPerson();
            liveStatus = f.status;
            if (!was && waitingForPerson()) beatService();
          }
          send(f);
          continue;
        }
        if (f.seq <= lastSentSeq) continue;
        lastSentSeq = f.seq;
        send(f);
      }
    };
    /** Follows the session to another conversation (a new one after the last was closed): subscribe, welcome, replay. */
    async function follow(next: Conversation, afterSeq: number) {
      if (unsub) await unsub();
      conv = next;
      liveStatus = next.status;
      unsub = await conversations.subscribe(next.id, deliver);
      if (closed) return void (await unsub());
      send({ type: 'welcome', sessionId: next.id, bot: { id: bot!.id, name: bot!.name, greeting: bot!.settings.greeting, locale: bot!.locale } });
      lastSentSeq = afterSeq;
      deliver(await conversations.framesAfter(next, lastSentSeq));
      // Where the conversation is with the human service now (status, queue position), for a reconnecting widget.
      deliver(await deps.service.router.customerView(next));
      beatService();
      clearInterval(serviceBeat);
      serviceBeat = setInterval(beatService, SERVICE_HEARTBEAT_MS);
    }
    const fail = (err: unknown, clientMsgId?: string) => {
      const e = err instanceof AppError ? err : null;
      if (!e) req.log.error({ err }, 'websocket turn failed');
      send({ type: 'error', code: e?.code ?? 'internal', message: e?.message ?? 'internal error, please try again', ...(clientMsgId ? { clientMsgId } : {}) });
    };

    async function hello(m: Extract<WsClientMessage, { type: 'hello' }>) {
      if (m.app || m.token) {
        // A bank app's customer: the JWT decides who it is (verified), and the app config decides the bot.
        app = await deps.appChannel.identify(m.app ?? '', m.token);
        bot = await chat.botForChannel(app.cfg.botId);
        conv = await chat.session(bot, m.sessionId, 'app', { kind: 'app_user', value: app.appUserId, verified: true });
        const { cfg, appUserId } = app;
        const beat = () => void deps.appChannel.heartbeat(cfg.id, appUserId).catch(() => {});
        beat();
        clearInterval(heartbeat);
        heartbeat = setInterval(beat, APP_HEARTBEAT_MS);
      } else {
        app = undefined;
        bot = await chat.publicBot(m.bot);
        conv = await chat.session(bot, m.sessionId, 'web');
      }
      await follow(conv, m.sessionId === conv.id ? (m.lastSeq ?? 0) : 0);
    }

    async function message(m: Extract<WsClientMessage, { type: 'message' }>) {
      if (!bot || !conv) throw new AppError('bad_request', 'send hello first');
      if (Date.now() - windowStart > WS_RATE.windowMs) { windowStart = Date.now(); count = 0; }
      if (++count > WS_RATE.max) throw new AppError('rate_limited', 'too many messages, please slow down');
      send({ type: 'typing', on: true });
      try {
        const r = app
          ? await deps.appChannel.turn(app, { text: m.text, clientMsgId: m.clientMsgId, sessionId: conv.id })
          : await chat.handle({ bot: bot.id, sessionId: conv.id, text: m.text, channel: 'web', clientMsgId: m.clientMsgId });
        if (r.sessionId !== conv.id) {
          // The last conversation was closed: the message started a new one. The widget learns its session id from
          // a new welcome, and its frames (numbered from 1 again) are replayed.
          const next = await conversations.findForBot(bot.id, r.sessionId);
          if (next) await follow(next, 0);
        }
      } finally {
        send({ type: 'typing', on: false });
      }
    }

    async function leaveMessage(m: Extract<WsClientMessage, { type: 'leave-message' }>) {
      if (!bot || !conv) throw new AppError('bad_request', 'send hello first');
      await chat.leaveMessage(conv, m.text, m.contact);
    }

    async function rate(m: Extract<WsClientMessage, { type: 'rate' }>) {
      if (!bot || !conv) throw new AppError('bad_request', 'send hello first');
      await chat.rate(conv, m.score, m.comment);
    }

    // Frames of one socket are handled one after another, so a customer's messages keep their order.
    let chain = Promise.resolve();
    socket.on('message', (raw: Buffer, isBinary: boolean) => {
      chain = chain.then(async () => {
        let clientMsgId: string | undefined;
        try {
          if (isBinary) throw new AppError('bad_request', 'send JSON text frames');
          let parsed: unknown;
          try { parsed = JSON.parse(raw.toString('utf8')); } catch { throw new AppError('bad_request', 'malformed JSON'); }
          const m = WsClientMessage.safeParse(parsed);
          if (!m.success) throw new AppError('validation_failed', m.error.issues.map((i) => `${i.path.join('.') || '/'} ${i.message}`).join('; '));
          if (m.data.type === 'ping') return send({ type: 'pong' });
          if (m.data.type === 'hello') return await hello(m.data);
          if (m.data.type === 'leave-message') return await leaveMessage(m.data);
          if (m.data.type === 'rate') return await rate(m.data);
          clientMsgId = m.data.clientMsgId;
          return await message(m.data);
        } catch (err) {
          fail(err, clientMsgId);
        }
      });
    });
    socket.on('close', () => {
      closed = true;
      clearInterval(heartbeat);
      clearInterval(serviceBeat);
      // The widget is gone: a waiting customer counts as gone from now (the abandonment rule's clock starts).
      if (conv && waitingForPerson()) void deps.service.router.customerGone(conv.id).catch(() => {});
      void unsub?.();
    });
  });

  // The demo chat page and the widget bundle. Read at start: they are small and do not change while running.
  const page = readFileSync(`${PUBLIC_DIR}index.html`, 'utf8');
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  const widget = existsSync(WIDGET_BUNDLE) ? readFileSync(WIDGET_BUNDLE, 'utf8') : null;
  app.get('/widget.js', { schema: { hide: true } }, async (_req, reply) => {
    if (!widget) throw new AppError('unavailable', 'widget bundle not built: run `npm run build:widget`');
    return reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*').send(widget);
  });
};
