/**
 * Conversation-log events this module writes and reads (docs/HUMAN-SERVICE.md). `conversation.rated` is appended to
 * the conversation's log and reaches the EventBus (webhooks deliver it as `conversation.rated`); the other two are
 * written by modules/service and read here to know who served.
 */
export const RATED = 'conversation.rated';
export const ASSIGNED = 'conversation.assigned';
export const QUEUED = 'conversation.queued';

/** Payload of `conversation.rated`. `previousScore` is present when the rating replaces an earlier one. */
export type RatedPayload = {
  score: number;
  comment: string | null;
  agentId?: string;
  agentName?: string;
  group?: string;
  revision: number;
  previousScore?: number;
};
