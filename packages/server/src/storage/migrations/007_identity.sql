-- Identity verification: one-time codes sent by SMS, per-phone throttles and lock-outs, verified conversations.
-- Phone numbers are personal data: stored as a keyed hash (lookup) and masked (display), never in clear. Codes are
-- stored only as an HMAC keyed by the installation secret. Times come from the service's clock, not now(), so that
-- expiry is testable and consistent across nodes.

-- One code sent to one phone for one conversation. Dies after too many wrong attempts; used once.
CREATE TABLE identity_challenges (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  conversation_id  text NOT NULL,
  purpose          text NOT NULL,
  phone_hash       text NOT NULL,
  phone_masked     text NOT NULL,
  code_hmac        text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'verified', 'dead', 'superseded', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  closed_at        timestamptz
);
CREATE INDEX identity_challenges_phone ON identity_challenges(tenant_id, phone_hash, status, closed_at);

-- Per tenant and phone: when the last code went out (the resend throttle) and until when the phone is locked.
CREATE TABLE identity_phones (
  tenant_id     text NOT NULL REFERENCES tenants(id),
  phone_hash    text NOT NULL,
  last_sent_at  timestamptz,
  locked_until  timestamptz,
  PRIMARY KEY (tenant_id, phone_hash)
);

-- A conversation whose customer proved who they are (by code, or by a channel's signed identity) until expires_at.
CREATE TABLE identity_verifications (
  tenant_id        text NOT NULL REFERENCES tenants(id),
  conversation_id  text NOT NULL,
  via              text NOT NULL CHECK (via IN ('otp', 'app_token')),
  phone_hash       text NOT NULL,
  verified_at      timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, conversation_id)
);
