import WebSocket from 'ws';
import type { AgentServerMessage, SkillGroup } from '@lingxi/contracts';
import type { App } from '../../app.ts';
import type { Deps } from '../../compose.ts';
import type { Role } from '../auth/roles.ts';

/** Helpers for the human-service tests and the routing benchmark: agents on real WebSockets, customers on the chat API. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn returns a truthy value (or fails after ms). */
export async function until<T>(fn: () => Promise<T> | T, ms = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** A workbench socket: authenticates, pings to stay present, records every frame. */
export class AgentClient {
  readonly frames: AgentServerMessage[] = [];
  private waiters: { pred: (m: AgentServerMessage) => boolean; resolve: (m: AgentServerMessage) => void }[] = [];
  private pinger?: ReturnType<typeof setInterval>;
  onFrame?: (m: AgentServerMessage) => void;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as AgentServerMessage;
      this.frames.push(m);
      this.onFrame?.(m);
      for (const w of [...this.waiters]) {
        if (w.pred(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
  }

  /** Connects, authenticates and waits for the welcome; pings every pingMs (0: never, a silent browser). */
  static async connect(baseUrl: string, token: string, opts: { pingMs?: number } = {}): Promise<AgentClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/agent/ws`);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const c = new AgentClient(ws);
    c.send({ type: 'auth', token });
    await c.next((m) => m.type === 'welcome' || m.type === 'error', 10_000, 'welcome');
    const pingMs = opts.pingMs ?? 300;
    if (pingMs > 0) {
      c.pinger = setInterval(() => c.send({ type: 'ping' }), pingMs);
      c.pinger.unref?.();
    }
    return c;
  }

  send(m: unknown) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  /** The first frame (already received or coming) matching pred. */
  next<T extends AgentServerMessage = AgentServerMessage>(pred: (m: AgentServerMessage) => boolean, ms = 5000, what = 'frame'): Promise<T> {
    const seen = this.frames.find(pred);
    if (seen) return Promise.resolve(seen as T);
    return this.nextNew(pred, ms, what);
  }

  /** The next frame from now on matching pred. */
  nextNew<T extends AgentServerMessage = AgentServerMessage>(pred: (m: AgentServerMessage) => boolean, ms = 5000, what = 'frame'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no ${what} within ${ms} ms; frames: ${JSON.stringify(this.frames.slice(-20))}`));
      }, ms);
      const done = (m: AgentServerMessage) => { clearTimeout(t); resolve(m as T); };
      this.waiters.push({ pred, resolve: done });
    });
  }

  assigned(): string[] {
    return this.frames.filter((f): f is Extract<AgentServerMessage, { type: 'assigned' }> => f.type === 'assigned').map((f) => f.conversation.id);
  }

  stopPinging() {
    clearInterval(this.pinger);
  }

  /** Closes the socket (a tab closed, a browser that died with its TCP connection). */
  async close() {
    this.stopPinging();
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => { this.ws.once('close', () => r()); this.ws.terminate(); });
  }
}

/** Creates a user with a role that may serve customers and their agent profile; returns a session token. */
export async function makeAgent(app: App, deps: Deps, tenantId: string, username: string, profile: { groups: string[]; maxConcurrent?: number; displayName?: string; roles?: Role[] }): Promise<{ userId: string; token: string }> {
  const password = `pw-${username}-12345`;
  const user = await deps.auth.createUser(tenantId, { username, displayName: profile.displayName ?? username, password, roles: profile.roles ?? ['agent'] });
  await deps.service.directory.putAgent({ tenantId, actor: 'test', roles: ['admin'] }, user.id, { groups: profile.groups, maxConcurrent: profile.maxConcurrent ?? 3, displayName: profile.displayName });
  const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.body}`);
  return { userId: user.id, token: r.json().token };
}

export async function putGroup(deps: Deps, tenantId: string, g: Partial<SkillGroup> & { id: string }): Promise<void> {
  const { SkillGroup: Schema } = await import('@lingxi/contracts');
  await deps.service.directory.putGroup({ tenantId, actor: 'test', roles: ['admin'] }, Schema.parse({ name: { zh: g.id, en: g.id }, ...g }));
}

/** A customer asks the demo bot for a person over the chat API; returns the session (conversation) id. */
export async function customerAsksForPerson(app: App, text = '我要转人工'): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/chat', payload: { bot: 'demo', text } });
  if (r.statusCode !== 200) throw new Error(`chat: ${r.statusCode} ${r.body}`);
  const body = r.json();
  if (body.replies[0]?.type !== 'handoff') throw new Error(`no hand-off: ${r.body}`);
  return body.sessionId;
}
