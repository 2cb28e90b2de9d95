import type { AgentClientMessage, AgentConversation, AgentServerMessage, AssistSuggestion, Presence, QueueStats } from '@lingxi/contracts';
import { ApiError, clientId } from '../../shared/api.ts';
import { ReconnectingSocket, type SocketStatus, type WsLike } from '../../shared/ws-client.ts';
import { fromServer, lastSeq, mergeItems, type TranscriptItem } from './transcript.ts';
import { workbenchApi } from './workbench-api.ts';

/**
 * The agent's live state, kept outside React so that it survives page changes (an agent reading a work order
 * stays online and still hears a new chat): one socket per tab, REST reads on every (re)connect, and the live
 * frames in between. Screens subscribe with useSyncExternalStore (use-workbench.ts).
 */
export type AgentProfile = { userId: string; displayName: string; presence: Presence; maxConcurrent: number; groups: string[] };

export type WorkbenchState = {
  socket: SocketStatus;
  me: AgentProfile | null;
  presence: Presence;
  /** My conversations, newest activity first. A closed one stays while it is open on screen (read only). */
  conversations: AgentConversation[];
  /** Conversations waiting in my groups' queues, longest waiting first. */
  queue: AgentConversation[];
  queues: QueueStats[];
  selectedId: string | null;
  transcripts: Record<string, TranscriptItem[]>;
  loading: Record<string, boolean>;
  assist: Record<string, AssistSuggestion | undefined>;
  typing: Record<string, boolean>;
  /** Work-order notifications that arrived live since the bell was last opened. */
  liveNotifications: number;
  /** REST endpoints the server answered 404 to (not deployed yet): the UI says so instead of failing. */
  missing: Record<string, boolean>;
};

export type Toast =
  | { kind: 'assigned'; conversation: AgentConversation; note?: string }
  | { kind: 'unassigned'; conversationId: string; reason: string }
  | { kind: 'notification'; id: string; title: string }
  | { kind: 'error'; message: string }
  | { kind: 'taken' };

type Effects = {
  beep(): void;
  /** Whether the page is visible (a hidden tab gets sound for every customer message). */
  visible(): boolean;
  createSocket?: (url: string) => WsLike;
};

const initial: WorkbenchState = {
  socket: 'closed',
  me: null,
  presence: 'offline',
  conversations: [],
  queue: [],
  queues: [],
  selectedId: null,
  transcripts: {},
  loading: {},
  assist: {},
  typing: {},
  liveNotifications: 0,
  missing: {},
};

/** setTimeout that does not keep a node process (the unit tests) alive; the browser ignores the difference. */
function later(fn: () => void, ms: number): void {
  const t = setTimeout(fn, ms) as unknown as { unref?: () => void };
  t.unref?.();
}

const byLastAtDesc = (a: AgentConversation, b: AgentConversation) => Date.parse(b.lastAt) - Date.parse(a.lastAt);
const byQueuedAsc = (a: AgentConversation, b: AgentConversation) => Date.parse(a.queuedAt ?? a.lastAt) - Date.parse(b.queuedAt ?? b.lastAt);

export class AgentStore {
  private state: WorkbenchState = initial;
  private readonly listeners = new Set<() => void>();
  private readonly toastListeners = new Set<(t: Toast) => void>();
  private socket: ReconnectingSocket<AgentServerMessage, AgentClientMessage> | null = null;
  private lastActivity = Date.now();
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private queueIds = new Set<string>();
  private queueLoaded = false;

  constructor(
    private readonly url: () => string,
    private readonly fx: Effects,
  ) {}

  // ------------------------------------------------------------------ subscription

  getState = (): WorkbenchState => this.state;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  onToast(l: (t: Toast) => void): () => void {
    this.toastListeners.add(l);
    return () => this.toastListeners.delete(l);
  }

  private set(patch: Partial<WorkbenchState> | ((s: WorkbenchState) => Partial<WorkbenchState>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const l of this.listeners) l();
  }

  private toast(t: Toast): void {
    for (const l of this.toastListeners) l(t);
  }

  // ------------------------------------------------------------------ lifecycle

  start(token: string): void {
    if (this.socket) return;
    this.socket = new ReconnectingSocket<AgentServerMessage, AgentClientMessage>({
      url: this.url,
      createSocket: this.fx.createSocket,
      onOpen: (send) => {
        // The token goes in the first frame, not the URL (URLs end up in proxy logs).
        send({ type: 'auth', token });
        void this.refresh();
      },
      onMessage: (m) => this.onMessage(m),
      onStatus: (s) => this.set({ socket: s }),
      heartbeat: () => ({ type: 'ping', active: Date.now() - this.lastActivity < 60_000 }),
      // The server drops a socket silent for its presence TTL (30 s by default) and asks for a ping every third of it.
      heartbeatMs: 8_000,
    });
    this.socket.start();
    // The socket pushes changes; this slow poll only repairs what a lost frame would leave stale.
    this.pollTimer = setInterval(() => void this.refreshQueue(), 15_000);
  }

  stop(): void {
    this.socket?.stop();
    this.socket = null;
    clearInterval(this.pollTimer);
    this.queueIds.clear();
    this.queueLoaded = false;
    this.state = initial;
    for (const l of this.listeners) l();
  }

  reconnectNow(): void {
    this.socket?.reconnectNow();
  }

  private shown = false;
  /** Whether the workbench screen is on (elsewhere, new messages of the open conversation count as unread). */
  setShown(on: boolean): void {
    this.shown = on;
    const id = this.state.selectedId;
    if (on && id) {
      this.set((s) => ({ conversations: s.conversations.map((c) => (c.id === id ? { ...c, unread: 0 } : c)) }));
      this.markRead(id);
    }
  }

  /** The user did something (keys, mouse): keeps presence from turning `away` on the server. */
  markActivity(): void {
    this.lastActivity = Date.now();
  }

  // ------------------------------------------------------------------ reads

  /** Re-reads everything the screens show (after every (re)connect: the server is the truth). */
  async refresh(): Promise<void> {
    await Promise.all([this.refreshConversations(), this.refreshQueue()]);
    const sel = this.state.selectedId;
    if (sel) await Promise.all([this.loadTranscript(sel), this.loadAssist(sel)]);
  }

  private async guard<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const r = await fn();
      if (this.state.missing[name]) this.set((s) => ({ missing: { ...s.missing, [name]: false } }));
      return r;
    } catch (e) {
      const err = e as ApiError;
      if (err.status === 404 && err.code === 'not_found' && /no route/.test(err.message)) {
        this.set((s) => ({ missing: { ...s.missing, [name]: true } }));
        return undefined;
      }
      throw e;
    }
  }

  async refreshConversations(): Promise<void> {
    try {
      const items = await this.guard('conversations', () => workbenchApi.myConversations());
      if (!items) return;
      this.set((s) => {
        const sel = s.selectedId;
        const keep = sel && !items.some((c) => c.id === sel) ? s.conversations.filter((c) => c.id === sel).map((c) => ({ ...c, status: 'closed' as const })) : [];
        return { conversations: [...items.map((c) => (c.id === sel ? { ...c, unread: 0 } : c)), ...keep].sort(byLastAtDesc) };
      });
    } catch {
      // shown stale; the next reconnect or poll repairs it
    }
  }

  async refreshQueue(): Promise<void> {
    try {
      const items = await this.guard('queue', () => workbenchApi.queue());
      if (!items) return;
      const fresh = items.filter((c) => !this.queueIds.has(c.id));
      const first = !this.queueLoaded;
      this.queueLoaded = true;
      this.queueIds = new Set(items.map((c) => c.id));
      this.set({ queue: [...items].sort(byQueuedAsc) });
      // Someone new is waiting for a person: ring (not for what was already waiting when the page opened).
      if (fresh.length && !first && this.state.presence !== 'offline') this.fx.beep();
    } catch {
      // next poll
    }
  }

  /** Reads the whole transcript (it is short) and merges it; local echoes not yet confirmed stay. */
  async loadTranscript(id: string): Promise<void> {
    if (!this.state.transcripts[id]) this.set((s) => ({ loading: { ...s.loading, [id]: true } }));
    try {
      const r = await this.guard('transcript', () => workbenchApi.transcript(id));
      if (!r) return;
      const items = r.items.map(fromServer);
      this.set((s) => ({
        transcripts: { ...s.transcripts, [id]: mergeItems((s.transcripts[id] ?? []).filter((i) => i.seq === null), items) },
        // The list entry follows the server (status after a close elsewhere, the customer's name).
        conversations: s.conversations.map((c) => (c.id === id ? { ...c, status: r.conversation.status, customer: r.conversation.customer } : c)),
      }));
    } catch (e) {
      this.toast({ kind: 'error', message: (e as Error).message });
    } finally {
      this.set((s) => ({ loading: { ...s.loading, [id]: false } }));
    }
  }

  private markRead(id: string): void {
    const seq = lastSeq(this.state.transcripts[id] ?? []);
    if (seq) workbenchApi.markRead(id, seq).catch(() => undefined);
  }

  async loadAssist(id: string): Promise<void> {
    try {
      const a = await this.guard('assist', () => workbenchApi.assist(id));
      if (a) this.set((s) => ({ assist: { ...s.assist, [id]: a } }));
    } catch {
      // assist is help, not a must: the live frame may still bring it
    }
  }

  // ------------------------------------------------------------------ actions

  select(id: string | null): void {
    const prev = this.state.selectedId;
    this.set((s) => ({
      selectedId: id,
      // A closed conversation leaves the list once the agent moves on from it.
      conversations: s.conversations.filter((c) => c.status !== 'closed' || c.id === id).map((c) => (c.id === id ? { ...c, unread: 0 } : c)),
    }));
    if (!id || id === prev) return;
    void this.loadTranscript(id).then(() => this.markRead(id));
    void this.loadAssist(id);
  }

  setPresence(p: Presence): void {
    this.set({ presence: p });
    if (!this.socket?.send({ type: 'presence', presence: p })) {
      workbenchApi.setPresence(p).catch((e: Error) => this.toast({ kind: 'error', message: e.message }));
    }
  }

  /** Conversations this tab is accepting: their `assigned` frame is no news (no ring, no toast). */
  private readonly accepting = new Set<string>();

  async accept(id: string): Promise<boolean> {
    this.accepting.add(id);
    try {
      const r = await workbenchApi.accept(id);
      const c = r ?? this.state.queue.find((q) => q.id === id);
      this.queueIds.delete(id);
      this.set((s) => ({
        queue: s.queue.filter((q) => q.id !== id),
        conversations: c ? [{ ...c, status: 'agent' as const, unread: 0 }, ...s.conversations.filter((x) => x.id !== id)] : s.conversations,
      }));
      this.select(id);
      void this.refreshConversations();
      return true;
    } catch (e) {
      const err = e as ApiError;
      if (err.status === 409) this.toast({ kind: 'taken' });
      else this.toast({ kind: 'error', message: err.message });
      void this.refreshQueue();
      return false;
    } finally {
      later(() => this.accepting.delete(id), 5000);
    }
  }

  async send(id: string, text: string): Promise<void> {
    const cm = clientId('am');
    const now = new Date().toISOString();
    const echo: TranscriptItem = { seq: null, kind: 'agent', text, at: now, clientMsgId: cm, pending: true, agentName: this.state.me?.displayName, afterSeq: lastSeq(this.state.transcripts[id] ?? []) };
    this.set((s) => ({ transcripts: { ...s.transcripts, [id]: mergeItems(s.transcripts[id] ?? [], [echo]) } }));
    this.socket?.send({ type: 'typing', conversationId: id, on: false });
    try {
      await workbenchApi.send(id, text, cm);
      // The event frame normally replaces the echo; a read repairs it when the frame was lost.
      later(() => {
        if (this.state.transcripts[id]?.some((i) => i.clientMsgId === cm && i.seq === null)) void this.loadTranscript(id);
      }, 3000);
      this.set((s) => ({ conversations: s.conversations.map((c) => (c.id === id ? { ...c, lastText: text, lastAt: now } : c)).sort(byLastAtDesc) }));
    } catch (e) {
      this.set((s) => ({ transcripts: { ...s.transcripts, [id]: (s.transcripts[id] ?? []).map((i) => (i.clientMsgId === cm && i.seq === null ? { ...i, pending: false, failed: true } : i)) } }));
      throw e;
    }
  }

  typing(id: string, on: boolean): void {
    this.socket?.send({ type: 'typing', conversationId: id, on });
  }

  async transfer(id: string, target: { toAgentId?: string; toGroup?: string; note: string }): Promise<void> {
    await workbenchApi.transfer(id, target);
    this.removeConversation(id);
  }

  async wrapup(id: string, body: { category: string; summary: string }): Promise<void> {
    await workbenchApi.wrapup(id, body);
    void this.loadTranscript(id);
  }

  async close(id: string): Promise<void> {
    await workbenchApi.close(id);
    this.set((s) => ({ conversations: s.conversations.map((c) => (c.id === id ? { ...c, status: 'closed' as const, unread: 0 } : c)) }));
    void this.loadTranscript(id);
  }

  clearLiveNotifications(): void {
    this.set({ liveNotifications: 0 });
  }

  /** Inserts text into the reply box of a conversation (assist, knowledge, quick replies): the box listens. */
  private readonly inserts = new Set<(id: string, text: string) => void>();
  onInsert(l: (id: string, text: string) => void): () => void {
    this.inserts.add(l);
    return () => this.inserts.delete(l);
  }
  insert(id: string, text: string): void {
    for (const l of this.inserts) l(id, text);
  }

  private removeConversation(id: string): void {
    this.set((s) => ({
      conversations: s.conversations.filter((c) => c.id !== id),
      selectedId: s.selectedId === id ? null : s.selectedId,
    }));
  }

  // ------------------------------------------------------------------ live frames

  private onMessage(m: AgentServerMessage): void {
    switch (m.type) {
      case 'welcome':
        this.set({ me: m.agent, presence: m.agent.presence });
        return;
      case 'presence':
        this.set({ presence: m.presence });
        return;
      case 'assigned': {
        const c = m.conversation;
        this.queueIds.delete(c.id);
        const known = this.state.conversations.some((x) => x.id === c.id);
        this.set((s) => ({
          conversations: [c, ...s.conversations.filter((x) => x.id !== c.id)].sort(byLastAtDesc),
          queue: s.queue.filter((q) => q.id !== c.id),
        }));
        if (!known && !this.accepting.has(c.id)) {
          this.fx.beep();
          this.toast({ kind: 'assigned', conversation: c, note: m.note });
          if (!this.state.selectedId) this.select(c.id);
        }
        return;
      }
      case 'unassigned': {
        const { conversationId: id, reason } = m;
        if (this.state.selectedId === id) {
          this.set((s) => ({ conversations: s.conversations.map((c) => (c.id === id ? { ...c, status: 'closed' as const } : c)) }));
          void this.loadTranscript(id);
        } else {
          this.removeConversation(id);
        }
        if (reason !== 'closed') this.toast({ kind: 'unassigned', conversationId: id, reason });
        return;
      }
      case 'event':
        this.onEvent(m);
        return;
      case 'typing':
        this.set((s) => ({ typing: { ...s.typing, [m.conversationId]: m.on } }));
        return;
      case 'assist':
        this.set((s) => ({ assist: { ...s.assist, [m.suggestion.conversationId]: m.suggestion } }));
        return;
      case 'queues': {
        const before = new Map(this.state.queues.map((q) => [q.group, q.waiting]));
        this.set({ queues: m.groups });
        if (m.groups.some((g) => g.waiting !== (before.get(g.group) ?? 0))) void this.refreshQueue();
        return;
      }
      case 'notification':
        this.set((s) => ({ liveNotifications: s.liveNotifications + 1 }));
        this.toast({ kind: 'notification', id: m.id, title: m.title });
        return;
      case 'error':
        // A session that ended, or a role that may not serve customers: reconnecting would not help.
        if (m.code === 'unauthorized' || (m.code === 'forbidden' && !this.state.me)) this.stop();
        else this.toast({ kind: 'error', message: m.message });
        return;
      default:
        return;
    }
  }

  private onEvent(m: Extract<AgentServerMessage, { type: 'event' }>): void {
    const id = m.conversationId;
    const item: TranscriptItem = { seq: m.seq, kind: m.kind, text: m.text, at: m.at, reply: m.reply, agentName: m.reply?.agentName };
    const have = this.state.transcripts[id];
    if (have) {
      const gap = m.seq > lastSeq(have) + 1;
      this.set((s) => ({ transcripts: { ...s.transcripts, [id]: mergeItems(s.transcripts[id] ?? [], [item]) } }));
      // A frame was missed (another node, a blip), or a notice whose event type the screen wants: read it all.
      if (gap || m.kind === 'system') void this.loadTranscript(id);
    }
    if (m.kind === 'customer') {
      this.set((s) => ({ typing: { ...s.typing, [id]: false } }));
      const selected = this.state.selectedId === id && this.shown;
      const known = this.state.conversations.some((c) => c.id === id);
      this.set((s) => ({
        conversations: s.conversations
          .map((c) => (c.id === id ? { ...c, lastText: m.text, lastAt: m.at, unread: selected && this.fx.visible() ? 0 : c.unread + 1 } : c))
          .sort(byLastAtDesc),
      }));
      if (!known) void this.refreshConversations();
      if (selected && this.fx.visible()) workbenchApi.markRead(id, m.seq).catch(() => undefined);
      if (!this.fx.visible()) this.fx.beep();
      // Assist normally arrives as a frame right after the message; read it if it does not.
      later(() => {
        if ((this.state.assist[id]?.forSeq ?? 0) < m.seq && this.state.selectedId === id) void this.loadAssist(id);
      }, 2500);
    }
  }
}
