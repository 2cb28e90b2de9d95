-- Conversation search (issue 6 item 7). A projection of each conversation's log, rebuilt from its events by a
-- listener (modules/conversations/conversation-index.ts) and re-creatable at any time from conversation_events.
-- Works the same on PGlite and PostgreSQL: no extension needed (full text goes through conversation_terms, a plain
-- inverted index of words and Chinese character bigrams). Message text is stored with personal data masked.
CREATE TABLE conversation_search (
  conversation_id  text PRIMARY KEY REFERENCES conversations(id),
  tenant_id        text NOT NULL REFERENCES tenants(id),
  bot_id           text NOT NULL,
  channel          text NOT NULL,
  started_at       timestamptz NOT NULL,
  last_at          timestamptz NOT NULL,
  first_question   text,
  -- customer, robot and agent messages, lower-cased, personal data masked (verification of a term match)
  body             text NOT NULL DEFAULT '',
  messages         integer NOT NULL DEFAULT 0,
  handoff          boolean NOT NULL DEFAULT false,
  fallback         boolean NOT NULL DEFAULT false,
  clarify          boolean NOT NULL DEFAULT false,
  -- users who served (conversation.assigned / agent.message), knowledge entries and flows the robot matched
  agent_ids        text[] NOT NULL DEFAULT '{}',
  entry_ids        text[] NOT NULL DEFAULT '{}',
  rating           smallint,
  indexed_seq      integer NOT NULL DEFAULT 0
);
CREATE INDEX conversation_search_recent ON conversation_search(tenant_id, started_at DESC, conversation_id DESC);
CREATE INDEX conversation_search_channel ON conversation_search(tenant_id, channel, started_at DESC);
CREATE INDEX conversation_search_rating ON conversation_search(tenant_id, rating, started_at DESC) WHERE rating IS NOT NULL;
CREATE INDEX conversation_search_handoff ON conversation_search(tenant_id, started_at DESC) WHERE handoff;
CREATE INDEX conversation_search_agents ON conversation_search USING gin(agent_ids);
CREATE INDEX conversation_search_entries ON conversation_search USING gin(entry_ids);

-- term → conversations. Terms: lower-cased Latin words and numbers, Chinese character bigrams (and single
-- characters), so that a query's terms narrow the candidates through this index before the body is checked.
CREATE TABLE conversation_terms (
  tenant_id        text NOT NULL,
  term             text COLLATE "C" NOT NULL,
  conversation_id  text NOT NULL REFERENCES conversations(id),
  PRIMARY KEY (tenant_id, term, conversation_id)
);
CREATE INDEX conversation_terms_conversation ON conversation_terms(conversation_id);

-- Terms of the robot's knowledge answers, once per entry (not per conversation: thousands of conversations get the
-- same answer). A conversation matches such a term through the entries it was answered with (conversation_search.entry_ids).
CREATE TABLE conversation_entry_terms (
  tenant_id  text NOT NULL,
  term       text COLLATE "C" NOT NULL,
  entry_id   text NOT NULL,
  PRIMARY KEY (tenant_id, term, entry_id)
);
