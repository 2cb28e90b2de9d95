-- Channel access (issue 7): one row per configured channel endpoint (a WeChat official account, a WeCom app, an
-- SMS provider...). Credentials live in secrets_enc, encrypted with the installation's field cipher, and are never
-- returned by the API once set. public holds the non-secret settings (appid, corp id, API base URL...).
CREATE TABLE channel_configs (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  bot_id       text NOT NULL REFERENCES bots(id),
  type         text NOT NULL,
  name         text NOT NULL,
  public       jsonb NOT NULL DEFAULT '{}',
  secrets_enc  text,
  enabled      boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_configs_tenant ON channel_configs(tenant_id, type, created_at);

-- Which channel endpoint and which address (openid, external_userid, phone...) a conversation talks to, so that a
-- reply written later (an agent's, a scheduled one) reaches the customer where they wrote. The address is personal
-- data: encrypted.
CREATE TABLE channel_bindings (
  conversation_id  text PRIMARY KEY REFERENCES conversations(id),
  tenant_id        text NOT NULL REFERENCES tenants(id),
  config_id        text NOT NULL REFERENCES channel_configs(id) ON DELETE CASCADE,
  address_enc      text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_bindings_config ON channel_bindings(tenant_id, config_id);

-- Pull cursors of channels that are read by polling (WeCom customer service kf/sync_msg), one per config and stream.
CREATE TABLE channel_cursors (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  config_id   text NOT NULL REFERENCES channel_configs(id) ON DELETE CASCADE,
  stream      text NOT NULL,
  cursor      text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (config_id, stream)
);
