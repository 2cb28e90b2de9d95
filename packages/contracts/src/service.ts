import { z } from 'zod';
import { Reply } from './chat.ts';

/**
 * Human service (issue 5): the agent workbench's real-time protocol and the shapes its REST API shares.
 * WebSocket at GET /api/v1/agent/ws, authenticated by the console session token in the first message
 * `auth` (never in the URL); one socket per agent browser tab. The server is the truth: after a reconnect the client re-reads its
 * conversations over REST (GET /api/v1/agent/conversations) and the socket resumes live updates.
 */

export const Presence = z.enum(['online', 'busy', 'away', 'offline']);
export type Presence = z.infer<typeof Presence>;

export const AgentClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(200) }),
  z.object({ type: z.literal('presence'), presence: Presence }),
  /** Typing indicator to the customer. */
  z.object({ type: z.literal('typing'), conversationId: z.string(), on: z.boolean() }),
  /** Keeps the agent online (presence expires without it; idle time turns an agent `away`). */
  z.object({ type: z.literal('ping'), active: z.boolean().optional() }),
]);
export type AgentClientMessage = z.infer<typeof AgentClientMessage>;

/** One conversation on an agent's list. */
export const AgentConversation = z.object({
  id: z.string(),
  botId: z.string(),
  channel: z.string(),
  status: z.enum(['handoff', 'agent', 'closed']),
  group: z.string().nullable(),
  customer: z.object({ contactId: z.string().nullable(), displayName: z.string() }),
  /** The last message's text (masked), for the list. */
  lastText: z.string().nullable(),
  lastAt: z.string(),
  unread: z.number().int().min(0),
  queuedAt: z.string().nullable(),
  assignedAt: z.string().nullable(),
});
export type AgentConversation = z.infer<typeof AgentConversation>;

/** What the assist listener proposes for the customer's last message (坐席辅助). */
export const AssistSuggestion = z.object({
  conversationId: z.string(),
  /** The event seq of the customer message it is for. */
  forSeq: z.number().int(),
  answers: z.array(z.object({ entryId: z.string(), question: z.string(), answer: z.string(), score: z.number() })),
  intent: z.object({ id: z.string(), label: z.string(), score: z.number() }).nullable(),
  sentiment: z.enum(['negative', 'neutral', 'positive']),
  /** Angry or urgent customer: the workbench highlights the conversation. */
  angry: z.boolean(),
  /** Kinds of personal data in the message (card, phone, id, email) — the text the agent sees is masked. */
  pii: z.array(z.string()),
});
export type AssistSuggestion = z.infer<typeof AssistSuggestion>;

export type AgentServerMessage =
  | { type: 'welcome'; agent: { userId: string; displayName: string; presence: Presence; maxConcurrent: number; groups: string[] } }
  /** A conversation was assigned to this agent (routing, a transfer, a supervisor's force-assign). */
  | { type: 'assigned'; conversation: AgentConversation; note?: string }
  /** A conversation left this agent (transferred away, taken over, closed elsewhere). */
  | { type: 'unassigned'; conversationId: string; reason: string }
  /** A new event in one of this agent's conversations: the customer's message, a reply, a system notice. */
  | { type: 'event'; conversationId: string; seq: number; kind: 'customer' | 'agent' | 'bot' | 'system'; text: string; reply?: Reply; at: string }
  | { type: 'typing'; conversationId: string; on: boolean }
  | { type: 'assist'; suggestion: AssistSuggestion }
  /** Queue figures of the agent's groups (and all groups for supervisors), live. */
  | { type: 'queues'; groups: QueueStats[] }
  | { type: 'presence'; presence: Presence }
  /** A work order was assigned to this agent (or their group). */
  | { type: 'notification'; kind: 'work_order'; id: string; title: string; at: string }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

export const QueueStats = z.object({
  group: z.string(),
  name: z.string(),
  waiting: z.number().int(),
  longestWaitSeconds: z.number(),
  agents: z.object({ online: z.number().int(), busy: z.number().int(), away: z.number().int(), offline: z.number().int() }),
  open: z.boolean().describe('within working hours'),
});
export type QueueStats = z.infer<typeof QueueStats>;

// ---- REST shapes of the human-service API (docs/HUMAN-SERVICE.md "REST API"; OpenAPI at /docs, tags service/agent/supervisor) ----

export const RoutingStrategy = z.enum(['least_busy', 'round_robin', 'last_agent']);
export type RoutingStrategy = z.infer<typeof RoutingStrategy>;

/** HH:MM local time; an interval's end may be 24:00. */
export const HoursInterval = z.object({ start: z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/), end: z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/) });
export type HoursInterval = z.infer<typeof HoursInterval>;
const Day = z.array(HoursInterval).max(12).default([]);
/** A weekly schedule in an IANA time zone; a weekday without intervals is closed. */
export const WorkingHours = z.object({
  timeZone: z.string().min(1).max(64).default('Asia/Shanghai'),
  weekly: z.object({ sun: Day, mon: Day, tue: Day, wed: Day, thu: Day, fri: Day, sat: Day }),
});
export type WorkingHours = z.infer<typeof WorkingHours>;

const ZhEn = z.object({ zh: z.string().max(500), en: z.string().max(500) });

/** A skill group (技能组) and the traffic that maps to it. */
export const SkillGroup = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/).describe('short id, e.g. cards'),
  name: z.object({ zh: z.string().min(1).max(64), en: z.string().min(1).max(64) }),
  strategy: RoutingStrategy.default('least_busy'),
  /** null: always open. */
  workingHours: WorkingHours.nullable().default(null),
  /** Told to a customer who asks for a person outside the working hours (they may leave a message). */
  outOfHoursMessage: ZhEn.default({ zh: '', en: '' }),
  routing: z.object({
    /** Knowledge category paths; a path also covers its sub-categories (`贷款` covers `贷款/消费贷款`). */
    categories: z.array(z.string().min(1).max(200)).max(100).default([]),
    entryIds: z.array(z.string().min(1).max(100)).max(500).default([]),
    /** Queue names of flows' transfer steps (the shipped flows use cards, loans, wealth, general). */
    queues: z.array(z.string().min(1).max(64)).max(50).default([]),
    /** Customers writing in these languages (zh, en) come here when nothing more specific matched. */
    languages: z.array(z.string().min(2).max(8)).max(10).default([]),
  }).default({ categories: [], entryIds: [], queues: [], languages: [] }),
  /** The group for everything nothing else matched; exactly one per tenant. */
  isDefault: z.boolean().default(false),
  sort: z.number().int().min(0).max(10_000).default(0),
});
export type SkillGroup = z.infer<typeof SkillGroup>;

/** An agent as the workbench and supervisors see them. */
export const AgentInfo = z.object({
  userId: z.string(),
  username: z.string(),
  /** Shown to customers (客服小王), never the user id. */
  displayName: z.string(),
  maxConcurrent: z.number().int(),
  groups: z.array(z.string()),
  presence: Presence,
  /** Conversations assigned now (primary). */
  load: z.number().int(),
});
export type AgentInfo = z.infer<typeof AgentInfo>;

/** One line of a conversation as staff see it: the robot's part, the customer, agents and service notices. */
export const TranscriptItem = z.object({
  seq: z.number().int(),
  /** The log event type (message.received, reply.sent, agent.message, conversation.assigned…). */
  type: z.string(),
  kind: z.enum(['customer', 'agent', 'bot', 'system']),
  text: z.string(),
  reply: Reply.optional(),
  agentId: z.string().optional(),
  agentName: z.string().optional(),
  at: z.string(),
});
export type TranscriptItem = z.infer<typeof TranscriptItem>;

export const QuickReply = z.object({
  id: z.string(),
  /** team: shared by the tenant (supervisors edit); personal: the signed-in agent's own. */
  scope: z.enum(['team', 'personal']),
  title: z.string(),
  text: z.string(),
  sort: z.number().int(),
});
export type QuickReply = z.infer<typeof QuickReply>;

/** A knowledge answer proposed to an agent (search, or assist). */
export const KnowledgeAnswer = z.object({ entryId: z.string(), question: z.string(), answer: z.string(), category: z.string().nullable(), score: z.number() });
export type KnowledgeAnswer = z.infer<typeof KnowledgeAnswer>;
