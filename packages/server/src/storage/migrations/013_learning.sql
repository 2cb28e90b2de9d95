-- Learning from traffic (modules/learning): questions the robot could not answer well, and answered-entry counts.

-- Customer questions of real conversations that fell back, were asked back (clarify), or were answered with low
-- confidence. Open ones are clustered for knowledge operators; handled/dismissed ones leave the list.
CREATE TABLE learning_questions (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  bot_id           text NOT NULL REFERENCES bots(id),
  text             text NOT NULL,
  normalized       text NOT NULL,
  lang             text NOT NULL,
  score            real,
  decision         text NOT NULL CHECK (decision IN ('fallback', 'clarify', 'low_confidence')),
  conversation_id  text,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handled', 'dismissed')),
  resolution       text,
  at               timestamptz NOT NULL,
  handled_at       timestamptz,
  handled_by       text
);
CREATE INDEX learning_questions_open ON learning_questions(tenant_id, bot_id, status, at);

-- Hot-question statistics are read from the analytics rollups (analytics_hits_daily, migration 014): answered
-- entries per bot and day, projected from the conversation log, so the chat path writes nothing for them.
