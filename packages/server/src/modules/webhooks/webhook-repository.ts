import type { WebhookEventType } from './events.ts';

export type WebhookSubscription = {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  events: WebhookEventType[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
};
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';
export type WebhookDelivery = {
  id: string;
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  eventType: WebhookEventType;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  createdAt: Date;
};
/** A delivery claimed by the dispatcher, with what it needs to send it. */
export type ClaimedDelivery = WebhookDelivery & { url: string; secretEnc: string };

export type WebhookRepository = {
  insertSubscription(s: Omit<WebhookSubscription, 'createdAt' | 'updatedAt'> & { secretEnc: string }): Promise<WebhookSubscription>;
  getSubscription(tenantId: string, id: string): Promise<WebhookSubscription | null>;
  listSubscriptions(tenantId: string): Promise<WebhookSubscription[]>;
  updateSubscription(tenantId: string, id: string, patch: Partial<Pick<WebhookSubscription, 'url' | 'description' | 'events' | 'active'>> & { secretEnc?: string }): Promise<WebhookSubscription | null>;
  deleteSubscription(tenantId: string, id: string): Promise<boolean>;
  /** Active subscriptions of a tenant listening to an event type. */
  subscribersOf(tenantId: string, type: WebhookEventType): Promise<WebhookSubscription[]>;
  /** One pending delivery per subscription; an event already queued for a subscription is not queued again. */
  enqueue(tenantId: string, rows: { id: string; subscriptionId: string; eventId: string; eventType: WebhookEventType; payload: Record<string, unknown> }[]): Promise<number>;
  /**
   * Claims up to `limit` due deliveries for `leaseMs`, across tenants (the dispatcher serves the whole installation),
   * counting the attempt. Two nodes never claim the same delivery at once.
   */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  markSucceeded(tenantId: string, id: string, status: number): Promise<void>;
  markFailedAttempt(tenantId: string, id: string, r: { status: number | null; error: string; nextAttemptAt: Date | null }): Promise<void>;
  listDeliveries(tenantId: string, q: { subscriptionId?: string; status?: DeliveryStatus; limit: number }): Promise<WebhookDelivery[]>;
  /** Puts a delivery back in the queue now, with a fresh attempt budget. */
  redeliver(tenantId: string, id: string): Promise<WebhookDelivery | null>;
};
