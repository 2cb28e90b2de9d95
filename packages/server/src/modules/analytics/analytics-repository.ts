/**
 * The analytics port: the projection of the conversation log into aggregate tables (write side) and the dashboard
 * queries over those tables (read side). Definitions of every figure: docs/ANALYTICS.md.
 */

/** Days are local dates (YYYY-MM-DD) in the tenant's time zone; `to` is inclusive. */
export type AnalyticsFilter = {
  tenantId: string;
  from: string;
  to: string;
  channel?: string;
  botId?: string;
};

export type BatchResult = { events: number; conversations: number; caughtUp: boolean };

export type Counts = {
  conversations: number;
  handedOff: number;
  fallback: number;
  clarify: number;
  answered: number;
  customerMessages: number;
  rated: number;
  ratingSum: number;
  satisfied: number;
};

export type DayCounts = Counts & { day: string };
export type ChannelHour = { channel: string; hour: number; conversations: number };
export type ChannelDay = { channel: string; day: string; conversations: number };
export type HitRow = { key: string; botId: string | null; label: string | null; hits: number; conversations: number };
export type SatisfactionBy = 'bot' | 'agent' | 'group';
export type SatisfactionRow = { key: string; label: string | null; rated: number; ratingSum: number; satisfied: number };
export type AgentRow = {
  agentId: string;
  agentName: string | null;
  conversations: number;
  resolved: number;
  firstResponseN: number;
  firstResponseSum: number;
  handleN: number;
  handleSum: number;
  rated: number;
  ratingSum: number;
  satisfied: number;
};
export type SlaRow = {
  day: string;
  priority: string;
  workOrders: number;
  resolved: number;
  responseMet: number;
  responseBreached: number;
  responsePending: number;
  resolutionMet: number;
  resolutionBreached: number;
  resolutionPending: number;
};

export type AnalyticsRepository = {
  /**
   * Projects the next `limit` events of the log after the checkpoint (and re-projects conversations touched within
   * `overlapMs` before it, for appends whose transaction committed late), in one transaction with the checkpoint.
   */
  projectBatch(limit: number, overlapMs: number): Promise<BatchResult>;
  /** Re-aggregates the days marked dirty into the rollups; returns how many days. */
  refreshDirtyDays(): Promise<number>;
  /** Recomputes SLA rollups of days whose work orders changed or whose due times passed since the last pass. */
  projectWorkOrders(now: Date, overlapMs: number): Promise<number>;
  /** Forgets the projection (the next passes rebuild it from the log). */
  reset(): Promise<void>;
  /** Events after the checkpoint (how far behind the projection is). */
  lag(): Promise<number>;

  totals(f: AnalyticsFilter): Promise<Counts>;
  daily(f: AnalyticsFilter): Promise<DayCounts[]>;
  channelHours(f: AnalyticsFilter): Promise<ChannelHour[]>;
  channelDays(f: AnalyticsFilter): Promise<ChannelDay[]>;
  channels(tenantId: string): Promise<string[]>;
  top(f: AnalyticsFilter, kind: 'entry' | 'intent', limit: number): Promise<HitRow[]>;
  satisfaction(f: AnalyticsFilter, by: SatisfactionBy): Promise<SatisfactionRow[]>;
  agents(f: AnalyticsFilter): Promise<AgentRow[]>;
  sla(f: Omit<AnalyticsFilter, 'channel' | 'botId'>): Promise<SlaRow[]>;
};
