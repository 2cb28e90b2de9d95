import { z } from 'zod';
import { Reply } from './chat.ts';

/**
 * Human service (issue 5): the agent workbench's real-time protocol and the shapes its REST API shares.
 * WebSocket at GET /api/v1/agent/ws, authenticated by the console session token (`?token=` or the first message
 * `auth`); one socket per agent browser tab. The server is the truth: after a reconnect the client re-reads its
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
