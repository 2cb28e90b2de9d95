-- Knowledge base: constraints and indexes the knowledge module relies on.

-- Sibling categories have distinct names, so an import path "cards/loss" resolves to exactly one category.
CREATE UNIQUE INDEX kb_categories_sibling_name ON kb_categories(bot_id, COALESCE(parent_id, ''), name);
CREATE INDEX kb_categories_parent ON kb_categories(parent_id);

CREATE INDEX kb_entries_tenant_bot ON kb_entries(tenant_id, bot_id, created_at, id);
CREATE INDEX kb_entries_category ON kb_entries(category_id);

CREATE INDEX kb_versions_tenant_bot ON kb_versions(tenant_id, bot_id, version);
