-- Knowledge review workflow (draft -> submitted -> approved -> published), review comments, and list indexes.

ALTER TABLE kb_entries DROP CONSTRAINT IF EXISTS kb_entries_status_check;
ALTER TABLE kb_entries ADD CONSTRAINT kb_entries_status_check
  CHECK (status IN ('draft', 'submitted', 'approved', 'published', 'archived'));

-- Who submitted the entry for review (four-eyes: they may not approve it themselves).
ALTER TABLE kb_entries ADD COLUMN submitted_by text;
ALTER TABLE kb_entries ADD COLUMN submitted_at timestamptz;

-- One lower-cased text of the question, similar questions and answer: the list's text search scans one column
-- instead of expanding the similar-questions array of every row.
ALTER TABLE kb_entries ADD COLUMN search_text text
  GENERATED ALWAYS AS (lower(question || ' ' || similar_questions::text || ' ' || answer)) STORED;

-- The entry list: status filter with the default order, and the other sort orders.
CREATE INDEX kb_entries_list_status ON kb_entries(tenant_id, bot_id, status, created_at, id);
CREATE INDEX kb_entries_list_updated ON kb_entries(tenant_id, bot_id, updated_at, id);
CREATE INDEX kb_entries_bot_category ON kb_entries(bot_id, category_id, created_at);
CREATE INDEX kb_entries_tags ON kb_entries USING gin (tags);

-- The review conversation of an entry: every transition and free comment, oldest first.
CREATE TABLE kb_entry_comments (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  bot_id      text NOT NULL REFERENCES bots(id),
  entry_id    text NOT NULL REFERENCES kb_entries(id),
  author      text NOT NULL,
  author_name text,
  action      text NOT NULL CHECK (action IN ('comment', 'submit', 'approve', 'reject', 'publish')),
  text        text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_entry_comments_entry ON kb_entry_comments(tenant_id, entry_id, created_at);
