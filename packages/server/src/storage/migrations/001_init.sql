-- Lingxi schema v1. Every business table carries tenant_id, and every repository query filters on it.

CREATE TABLE tenants (
  id          text PRIMARY KEY,
  slug        text NOT NULL UNIQUE,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  username      text NOT NULL,
  display_name  text NOT NULL,
  password_hash text NOT NULL,
  roles         text[] NOT NULL,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, username)
);

-- Login sessions: only the SHA-256 of the bearer token is stored.
CREATE TABLE auth_sessions (
  token_hash  text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id),
  tenant_id   text NOT NULL REFERENCES tenants(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  name        text NOT NULL,
  prefix      text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  roles       text[] NOT NULL,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- A tenant runs several robots (customer service, internal HR assistant...), each with its own knowledge.
-- slug is global so the public chat API can address a bot by slug alone.
CREATE TABLE bots (
  id                 text PRIMARY KEY,
  tenant_id          text NOT NULL REFERENCES tenants(id),
  slug               text NOT NULL UNIQUE,
  name               text NOT NULL,
  locale             text NOT NULL DEFAULT 'zh-CN',
  is_public          boolean NOT NULL DEFAULT false,
  settings           jsonb NOT NULL DEFAULT '{}',
  published_version  integer,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bots_tenant ON bots(tenant_id);

CREATE TABLE kb_categories (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  bot_id      text NOT NULL REFERENCES bots(id),
  parent_id   text REFERENCES kb_categories(id),
  name        text NOT NULL,
  sort        integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_categories_bot ON kb_categories(bot_id);

-- The working copy of the knowledge. Publishing snapshots the published entries into kb_versions.
CREATE TABLE kb_entries (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  bot_id           text NOT NULL REFERENCES bots(id),
  external_id      text NOT NULL,
  category_id      text REFERENCES kb_categories(id),
  question         text NOT NULL,
  similar_questions jsonb NOT NULL DEFAULT '[]',
  answer           text NOT NULL,
  answer_html      text,
  channel_answers  jsonb NOT NULL DEFAULT '{}',
  tags             text[] NOT NULL DEFAULT '{}',
  related          jsonb NOT NULL DEFAULT '[]',
  valid_from       timestamptz,
  valid_to         timestamptz,
  status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text,
  UNIQUE (bot_id, external_id)
);
CREATE INDEX kb_entries_bot ON kb_entries(bot_id, status);

CREATE TABLE kb_synonyms (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  bot_id      text NOT NULL REFERENCES bots(id),
  words       text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_synonyms_bot ON kb_synonyms(bot_id);

-- Immutable published versions: the whole knowledge of a bot as served, as one JSON snapshot.
CREATE TABLE kb_versions (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  bot_id      text NOT NULL REFERENCES bots(id),
  version     integer NOT NULL,
  snapshot    jsonb NOT NULL,
  note        text,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bot_id, version)
);

-- Trained models (NLU), persisted so that a restart or another node does not retrain.
CREATE TABLE bot_models (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  bot_id      text NOT NULL REFERENCES bots(id),
  version     integer NOT NULL,
  kind        text NOT NULL,
  data        bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bot_id, version, kind)
);

CREATE TABLE conversations (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  bot_id      text NOT NULL REFERENCES bots(id),
  channel     text NOT NULL,
  status      text NOT NULL DEFAULT 'bot',
  state       jsonb NOT NULL DEFAULT '{}',
  last_seq    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_tenant ON conversations(tenant_id, created_at);

-- The append-only conversation log (Rasa's tracker): state can be rebuilt by replaying these events.
CREATE TABLE conversation_events (
  conversation_id  text NOT NULL REFERENCES conversations(id),
  seq              integer NOT NULL,
  tenant_id        text NOT NULL,
  type             text NOT NULL,
  payload          jsonb NOT NULL,
  client_msg_id    text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, seq)
);
CREATE UNIQUE INDEX conversation_events_client_msg ON conversation_events(conversation_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
CREATE INDEX conversation_events_tenant_time ON conversation_events(tenant_id, created_at);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  tenant_id   text NOT NULL,
  actor       text NOT NULL,
  action      text NOT NULL,
  target      text,
  details     jsonb NOT NULL DEFAULT '{}',
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_at ON audit_log(tenant_id, at);

-- Installation-wide settings (generated secret, demo seeded flag).
CREATE TABLE system_settings (
  key    text PRIMARY KEY,
  value  jsonb NOT NULL
);
