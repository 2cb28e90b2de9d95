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

-- How often each entry was answered, per bot and UTC day (hot questions).
CREATE TABLE learning_answer_counts (
  tenant_id  text NOT NULL REFERENCES tenants(id),
  bot_id     text NOT NULL REFERENCES bots(id),
  day        date NOT NULL,
  entry_id   text NOT NULL,
  count      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (bot_id, day, entry_id)
);
CREATE INDEX learning_answer_counts_day ON learning_answer_counts(tenant_id, bot_id, day);
