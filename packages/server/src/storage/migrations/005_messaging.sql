-- Messaging: outbound SMS log (also the recording provider's store), SMS opt-outs, outgoing webhooks.

-- Every SMS we hand to a provider, keyed by an idempotency key so that a retried send is never a second SMS.
-- Phone numbers are personal data: stored as a keyed hash (lookup) and masked (display), never in clear.
CREATE TABLE sms_messages (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  idempotency_key  text NOT NULL,
  to_hash          text NOT NULL,
  to_masked        text NOT NULL,
  body             text NOT NULL,
  encoding         text NOT NULL,
  parts            integer NOT NULL,
  provider         text NOT NULL,
  provider_id      text,
  status           text NOT NULL CHECK (status IN ('recorded', 'sending', 'sent', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX sms_messages_to ON sms_messages(tenant_id, to_hash, created_at);

-- Customers who texted an unsubscribe keyword (退订, TD...). Remembered per tenant and phone until they re-subscribe.
CREATE TABLE sms_opt_outs (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  phone_hash   text NOT NULL,
  opted_out_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, phone_hash)
);

CREATE TABLE webhook_subscriptions (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  url          text NOT NULL,
  description  text,
  events       text[] NOT NULL,
  secret_enc   text NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions(tenant_id);

-- The durable delivery log: one row per (subscription, event), retried with backoff until it succeeds or gives up.
-- locked_until is a lease: a node that claimed a delivery and died releases it when the lease runs out.
CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  subscription_id  text NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_status      integer,
  last_error       text,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  locked_until     timestamptz,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_sub ON webhook_deliveries(tenant_id, subscription_id, created_at);
