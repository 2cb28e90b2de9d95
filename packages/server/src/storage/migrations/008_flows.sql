-- The business robot's data (issue 4): connectors to a bank's systems and the declarative flows that call them.

-- A declarative HTTP connector per tenant (modules/connectors/connector-definition.ts), named like `demo-core`.
-- `definition` never holds a secret: the auth header value or HMAC secret is taken out and kept in `secrets_enc`
-- (field cipher, AES-256-GCM). `revision` grows with every change, so every node can tell that its cached
-- connector (circuit breaker state included) was built from an older definition.
CREATE TABLE connectors (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  id           text NOT NULL,
  definition   jsonb NOT NULL,
  secrets_enc  text,
  revision     integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text,
  PRIMARY KEY (tenant_id, id)
);

-- The working copy of a bot's flows (the contracts' FlowDefinition). Publishing the bot's knowledge copies the
-- enabled flows into the immutable kb_versions snapshot; the robot serves only snapshots. `version` grows with every
-- change of the definition (and is written into the stored definition too).
CREATE TABLE flows (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  bot_id      text NOT NULL REFERENCES bots(id),
  id          text NOT NULL,
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text,
  PRIMARY KEY (bot_id, id)
);
CREATE INDEX flows_tenant_bot ON flows(tenant_id, bot_id);
