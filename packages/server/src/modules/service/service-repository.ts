import type { QuickReply, SkillGroup } from '@lingxi/contracts';
import type { Conversation, ConversationStatus, NewEvent, StoredEvent } from '../conversations/conversation-repository.ts';

export type AgentProfile = { tenantId: string; userId: string; displayName: string; maxConcurrent: number; groups: string[] };

/** A waiting conversation (one service_queue row). */
export type QueueRow = {
  conversationId: string;
  tenantId: string;
  groupId: string;
  priority: number;
  reason: string | null;
  note: string | null;
  rankAt: Date;
  waitingSince: Date;
  enqueuedAt: Date;
  customerSeenAt: Date;
  preferredAgent: string | null;
  lang: string | null;
  /** The conversation's channel (read with the row). */
  channel?: string;
};
export type NewQueueRow = Pick<QueueRow, 'tenantId' | 'conversationId' | 'groupId' | 'priority' | 'reason' | 'note' | 'preferredAgent' | 'lang'> & { waitingSince?: Date };

export type Assignment = {
  id: string;
  conversationId: string;
  tenantId: string;
  agentId: string;
  groupId: string | null;
  role: 'primary' | 'joined';
  via: string;
  priority: number;
  waitingSince: Date | null;
  assignedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  lastReadSeq: number;
};

/** The events to append with a change, in the same transaction; the change is undone when the status guard fails. */
export type Append = { events: NewEvent[]; status?: ConversationStatus; onlyIf?: ConversationStatus[] };
export type Appended = { conversation: Conversation; stored: StoredEvent[] };

export type AssignSource =
  /** Take it from the queue (routing, an agent's pick, a supervisor's force-assign): fails when no longer queued. */
  | { kind: 'queue' }
  /** Take it from this primary agent (a transfer): fails when someone else holds it meanwhile. */
  | { kind: 'agent'; agentId: string }
  /** From whoever holds it, or from the queue (a supervisor taking over). */
  | { kind: 'any' };

export type AssignResult =
  | { ok: true; appended: Appended; assignment: Assignment; previousAgent: string | null; note: string | null }
  | { ok: false; reason: 'taken' | 'full' | 'not_agent' | 'closed' };

/** A line of an agent's list, before masking and shaping (service-desk.ts turns it into an AgentConversation). */
export type ConversationLine = {
  id: string; botId: string; channel: string; status: ConversationStatus; contactId: string | null; contactName: string | null;
  groupId: string | null; queuedAt: Date | null; assignedAt: Date | null; unread: number;
  last: { type: string; payload: Record<string, unknown>; at: Date } | null; createdAt: Date; updatedAt: Date;
};

export type ServiceRepository = {
  listGroups(tenantId: string): Promise<SkillGroup[]>;
  /** Creates or replaces a group; making it the default unsets the previous default. */
  putGroup(tenantId: string, g: SkillGroup): Promise<void>;
  deleteGroup(tenantId: string, id: string): Promise<boolean>;
  tenantsWithGroups(): Promise<string[]>;

  listAgents(tenantId: string): Promise<AgentProfile[]>;
  getAgent(tenantId: string, userId: string): Promise<AgentProfile | null>;
  putAgent(p: AgentProfile): Promise<void>;
  deleteAgent(tenantId: string, userId: string): Promise<boolean>;
  /** Active primary conversations per agent, and when each was last given one. */
  loads(tenantId: string, agentIds?: string[]): Promise<Map<string, { load: number; lastAssignedAt: number }>>;

  /** Queues a conversation (not when already queued or served) and appends the events in one transaction. */
  enqueue(row: NewQueueRow, append: (row: QueueRow) => Append): Promise<{ row: QueueRow; appended: Appended } | null>;
  /** Removes a conversation from the queue with events (customer left, left a message); null when it was not queued. */
  dequeue(tenantId: string, conversationId: string, append: (row: QueueRow) => Append): Promise<{ row: QueueRow; appended: Appended } | null>;
  queueRow(tenantId: string, conversationId: string): Promise<QueueRow | null>;
  /** A group's queue in serving order. */
  queued(tenantId: string, groupId: string, limit: number): Promise<QueueRow[]>;
  /** Every (tenant, group) with someone waiting. */
  queuedGroups(): Promise<{ tenantId: string; groupId: string }[]>;
  queueCounts(tenantId: string): Promise<Map<string, { waiting: number; oldest: Date | null }>>;
  touchCustomers(conversationIds: string[]): Promise<void>;
  /** Queued rows of some channels whose customer was last seen before `before` (the abandonment candidates). */
  queuedSeenBefore(channels: string[], before: Date, limit: number): Promise<(QueueRow & { channel: string })[]>;
  queuedOfChannels(channels: string[], limit: number): Promise<(QueueRow & { channel: string })[]>;

  /**
   * Gives a conversation to an agent: the capacity check (under the agent row's lock), the compare-and-set on the
   * source (queue row deleted, or the previous assignment ended), the new assignment and the events — one transaction.
   */
  assign(a: { tenantId: string; conversationId: string; agentId: string; via: string; source: AssignSource; checkCapacity: boolean; groupId?: string },
    append: (info: { groupId: string | null; note: string | null; previousAgent: string | null }) => Append): Promise<AssignResult>;
  /** Adds an agent beside the primary one (a supervisor joining). */
  join(tenantId: string, conversationId: string, agentId: string, append: Append): Promise<{ assignment: Assignment; appended: Appended } | null>;
  /**
   * Ends active assignments of a conversation (all, or those of some agents / one role) and optionally queues it
   * again (keeping priority and waiting time), with events — one transaction. Null when nothing matched or the
   * status guard failed.
   */
  endAssignments(e: { tenantId: string; conversationId: string; agentIds?: string[]; role?: 'primary' | 'joined'; reason: string; requeue?: { groupId?: string; reason: string; note: string | null; lang: string | null }; alsoDequeue?: boolean },
    append: (ended: Assignment[]) => Append): Promise<{ ended: Assignment[]; appended: Appended } | null>;
  active(tenantId: string, conversationId: string): Promise<Assignment[]>;
  /** Whether the agent ever served the conversation (wrap-up after close). */
  servedBy(tenantId: string, conversationId: string, agentId: string): Promise<boolean>;
  markRead(tenantId: string, conversationId: string, agentId: string, seq: number): Promise<boolean>;
  /** The agent who last served this customer (this conversation, or another of the same contact). */
  lastAgentOf(tenantId: string, conversationId: string, contactId: string | null): Promise<string | null>;
  /** (tenant, agent) pairs with active primary conversations. */
  agentsWithChats(): Promise<{ tenantId: string; agentId: string; conversations: string[] }[]>;
  /** Mean handling time of the group's last 50 finished chats (seconds), or null. */
  avgHandleSeconds(tenantId: string, groupId: string): Promise<number | null>;
  /** Conversations waiting for a person with neither a queue row nor an active primary agent (a node died mid-way). */
  orphans(olderThan: Date, limit: number): Promise<{ tenantId: string; conversationId: string; status: ConversationStatus }[]>;

  agentLines(tenantId: string, agentId: string, scope: 'active' | 'recent'): Promise<ConversationLine[]>;
  queueLines(tenantId: string, groups: string[] | null, limit: number): Promise<ConversationLine[]>;
  line(tenantId: string, conversationId: string, agentId: string | null): Promise<ConversationLine | null>;
  /** The contact's conversations on any channel, newest first. */
  contactHistory(tenantId: string, contactId: string, limit: number): Promise<ConversationLine[]>;

  contactFlags(tenantId: string, contactId: string): Promise<{ vip: boolean; elderly: boolean }>;
  setContactFlags(tenantId: string, contactId: string, flags: { vip: boolean; elderly: boolean }): Promise<void>;

  quickReplies(tenantId: string, userId: string): Promise<QuickReply[]>;
  quickReply(tenantId: string, id: string): Promise<(QuickReply & { ownerId: string | null }) | null>;
  putQuickReply(r: { id: string; tenantId: string; ownerId: string | null; title: string; text: string; sort: number }): Promise<void>;
  deleteQuickReply(tenantId: string, id: string): Promise<boolean>;
};
