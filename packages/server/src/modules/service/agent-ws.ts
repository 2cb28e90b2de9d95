import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { AgentClientMessage, type AgentServerMessage, type Presence, type QueueStats } from '@lingxi/contracts';
import type { Coordination, Unsubscribe } from '../../platform/coordination.ts';
import { AppError } from '../../platform/errors.ts';
import { newToken } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { can, type Principal } from '../auth/roles.ts';
import type { ServiceModule } from './index.ts';
import { agentChannel } from './notifier.ts';

/** How long a socket may stay unauthenticated. */
const AUTH_TIMEOUT_MS = 10_000;
/** Queue figures are recomputed and sent (when changed) this often per node. */
const QUEUES_EVERY_MS = 2000;
/** Frames an agent socket may send per window. */
const RATE = { max: 120, windowMs: 10_000 };

type Session = { socket: WebSocket; p: Principal; userId: string; groups: string[]; lastQueues: string };

/**
 * The workbench's WebSocket (GET /api/v1/agent/ws, protocol AgentClientMessage / AgentServerMessage in
 * packages/contracts/src/service.ts). Authenticated by the console session token: the first message `auth`
 * (never in the URL: URLs end up in proxies' logs). Each socket subscribes to its agent's coordination channel,
 * so frames published by any node reach it, and heartbeats the agent's presence while the client keeps pinging:
 * a dead browser (no ping for the presence TTL) is disconnected, and its agent turns offline.
 */
export class AgentGateway {
  private sessions = new Set<Session>();
  private queuesTimer?: ReturnType<typeof setInterval>;

  constructor(private d: { service: ServiceModule; auth: AuthService; coordination: Coordination; logger: Logger }) {}

  connect(socket: WebSocket): void {
    const { service } = this.d;
    const socketId = newToken(9);
    const beatMs = Math.max(200, Math.floor(service.options.presenceTtlMs / 3));
    let session: Session | undefined;
    let unsub: Unsubscribe | undefined;
    let beat: ReturnType<typeof setInterval> | undefined;
    let closed = false;
    let lastClientAt = Date.now();
    let last: Presence = 'offline';
    let windowStart = Date.now();
    let count = 0;
    const send = (m: AgentServerMessage) => {
      if (!closed && socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
    };
    const fail = (err: unknown) => {
      const e = err instanceof AppError ? err : null;
      if (!e) this.d.logger.error({ err }, 'agent socket message failed');
      send({ type: 'error', code: e?.code ?? 'internal', message: e?.message ?? 'internal error' });
    };
    const authTimer = setTimeout(() => { if (!session) socket.close(4401, 'authenticate first'); }, AUTH_TIMEOUT_MS);

    /** Presence changed on this socket's watch (idle → away, back → online): all the agent's tabs hear it. */
    const noticed = async (p: Principal, now: Presence) => {
      if (now === last) return;
      last = now;
      await service.notifier.toAgent(p.tenantId, p.userId!, { type: 'presence', presence: now });
      if (now === 'online') void service.router.agentAvailable(p.tenantId, p.userId!);
    };

    const authenticate = async (token: string) => {
      if (session) throw new AppError('bad_request', 'already authenticated');
      const p = await this.d.auth.authenticate(token);
      if (!p || !p.userId) {
        send({ type: 'error', code: 'unauthorized', message: 'invalid or expired session token' });
        return socket.close(4401, 'unauthorized');
      }
      if (!can(p, 'service:agent')) {
        send({ type: 'error', code: 'forbidden', message: 'your role may not serve customers (service:agent)' });
        return socket.close(4403, 'forbidden');
      }
      clearTimeout(authTimer);
      const profile = await service.directory.ensureAgent(p);
      const s: Session = { socket, p, userId: p.userId, groups: profile.groups, lastQueues: '' };
      unsub = await this.d.coordination.subscribe(agentChannel(p.tenantId, p.userId), (m) => send(m as AgentServerMessage));
      if (closed) return void (await unsub());
      session = s;
      this.sessions.add(s);
      last = await service.presence.beat(p.tenantId, p.userId, socketId, true);
      send({ type: 'welcome', agent: { userId: p.userId, displayName: profile.displayName, presence: last, maxConcurrent: profile.maxConcurrent, groups: profile.groups } });
      if (last === 'online') void service.router.agentAvailable(p.tenantId, p.userId);
      beat = setInterval(() => void tick(s).catch((err) => this.d.logger.warn({ err }, 'agent heartbeat failed')), beatMs);
      this.startQueues();
      void this.sendQueues([s]).catch(() => {});
    };

    const tick = async (s: Session) => {
      if (Date.now() - lastClientAt > service.options.presenceTtlMs) {
        // The browser stopped pinging (crashed, asleep, network gone): drop the socket; presence ends below.
        socket.terminate();
        return;
      }
      await noticed(s.p, await service.presence.beat(s.p.tenantId, s.userId, socketId, false));
    };

    const handle = async (m: AgentClientMessage) => {
      if (m.type === 'auth') return authenticate(m.token);
      if (!session) throw new AppError('unauthorized', 'send auth first');
      const { p } = session;
      if (m.type === 'ping') {
        if (m.active) await noticed(p, await service.presence.beat(p.tenantId, session.userId, socketId, true));
        return send({ type: 'pong' });
      }
      if (m.type === 'presence') {
        last = await service.desk.setPresence(p, m.presence);
        return;
      }
      if (m.type === 'typing') return service.desk.typing(p, m.conversationId, m.on);
    };

    let chain = Promise.resolve();
    socket.on('message', (raw: Buffer, isBinary: boolean) => {
      lastClientAt = Date.now();
      chain = chain.then(async () => {
        try {
          if (Date.now() - windowStart > RATE.windowMs) { windowStart = Date.now(); count = 0; }
          if (++count > RATE.max) throw new AppError('rate_limited', 'too many messages, please slow down');
          if (isBinary) throw new AppError('bad_request', 'send JSON text frames');
          let parsed: unknown;
          try { parsed = JSON.parse(raw.toString('utf8')); } catch { throw new AppError('bad_request', 'malformed JSON'); }
          const m = AgentClientMessage.safeParse(parsed);
          if (!m.success) throw new AppError('validation_failed', m.error.issues.map((i) => `${i.path.join('.') || '/'} ${i.message}`).join('; '));
          await handle(m.data);
        } catch (err) {
          fail(err);
        }
      });
    });
    socket.on('close', () => {
      closed = true;
      clearTimeout(authTimer);
      clearInterval(beat);
      const s = session;
      if (s) this.sessions.delete(s);
      void (async () => {
        await unsub?.();
        if (s) await service.presence.disconnect(s.p.tenantId, s.userId, socketId);
      })().catch((err) => this.d.logger.warn({ err }, 'agent socket cleanup failed'));
    });
  }

  private startQueues() {
    if (this.queuesTimer) return;
    this.queuesTimer = setInterval(() => void this.sendQueues([...this.sessions]).catch((err) => this.d.logger.warn({ err }, 'queue figures not sent')), QUEUES_EVERY_MS);
    this.queuesTimer.unref?.();
  }

  /** `queues` frames: each agent gets their groups' figures (supervisors all groups), only when they changed. */
  private async sendQueues(sessions: Session[]) {
    const byTenant = new Map<string, QueueStats[]>();
    for (const s of sessions) {
      if (s.socket.readyState !== s.socket.OPEN) continue;
      let all = byTenant.get(s.p.tenantId);
      if (!all) {
        all = await this.d.service.desk.queues({ ...s.p, roles: ['supervisor'] });
        byTenant.set(s.p.tenantId, all);
      }
      const profile = await this.d.service.directory.agent(s.p.tenantId, s.userId);
      const mine = can(s.p, 'service:supervise') ? all : all.filter((g) => (profile?.groups ?? s.groups).includes(g.group));
      const json = JSON.stringify(mine);
      if (json === s.lastQueues) continue;
      s.lastQueues = json;
      s.socket.send(JSON.stringify({ type: 'queues', groups: mine } satisfies AgentServerMessage));
    }
  }

  close() {
    clearInterval(this.queuesTimer);
    for (const s of this.sessions) s.socket.close(1001, 'server shutting down');
  }
}

export const agentSocketRoutes = (gateway: AgentGateway): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/agent/ws', {
    websocket: true,
    schema: {
      tags: ['agent'],
      summary: 'Agent workbench WebSocket (AgentClientMessage / AgentServerMessage in packages/contracts/src/service.ts)',
      description: 'Authenticate with the first message {"type":"auth","token":"<session token>"} (never in the URL). Send {"type":"ping"} at least every ' +
        'third of the presence TTL (10 s by default), with active: true when the agent did something; a socket silent for the TTL is closed and ' +
        'the agent turns offline.',
    },
  }, (socket: WebSocket, req) => gateway.connect(socket));
  app.addHook('onClose', async () => gateway.close());
};
