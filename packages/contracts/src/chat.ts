import { z } from 'zod';

/** Longest message a customer may send in one turn (characters, after trimming). */
export const MAX_MESSAGE_CHARS = 2000;

/** POST /api/v1/chat request — the fixed public chat contract (issue 2). */
export const ChatRequest = z.object({
  bot: z.string().min(1).max(64).describe('bot id or slug, e.g. "demo"'),
  sessionId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/).optional()
    .describe('omit on the first turn; the reply carries the session id to use next'),
  text: z.string().describe(`the customer's message, 1..${MAX_MESSAGE_CHARS} characters`),
  channel: z.enum(['web', 'api']).optional(),
  /** Optional client-chosen id: a retried request with the same id is answered once, from the stored turn. */
  clientMsgId: z.string().min(1).max(64).optional(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

export const ReplyOption = z.object({
  n: z.number().int().min(1).describe('number the customer may type to choose this option'),
  text: z.string(),
  entryId: z.string().optional(),
});
export type ReplyOption = z.infer<typeof ReplyOption>;

/** `agent`: written by a person in the workbench; `system`: service notices (queue position, closing, rating card). */
export const ReplyType = z.enum(['answer', 'clarify', 'fallback', 'handoff', 'text', 'agent', 'system']);
export type ReplyType = z.infer<typeof ReplyType>;

export const Reply = z.object({
  type: ReplyType,
  /** Plain text, safe for any channel. */
  text: z.string(),
  /** Clickable choices: clarification candidates or hot questions. */
  options: z.array(ReplyOption).optional(),
  /** The knowledge entry this answer came from. */
  entryId: z.string().optional(),
  /** Sanitized rich-text variant for channels that render HTML (web widget). Only tags from a fixed allow-list. */
  html: z.string().optional(),
  /** Related questions shown under an answer. */
  related: z.array(ReplyOption).optional(),
  /** Who wrote an `agent` reply, as the customer may see it (a display name such as 客服小王, never a user id). */
  agentName: z.string().optional(),
  /** A `system` reply asking the customer to rate the service (1–5, optional comment). */
  rating: z.object({ scale: z.literal(5) }).optional(),
});
export type Reply = z.infer<typeof Reply>;

export const ChatResponse = z.object({
  sessionId: z.string(),
  replies: z.array(Reply),
});
export type ChatResponse = z.infer<typeof ChatResponse>;

/**
 * WebSocket protocol at GET /api/v1/ws (JSON text frames).
 * Every message the server sends to a session has a per-session sequence number `seq` (monotonic, starts at 1).
 * On (re)connect the client sends `hello` with the last seq it has seen; the server replays everything after it,
 * so a reconnect loses no message. Client messages carry a clientMsgId; the server deduplicates on it, so a
 * message re-sent after a reconnect is answered once.
 */
export const WsClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    bot: z.string().min(1).max(64),
    sessionId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/).optional(),
    lastSeq: z.number().int().min(0).optional(),
    /** App SDK: the app channel's config id and the customer's JWT signed by the bank (a verified identity). */
    app: z.string().min(1).max(64).optional(),
    token: z.string().min(1).max(4096).optional(),
  }),
  z.object({
    type: z.literal('message'),
    clientMsgId: z.string().min(1).max(64),
    text: z.string(),
  }),
  z.object({ type: z.literal('ping') }),
  /** Satisfaction (满意度): 1–5 and an optional comment, once per conversation (a second rating replaces the first). */
  z.object({ type: z.literal('rate'), score: z.number().int().min(1).max(5), comment: z.string().max(500).optional() }),
  /** While queued: leave a message instead of waiting (it becomes a work order and the customer leaves the queue). */
  z.object({ type: z.literal('leave-message'), text: z.string().min(1).max(2000), contact: z.string().max(100).optional() }),
]);
export type WsClientMessage = z.infer<typeof WsClientMessage>;

export type WsServerMessage =
  | { type: 'welcome'; sessionId: string; bot: { id: string; name: string; greeting: string; locale: string } }
  /** The customer's own message as stored (echoed so other tabs of the same session see it). */
  | { type: 'message'; seq: number; clientMsgId?: string; text: string; at: string }
  | { type: 'reply'; seq: number; reply: Reply; at: string }
  | { type: 'typing'; on: boolean }
  /** Live while the conversation waits for a person: position 1 is next; etaSeconds is an estimate. */
  | { type: 'queue'; position: number; etaSeconds: number | null; group: string }
  /** The conversation's service state changed (waiting in queue, with an agent, closed). */
  | { type: 'status'; status: ConversationServiceStatus; agentName?: string }
  | { type: 'pong' }
  /** clientMsgId names the refused message when the error concerns one. */
  | { type: 'error'; code: string; message: string; clientMsgId?: string };

/** Where a conversation is: with the robot, waiting for a person (queued), with a person, or closed. */
export const ConversationServiceStatus = z.enum(['bot', 'handoff', 'agent', 'closed']);
export type ConversationServiceStatus = z.infer<typeof ConversationServiceStatus>;

/** POST /api/v1/chat/rating — the web widget's and the API's way to rate (the WebSocket has `rate`). */
export const RatingRequest = z.object({
  bot: z.string().min(1).max(64),
  sessionId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/),
  score: z.number().int().min(1).max(5),
  comment: z.string().max(500).optional(),
});
export type RatingRequest = z.infer<typeof RatingRequest>;
