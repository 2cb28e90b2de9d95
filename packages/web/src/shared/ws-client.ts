import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

/**
 * A WebSocket that stays connected: reconnects with backoff after any drop, sends a heartbeat and treats a silent
 * connection as dead, and calls `onOpen` on every (re)connect so that the app can authenticate and RE-READ its
 * state over REST — the server is the truth, and whatever happened while the socket was down is fetched, not
 * replayed (contracts/service.ts). Framework-free so that it is unit-tested in node with a fake socket.
 */
export type SocketStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The part of the browser's WebSocket this client uses (a fake in tests). */
export type WsLike = {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
};

export type ReconnectingSocketOptions<In, Out> = {
  url: () => string;
  /** Called on every open: send `auth` here, then re-read state. `reconnect` is false the first time. */
  onOpen(send: (m: Out) => void, info: { reconnect: boolean }): void;
  onMessage(m: In): void;
  onStatus?(s: SocketStatus): void;
  /** The heartbeat message (null: none this time). */
  heartbeat?: () => Out | null;
  heartbeatMs?: number;
  /** A connection that received nothing for this long is closed and reopened (a half-open TCP connection). */
  silenceMs?: number;
  backoff?: BackoffOptions;
  createSocket?: (url: string) => WsLike;
  random?: () => number;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout; setInterval: typeof setInterval; clearInterval: typeof clearInterval; now: () => number };
};

const OPEN = 1;

export class ReconnectingSocket<In, Out> {
  private ws: WsLike | null = null;
  private attempt = 0;
  private opened = false;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private beatTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private statusNow: SocketStatus = 'closed';
  private readonly t: NonNullable<ReconnectingSocketOptions<In, Out>['timers']>;

  constructor(private readonly o: ReconnectingSocketOptions<In, Out>) {
    this.t = o.timers ?? {
      setTimeout: globalThis.setTimeout.bind(globalThis),
      clearTimeout: globalThis.clearTimeout.bind(globalThis),
      setInterval: globalThis.setInterval.bind(globalThis),
      clearInterval: globalThis.clearInterval.bind(globalThis),
      now: () => Date.now(),
    };
  }

  get status(): SocketStatus {
    return this.statusNow;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes for good (sign-out, page leaves); no reconnect. */
  stop(): void {
    this.stopped = true;
    this.t.clearTimeout(this.retryTimer);
    this.t.clearInterval(this.beatTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      try {
        ws.close(1000, 'bye');
      } catch {
        // already closed
      }
    }
    this.setStatus('closed');
  }

  /** Sends when connected; false when not (the caller re-reads after the reconnect anyway). */
  send(m: Out): boolean {
    if (!this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }

  /** Drops the current connection and reconnects now (e.g. the browser came back online). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.t.clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.drop();
  }

  private connect(): void {
    if (this.stopped) return;
    this.setStatus(this.opened ? 'reconnecting' : 'connecting');
    let ws: WsLike;
    try {
      ws = (this.o.createSocket ?? ((u) => new WebSocket(u) as unknown as WsLike))(this.o.url());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      const reconnect = this.opened;
      this.opened = true;
      this.lastHeard = this.t.now();
      this.setStatus('open');
      this.startHeartbeat();
      this.o.onOpen((m) => this.send(m), { reconnect });
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastHeard = this.t.now();
      // A connection that delivers messages is healthy: the next drop starts the backoff from the beginning.
      this.attempt = 0;
      let msg: In;
      try {
        msg = JSON.parse(String(ev.data)) as In;
      } catch {
        return;
      }
      this.o.onMessage(msg);
    };
    ws.onerror = () => {
      // onclose follows and decides
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.t.clearInterval(this.beatTimer);
      this.scheduleRetry();
    };
  }

  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    this.t.clearInterval(this.beatTimer);
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      try {
        ws.close(4000, 'reconnect');
      } catch {
        // ignore
      }
    }
    this.connect();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.setStatus(this.opened ? 'reconnecting' : 'connecting');
    const delay = backoffDelay(this.attempt++, this.o.random ?? Math.random, this.o.backoff ?? DEFAULT_BACKOFF);
    this.t.clearTimeout(this.retryTimer);
    this.retryTimer = this.t.setTimeout(() => this.connect(), delay);
  }

  private startHeartbeat(): void {
    this.t.clearInterval(this.beatTimer);
    const every = this.o.heartbeatMs ?? 20_000;
    const silence = this.o.silenceMs ?? every * 2.5;
    this.beatTimer = this.t.setInterval(() => {
      if (this.t.now() - this.lastHeard > silence) {
        this.drop();
        return;
      }
      const m = this.o.heartbeat?.();
      if (m) this.send(m);
    }, every);
  }

  private setStatus(s: SocketStatus): void {
    if (s === this.statusNow) return;
    this.statusNow = s;
    this.o.onStatus?.(s);
  }
}

/** ws:// or wss:// URL of a path on the page's own origin. */
export function wsUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${path}`;
}
