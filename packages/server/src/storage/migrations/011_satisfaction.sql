-- Satisfaction ratings (满意度评价, issue 5): one per conversation, the latest wins. The conversation log's
-- `conversation.rated` events are the truth; this table is their projection for reports (per bot, agent, group).
-- `event_seq` is the seq of the rating's event: two ratings of one conversation stored out of order keep the later.
CREATE TABLE ratings (
  conversation_id  text PRIMARY KEY REFERENCES conversations(id),
  tenant_id        text NOT NULL REFERENCES tenants(id),
  bot_id           text NOT NULL REFERENCES bots(id),
  channel          text NOT NULL,
  -- The agent who served (the conversation's last assignment before the rating) and their group; null for the robot.
  agent_id         text,
  agent_name       text,
  skill_group      text,
  score            smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment          text CHECK (char_length(comment) <= 500),
  revision         integer NOT NULL DEFAULT 1,
  event_seq        integer NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  rated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ratings_tenant_rated ON ratings(tenant_id, rated_at);
CREATE INDEX ratings_tenant_agent ON ratings(tenant_id, agent_id, rated_at);
CREATE INDEX ratings_tenant_bot ON ratings(tenant_id, bot_id, rated_at);
