-- Analytics (issue 6 item 6). Dashboards read only these aggregate tables, never conversation_events. They are a
-- projection of the conversation log (modules/analytics/projector.ts): a checkpointed projector reads the log in
-- (created_at, conversation_id, seq) order, recomputes the fact row of every conversation it touched from that
-- conversation's whole log (so re-running it changes nothing), marks the fact's day dirty, and re-aggregates dirty
-- days into the rollups. Everything here can be dropped and rebuilt from the log (reset the checkpoint).
-- Days and hours are local to the tenant's time zone (Asia/Shanghai).

-- The projector's position in the log. The cursor moves in the same transaction as the facts it wrote.
CREATE TABLE analytics_checkpoints (
  name                 text PRIMARY KEY,
  cursor_at            timestamptz NOT NULL DEFAULT '-infinity',
  cursor_conversation  text NOT NULL DEFAULT '',
  cursor_seq           integer NOT NULL DEFAULT 0,
  -- work orders: SLA rollups recomputed for days whose work orders changed, or whose due times passed, since then
  work_orders_at       timestamptz NOT NULL DEFAULT '-infinity',
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- The order the projector reads the log in.
CREATE INDEX conversation_events_projection ON conversation_events(created_at, conversation_id, seq);

-- One row per conversation. Definitions (docs/ANALYTICS.md): handed_off = a `conversation.handoff` event;
-- had_fallback / had_clarify = an `nlu.understood` decision of that kind; robot self-service = not handed off.
CREATE TABLE analytics_conversations (
  conversation_id    text PRIMARY KEY,
  tenant_id          text NOT NULL,
  bot_id             text NOT NULL,
  channel            text NOT NULL,
  started_at         timestamptz NOT NULL,
  day                date NOT NULL,
  hour               smallint NOT NULL,
  customer_messages  integer NOT NULL DEFAULT 0,
  handed_off         boolean NOT NULL DEFAULT false,
  had_fallback       boolean NOT NULL DEFAULT false,
  had_clarify        boolean NOT NULL DEFAULT false,
  answered           boolean NOT NULL DEFAULT false,
  -- the last agent assigned (who served in the end) and their group
  agent_id           text,
  agent_name         text,
  group_id           text,
  rating             smallint,
  -- first assignment -> the agent's first message; first assignment -> close
  first_response_ms  bigint,
  handle_ms          bigint,
  -- closed by the agent who served it
  resolved           boolean NOT NULL DEFAULT false,
  first_entry_id     text,
  first_intent       text,
  last_event_at      timestamptz NOT NULL
);
CREATE INDEX analytics_conversations_day ON analytics_conversations(tenant_id, day);

-- Per conversation: the knowledge entries answered and the intents understood (turn counts).
CREATE TABLE analytics_conversation_hits (
  conversation_id  text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('entry', 'intent')),
  key              text NOT NULL,
  tenant_id        text NOT NULL,
  bot_id           text NOT NULL,
  channel          text NOT NULL,
  day              date NOT NULL,
  hits             integer NOT NULL,
  PRIMARY KEY (conversation_id, kind, key)
);
CREATE INDEX analytics_conversation_hits_day ON analytics_conversation_hits(tenant_id, day);

-- Days whose rollups must be recomputed from the facts (written with the facts, cleared with the rollup).
CREATE TABLE analytics_dirty_days (
  tenant_id  text NOT NULL,
  day        date NOT NULL,
  PRIMARY KEY (tenant_id, day)
);

CREATE TABLE analytics_hourly (
  tenant_id          text NOT NULL,
  day                date NOT NULL,
  hour               smallint NOT NULL,
  bot_id             text NOT NULL,
  channel            text NOT NULL,
  conversations      integer NOT NULL,
  handed_off         integer NOT NULL,
  fallback           integer NOT NULL,
  clarify            integer NOT NULL,
  answered           integer NOT NULL,
  customer_messages  integer NOT NULL,
  rated              integer NOT NULL,
  rating_sum         integer NOT NULL,
  satisfied          integer NOT NULL,
  PRIMARY KEY (tenant_id, day, hour, bot_id, channel)
);

CREATE TABLE analytics_daily (
  tenant_id          text NOT NULL,
  day                date NOT NULL,
  bot_id             text NOT NULL,
  channel            text NOT NULL,
  conversations      integer NOT NULL,
  handed_off         integer NOT NULL,
  fallback           integer NOT NULL,
  clarify            integer NOT NULL,
  answered           integer NOT NULL,
  customer_messages  integer NOT NULL,
  rated              integer NOT NULL,
  rating_sum         integer NOT NULL,
  satisfied          integer NOT NULL,
  PRIMARY KEY (tenant_id, day, bot_id, channel)
);

-- Entries answered and intents understood per day; channel '' holds the sum over all channels (unfiltered lists).
CREATE TABLE analytics_hits_daily (
  tenant_id      text NOT NULL,
  day            date NOT NULL,
  bot_id         text NOT NULL,
  channel        text NOT NULL,
  kind           text NOT NULL,
  key            text NOT NULL,
  hits           integer NOT NULL,
  conversations  integer NOT NULL,
  PRIMARY KEY (tenant_id, day, bot_id, channel, kind, key)
);

-- Agents (and their groups) per day: handed-off conversations by the agent who served last.
CREATE TABLE analytics_agent_daily (
  tenant_id           text NOT NULL,
  day                 date NOT NULL,
  channel             text NOT NULL,
  agent_id            text NOT NULL,
  group_id            text NOT NULL,
  agent_name          text,
  conversations       integer NOT NULL,
  resolved            integer NOT NULL,
  first_response_n    integer NOT NULL,
  first_response_sum  bigint NOT NULL,
  handle_n            integer NOT NULL,
  handle_sum          bigint NOT NULL,
  rated               integer NOT NULL,
  rating_sum          integer NOT NULL,
  satisfied           integer NOT NULL,
  PRIMARY KEY (tenant_id, day, channel, agent_id, group_id)
);

-- Work-order SLA per creation day (local), type and priority. met / breached / pending are against the due times
-- fixed at creation; "pending" (not yet due, not done) turns into breached when its due time passes, which the
-- projector notices (work_orders_at).
CREATE TABLE analytics_sla_daily (
  tenant_id            text NOT NULL,
  day                  date NOT NULL,
  type_id              text NOT NULL,
  priority             text NOT NULL,
  work_orders          integer NOT NULL,
  resolved             integer NOT NULL,
  response_met         integer NOT NULL,
  response_breached    integer NOT NULL,
  response_pending     integer NOT NULL,
  resolution_met       integer NOT NULL,
  resolution_breached  integer NOT NULL,
  resolution_pending   integer NOT NULL,
  PRIMARY KEY (tenant_id, day, type_id, priority)
);

-- The projector finds work orders changed since its last pass, and open ones whose due time has just passed.
CREATE INDEX work_orders_updated ON work_orders(updated_at);
CREATE INDEX work_orders_first_response_due ON work_orders(first_response_due) WHERE first_response_at IS NULL;
CREATE INDEX work_orders_resolution_due ON work_orders(resolution_due) WHERE resolved_at IS NULL;
