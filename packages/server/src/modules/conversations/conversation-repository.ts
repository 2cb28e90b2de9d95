export type ConversationStatus = 'bot' | 'handoff' | 'agent' | 'closed';

export type Conversation = {
  id: string;
  tenantId: string;
  botId: string;
  channel: string;
  status: ConversationStatus;
  /** Derived state (robot's failure count, pending clarification…); re-creatable by replaying events. */
  state: Record<string, unknown>;
  lastSeq: number;
  /** The customer across channels (modules/contacts), when known. */
  contactId?: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export type NewEvent = { type: string; payload: Record<string, unknown>; clientMsgId?: string };
export type StoredEvent = NewEvent & { conversationId: string; seq: number; createdAt: Date };

export type ConversationRepository = {
  /** Creates a conversation, optionally with its first event (seq 1) in the same statement. */
  create(c: Pick<Conversation, 'id' | 'tenantId' | 'botId' | 'channel'>, first?: NewEvent): Promise<Conversation>;
  find(tenantId: string, id: string): Promise<Conversation | null>;
  /** Public chat knows only the session id; the caller checks the bot. */
  findById(id: string): Promise<Conversation | null>;
  /**
   * Appends events and sets the new state atomically, only if nobody appended since expectedSeq (optimistic
   * concurrency: two turns of one session on two nodes never interleave). Returns the stored events, or null on a race.
   */
  append(tenantId: string, id: string, expectedSeq: number, events: NewEvent[], next: { state: Record<string, unknown>; status: ConversationStatus }): Promise<StoredEvent[] | null>;
  /**
   * Appends events after whatever the log holds now (no sequence check), optionally setting the status, only while
   * the status is one of `onlyIf`. For events that do not depend on the robot's state (an agent's message, a service
   * notice): they take their place in the order of the log, and a concurrent customer turn recomputes. Null when the
   * conversation is missing or its status is not in `onlyIf`.
   */
  appendUnchecked(tenantId: string, id: string, events: NewEvent[], opts?: { status?: ConversationStatus; onlyIf?: ConversationStatus[] }): Promise<{ conversation: Conversation; stored: StoredEvent[] } | null>;
  events(tenantId: string, id: string, opts?: { afterSeq?: number; types?: string[]; limit?: number }): Promise<StoredEvent[]>;
  findSeqByClientMsgId(id: string, clientMsgId: string): Promise<number | null>;
  list(tenantId: string, opts: { botId?: string; status?: ConversationStatus; limit?: number; before?: Date }): Promise<Conversation[]>;
};
