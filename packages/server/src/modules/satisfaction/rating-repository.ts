/** One conversation's rating as reports see it (the latest one the customer gave). */
export type Rating = {
  conversationId: string;
  tenantId: string;
  botId: string;
  channel: string;
  /** The agent who served (user id and display name) and their skill group; null when only the robot served. */
  agentId: string | null;
  agentName: string | null;
  group: string | null;
  score: number;
  comment: string | null;
  /** 1 for the first rating, +1 for each replacement. */
  revision: number;
  /** seq of the `conversation.rated` event this row projects. */
  eventSeq: number;
  createdAt: Date;
  ratedAt: Date;
};

export type RatingFilter = { from?: Date; to?: Date; botId?: string; agentId?: string; group?: string };
export type SummaryBy = 'bot' | 'agent' | 'group';
/** Counts per score: distribution[0] is the number of 1s, distribution[4] the number of 5s. */
export type RatingGroup = { key: string | null; label: string | null; count: number; sum: number; distribution: [number, number, number, number, number] };

export type RatingRepository = {
  /**
   * Stores the rating of a conversation, replacing an earlier one only if this one's event is later (ratings stored
   * out of order keep the latest). Returns the stored row, or null when a later rating was already there.
   */
  upsert(r: Omit<Rating, 'createdAt'>): Promise<Rating | null>;
  find(tenantId: string, conversationId: string): Promise<Rating | null>;
  /** Newest first; `before` pages on ratedAt. */
  list(tenantId: string, f: RatingFilter & { limit: number; before?: Date }): Promise<Rating[]>;
  summary(tenantId: string, by: SummaryBy, f: RatingFilter): Promise<RatingGroup[]>;
};
