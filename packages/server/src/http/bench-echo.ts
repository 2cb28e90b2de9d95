import { ChatRequest, ChatResponse, WsClientMessage } from '@lingxi/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';

/**
 * The peer `npm run bench -- chat` measures the robot against: the same Fastify stack, body validation and response
 * serialisation as POST /api/v1/chat and the same JSON frames as /api/v1/ws, but no robot, no storage, no
 * coordination. turns_per_s / echo_per_s is then the share of transport capacity the chat path keeps.
 * Off unless LINGXI_BENCH_ECHO=1: it is not part of the product's API.
 */
export const benchEchoRoutes = (enabled = process.env.LINGXI_BENCH_ECHO === '1'): FastifyPluginAsyncZod => async (app) => {
  if (!enabled) return;

  app.post('/api/v1/bench/echo', {
    schema: { hide: true, body: ChatRequest, response: { 200: ChatResponse } },
  }, async (req) => ({
    sessionId: req.body.sessionId ?? 'bench-echo-session',
    replies: [{ type: 'text' as const, text: req.body.text }],
  }));

  app.get('/api/v1/bench/ws-echo', { websocket: true, schema: { hide: true } }, (socket: WebSocket) => {
    let seq = 0;
    const send = (m: unknown) => socket.send(JSON.stringify(m));
    socket.on('message', (raw: Buffer) => {
      let parsed: unknown;
      try { parsed = JSON.parse(raw.toString('utf8')); } catch { parsed = undefined; }
      const m = WsClientMessage.safeParse(parsed);
      if (!m.success) return send({ type: 'error', code: 'validation_failed', message: 'bad frame' });
      if (m.data.type === 'hello') return send({ type: 'welcome', sessionId: m.data.sessionId ?? 'bench-echo-session', bot: { id: 'echo', name: 'echo', greeting: '', locale: 'zh-CN' } });
      if (m.data.type === 'ping') return send({ type: 'pong' });
      if (m.data.type !== 'message') return;
      // Same frames a real turn sends: typing on, the echoed message, the reply, typing off.
      const at = new Date().toISOString();
      send({ type: 'typing', on: true });
      send({ type: 'message', seq: ++seq, clientMsgId: m.data.clientMsgId, text: m.data.text, at });
      send({ type: 'reply', seq: ++seq, reply: { type: 'text', text: m.data.text }, at });
      send({ type: 'typing', on: false });
    });
  });
};
