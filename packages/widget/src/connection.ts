import type { Reply, WsClientMessage, WsServerMessage } from '../../contracts/src/chat.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { SeqTracker } from './seq-tracker.ts';
import type { OutboxItem, SessionStore } from './session-store.ts';

/**
 * The widget's link to the server: a WebSocket that reconnects and loses nothing, with POST /api/v1/chat as a
 * fallback when WebSockets cannot get through at all (some corporate proxies still strip the Upgrade header).
 *
 * No DOM here: sockets, timers, fetch and storage are injected so the unit tests drive it with fakes.
 *
 * Delivery rules (see the WS protocol in packages/contracts/src/chat.ts):
 * - every message the customer sends goes into an outbox with a clientMsgId and stays there until the server
 *   echoes it back (the `message` frame carrying that clientMsgId) — a frame written into a dying socket is
 *   silently lost, so "sent" is not "delivered";
 * - after every (re)connect the whole outbox is sent again with the same ids; the server deduplicates on them;
 * - server frames are deduplicated by seq, and `hello.lastSeq` asks the server to replay what we missed.
 */

export type SocketLike = {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
};

export type HttpResponseLike = { ok: boolean; status: number; json(): Promise<unknown> };

export type ConnectionDeps = {
  createSocket(url: string): SocketLike;
  fetch(url: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<HttpResponseLike>;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
  newId(): string;
  store: SessionStore;
};

export type BotInfo = { id: string; name: string; greeting: string; locale: string };
export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'http';

export type ConnectionListener = {
  welcome?(bot: BotInfo, newSession: boolean): void;
  /** The customer's own message as the server stored it (also for messages sent from another tab). */
  customerMessage?(m: { seq?: number; clientMsgId?: string; text: string; at?: string }): void;
  reply?(r: { seq?: number; reply: Reply; at?: string }): void;
  typing?(on: boolean): void;
  /** Human service, live and not stored: the queue position while waiting for a person, and the service state. */
  service?(f: Extract<WsServerMessage, { type: 'queue' | 'status' }>): void;
  status?(s: ConnectionStatus): void;
  /** A message the server keeps refusing (never acknowledged after several deliveries) was given up. */
  undelivered?(clientMsgId: string): void;
  error?(code: string, message: string): void;
};

export type ConnectionOptions = {
  /** Server origin, e.g. https://cs.example-bank.com */
  origin: string;
  bot: string;
  deps: ConnectionDeps;
  listener: ConnectionListener;
  backoff?: BackoffOptions;
  /** Consecutive failed WebSocket attempts, with no success yet on this page, before switching to HTTP. */
  wsAttemptsBeforeHttp?: number;
  /** Deliveries to a welcomed socket without an acknowledgement before a message is given up. */
  maxTries?: number;
  /** How long an attempt may take from opening the socket to receiving `welcome`. */
  connectTimeoutMs?: number;
  /** Idle interval after which we ping; proxies drop silent connections after 30–60 s. */
  pingIntervalMs?: number;
  /** No frame at all for this long after a ping means the connection is dead even if TCP has not noticed. */
  pongTimeoutMs?: number;
};

const OPEN = 1;

export class ChatConnection {
  private readonly deps: ConnectionDeps;
  private readonly listener: ConnectionListener;
  private readonly wsUrl: string;
  private readonly httpUrl: string;
  private readonly seq = new SeqTracker();
  private sessionId: string | undefined;
  private outbox: OutboxItem[];
  private socket: SocketLike | null = null;
  private welcomed = false;
  private everWelcomed = false;
  private failures = 0;
  private attempt = 0;
  private mode: 'ws' | 'http' = 'ws';
  private state: ConnectionStatus = 'idle';
  private stopped = false;
  private timers = new Map<string, unknown>();
  private draining = false;
  /** Seq of the last reply whose rating card was answered (0: none), kept across reloads so a replay asks no more. */
  rated: number;

  constructor(private readonly opts: ConnectionOptions) {
    this.deps = opts.deps;
    this.listener = opts.listener;
    const base = opts.origin.replace(/\/+$/, '');
    this.httpUrl = `${base}/api/v1/chat`;
    this.wsUrl = `${base.replace(/^http/i, 'ws')}/api/v1/ws`;
    const saved = this.deps.store.load();
    this.sessionId = saved.sessionId;
    this.outbox = saved.outbox;
    this.rated = saved.rated ?? 0;
    // Deliberately NOT resuming from saved.lastSeq: a fresh page has an empty message list, so we ask for the whole
    // conversation (lastSeq 0) and the server's replay redraws the history. lastSeq is persisted for other tabs
    // and for diagnostics; within a page, reconnects resume from the in-memory watermark.
  }

  get status(): ConnectionStatus {
    return this.state;
  }

  get lastSeq(): number {
    return this.seq.watermark;
  }

  /** Messages typed but not yet acknowledged by the server, oldest first. */
  get pending(): readonly OutboxItem[] {
    return this.outbox;
  }

  start(): void {
    if (this.state !== 'idle' || this.stopped) return;
    this.connect();
  }

  /** Queue a customer message; returns its clientMsgId. Delivery is retried until the server acknowledges it. */
  send(text: string): string {
    const item: OutboxItem = { clientMsgId: this.deps.newId(), text };
    this.outbox.push(item);
    this.persist();
    if (this.mode === 'http') void this.drainHttp();
    else if (this.isReady()) this.deliver(item);
    else if (this.state === 'idle') this.start();
    return item.clientMsgId;
  }

  /**
   * Rates the conversation (满意度) by POST /api/v1/chat/rating, in both modes: the socket's `rate` message has no
   * acknowledgement, and the card must say thank you only once the rating is stored. Rejects when it was not.
   */
  async rate(score: number, comment: string, seq?: number): Promise<void> {
    const res = await this.post('/rating', { bot: this.opts.bot, sessionId: this.sessionId, score, comment: comment || undefined });
    if (!res.ok) throw new Error(`http_${res.status}`);
    if (seq && seq > this.rated) this.rated = seq;
    this.persist();
  }

  /** Leaves a message instead of waiting in the queue (WebSocket only); false when the socket is not up. */
  leaveMessage(text: string, contact: string): boolean {
    if (!this.isReady()) return false;
    this.write({ type: 'leave-message', text, contact: contact || undefined });
    return true;
  }

  /** Skip the remaining backoff, e.g. when the browser reports it is back online. */
  reconnectNow(): void {
    if (this.stopped || this.mode !== 'ws' || !this.timers.has('reconnect')) return;
    this.clearTimer('reconnect');
    this.connect();
  }

  /** Test hook: kill the socket as a network failure would, without a clean close handshake being awaited. */
  dropSocket(): void {
    const s = this.socket;
    if (!s) return;
    this.welcomed = false;
    s.close(4000, 'debug drop');
    // Browsers fire onclose only after the closing handshake; act now so the test sees the offline state at once.
    this.onSocketGone(s);
  }

  stop(): void {
    this.stopped = true;
    for (const key of [...this.timers.keys()]) this.clearTimer(key);
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      s.close(1000, 'bye');
    }
  }

  // ---- WebSocket ----

  private connect(): void {
    this.welcomed = false;
    this.setStatus(this.everWelcomed ? 'reconnecting' : 'connecting');
    let s: SocketLike;
    try {
      s = this.deps.createSocket(this.wsUrl);
    } catch {
      // e.g. a Content-Security-Policy that forbids ws: — counts as a failed attempt
      this.failures += 1;
      this.failed();
      return;
    }
    this.socket = s;
    this.setTimer('connect', this.opts.connectTimeoutMs ?? 8000, () => {
      s.close(4001, 'connect timeout');
      this.onSocketGone(s);
    });
    s.onopen = () => {
      const hello: WsClientMessage = { type: 'hello', bot: this.opts.bot, lastSeq: this.seq.watermark };
      if (this.sessionId) hello.sessionId = this.sessionId;
      s.send(JSON.stringify(hello));
    };
    s.onmessage = (ev) => {
      if (s !== this.socket) return;
      this.armHeartbeat();
      this.onFrame(ev.data);
    };
    s.onerror = () => {
      // onclose always follows; nothing to do here
    };
    s.onclose = () => this.onSocketGone(s);
  }

  private onFrame(data: unknown): void {
    let f: WsServerMessage;
    try {
      f = JSON.parse(String(data)) as WsServerMessage;
    } catch {
      return;
    }
    if (!f || typeof f !== 'object') return;
    switch (f.type) {
      case 'welcome': {
        this.clearTimer('connect');
        const newSession = f.sessionId !== this.sessionId;
        if (newSession) {
          this.seq.reset();
          this.rated = 0;
        }
        this.sessionId = f.sessionId;
        this.welcomed = true;
        this.everWelcomed = true;
        this.failures = 0;
        this.attempt = 0;
        this.persist();
        this.setStatus('online');
        this.listener.welcome?.(f.bot, newSession);
        this.flushOutbox();
        break;
      }
      case 'message': {
        // Acknowledge even if the frame itself is a duplicate: the server has the message either way.
        if (f.clientMsgId) this.ack(f.clientMsgId);
        if (this.seq.accept(f.seq)) {
          this.persist();
          this.listener.customerMessage?.({ seq: f.seq, clientMsgId: f.clientMsgId, text: f.text, at: f.at });
        }
        break;
      }
      case 'reply':
        if (this.seq.accept(f.seq)) {
          this.persist();
          this.listener.reply?.({ seq: f.seq, reply: f.reply, at: f.at });
        }
        break;
      case 'typing':
        this.listener.typing?.(!!f.on);
        break;
      case 'queue':
      case 'status':
        this.listener.service?.(f);
        break;
      case 'error':
        this.listener.error?.(String(f.code), String(f.message));
        break;
      default:
        // pong and frame types from newer servers: the heartbeat was already re-armed
        break;
    }
  }

  private onSocketGone(s: SocketLike): void {
    if (s !== this.socket) return; // a stale socket's late close event
    s.onclose = s.onmessage = s.onerror = s.onopen = null;
    this.socket = null;
    const wasWelcomed = this.welcomed;
    this.welcomed = false;
    this.clearTimer('connect');
    this.clearTimer('ping');
    this.clearTimer('pong');
    this.listener.typing?.(false);
    if (this.stopped) return;
    if (!wasWelcomed) this.failures += 1;
    this.failed();
  }

  private failed(): void {
    const limit = this.opts.wsAttemptsBeforeHttp ?? 3;
    if (!this.everWelcomed && this.failures >= limit) {
      this.mode = 'http';
      this.attempt = 0;
      this.setStatus('http');
      void this.drainHttp();
      return;
    }
    this.setStatus(this.everWelcomed ? 'reconnecting' : 'connecting');
    const delay = backoffDelay(this.attempt++, this.deps.random, this.opts.backoff ?? DEFAULT_BACKOFF);
    this.setTimer('reconnect', delay, () => this.connect());
  }

  private armHeartbeat(): void {
    this.clearTimer('pong');
    this.setTimer('ping', this.opts.pingIntervalMs ?? 25_000, () => {
      const s = this.socket;
      if (!s || !this.isReady()) return;
      this.write({ type: 'ping' });
      this.setTimer('pong', this.opts.pongTimeoutMs ?? 10_000, () => {
        s.close(4002, 'no pong');
        this.onSocketGone(s);
      });
    });
  }

  private isReady(): boolean {
    return this.mode === 'ws' && this.welcomed && !!this.socket && this.socket.readyState === OPEN;
  }

  private write(m: WsClientMessage): void {
    try {
      this.socket?.send(JSON.stringify(m));
    } catch {
      // the socket died between the readyState check and send; the outbox still has the message
    }
  }

  /**
   * Re-sends everything unacknowledged. A message the server answered with an `error` frame (it refuses it, e.g. a
   * validation rule the widget does not know) is never echoed; without a limit it would be re-sent on every
   * reconnect, and after a reload, forever.
   */
  private flushOutbox(): void {
    const max = this.opts.maxTries ?? 5;
    for (const m of [...this.outbox]) {
      if ((m.tries ?? 0) >= max) {
        this.outbox = this.outbox.filter((x) => x !== m);
        this.persist();
        this.listener.undelivered?.(m.clientMsgId);
      } else {
        this.deliver(m);
      }
    }
  }

  private deliver(m: OutboxItem): void {
    m.tries = (m.tries ?? 0) + 1;
    this.persist();
    this.write({ type: 'message', clientMsgId: m.clientMsgId, text: m.text });
  }

  private ack(clientMsgId: string): void {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((m) => m.clientMsgId !== clientMsgId);
    if (this.outbox.length !== before) this.persist();
  }

  // ---- HTTP fallback ----

  /** Posts queued messages one at a time, in order; transient failures retry with the same backoff. */
  private async drainHttp(): Promise<void> {
    if (this.draining || this.stopped) return;
    this.draining = true;
    try {
      while (this.outbox.length && !this.stopped) {
        const item = this.outbox[0];
        let res: HttpResponseLike;
        try {
          res = await this.post('', { bot: this.opts.bot, text: item.text, sessionId: this.sessionId });
        } catch {
          this.retryHttpLater();
          return;
        }
        if (res.status >= 500 || res.status === 429) {
          this.retryHttpLater();
          return;
        }
        this.attempt = 0;
        this.outbox.shift();
        this.persist();
        if (!res.ok) {
          // 4xx: the message itself is unacceptable (too long, unknown bot); retrying cannot help.
          this.listener.error?.(`http_${res.status}`, 'message rejected');
          continue;
        }
        const data = (await res.json().catch(() => null)) as { sessionId?: unknown; replies?: unknown } | null;
        if (data && typeof data.sessionId === 'string') this.sessionId = data.sessionId;
        this.persist();
        this.listener.customerMessage?.({ clientMsgId: item.clientMsgId, text: item.text });
        const replies = data && Array.isArray(data.replies) ? (data.replies as Reply[]) : [];
        for (const reply of replies) this.listener.reply?.({ reply });
      }
    } finally {
      this.draining = false;
    }
  }

  /** POST of a JSON body to /api/v1/chat + path (undefined fields are left out by JSON.stringify). */
  private post(path: string, body: Record<string, unknown>): Promise<HttpResponseLike> {
    return this.deps.fetch(this.httpUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  private retryHttpLater(): void {
    const delay = backoffDelay(this.attempt++, this.deps.random, this.opts.backoff ?? DEFAULT_BACKOFF);
    this.setTimer('http', delay, () => void this.drainHttp());
  }

  // ---- plumbing ----

  private persist(): void {
    this.deps.store.save({ sessionId: this.sessionId, lastSeq: this.seq.watermark, outbox: this.outbox, rated: this.rated });
  }

  private setStatus(s: ConnectionStatus): void {
    if (s === this.state) return;
    this.state = s;
    this.listener.status?.(s);
  }

  private setTimer(key: string, ms: number, fn: () => void): void {
    this.clearTimer(key);
    this.timers.set(
      key,
      this.deps.setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, ms),
    );
  }

  private clearTimer(key: string): void {
    if (!this.timers.has(key)) return;
    this.deps.clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }
}
