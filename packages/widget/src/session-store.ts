/**
 * What survives a page reload, per server origin and bot: the session id, the last seq seen, and messages typed
 * but not yet acknowledged (so a reload while offline does not lose them).
 * localStorage can be missing or throw (Safari private mode, storage disabled by policy, quota): then the
 * conversation simply lives for the page's lifetime.
 */
/** `tries`: how many times it was written to a welcomed socket without being acknowledged. */
export type OutboxItem = { clientMsgId: string; text: string; tries?: number };
/** `rated`: seq of the last reply whose rating card the customer answered. */
export type SessionState = { sessionId?: string; lastSeq: number; outbox: OutboxItem[]; rated?: number };

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export type SessionStore = {
  load(): SessionState;
  save(state: SessionState): void;
  clear(): void;
};

export function sessionKey(origin: string, bot: string): string {
  return `lingxi:v1:${origin}:${bot}`;
}

export function createSessionStore(storage: KeyValueStorage | undefined, key: string): SessionStore {
  let memory: SessionState = { lastSeq: 0, outbox: [] };
  return {
    load() {
      try {
        const raw = storage?.getItem(key);
        if (raw) memory = parseState(JSON.parse(raw));
      } catch {
        // corrupt or unreadable: start fresh rather than break the widget
      }
      return { ...memory, outbox: [...memory.outbox] };
    },
    save(state) {
      memory = { ...state, outbox: [...state.outbox] };
      try {
        storage?.setItem(key, JSON.stringify(memory));
      } catch {
        // quota or disabled storage: keep the in-memory copy
      }
    },
    clear() {
      memory = { lastSeq: 0, outbox: [] };
      try {
        storage?.removeItem(key);
      } catch {
        /* see save() */
      }
    },
  };
}

/** The stored value is input like any other (another script on the page may have written it): validate it. */
function parseState(v: unknown): SessionState {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const sessionId = typeof o.sessionId === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(o.sessionId) ? o.sessionId : undefined;
  const lastSeq = typeof o.lastSeq === 'number' && Number.isInteger(o.lastSeq) && o.lastSeq >= 0 ? o.lastSeq : 0;
  const outbox = Array.isArray(o.outbox)
    ? o.outbox
        .filter(
          (m): m is OutboxItem =>
            !!m && typeof m.clientMsgId === 'string' && m.clientMsgId.length <= 64 && typeof m.text === 'string',
        )
        .slice(0, 50)
        .map((m) => ({ clientMsgId: m.clientMsgId, text: m.text, tries: typeof m.tries === 'number' ? m.tries : 0 }))
    : [];
  const rated = Number.isInteger(o.rated) && (o.rated as number) > 0 ? (o.rated as number) : undefined;
  return { sessionId, lastSeq, outbox, rated };
}
