-- One customer across channels: a contact with identities (verified phone, app user id, WeChat openid/unionid,
-- e-mail...). Identity values are personal data: stored encrypted, looked up by a keyed hash.
CREATE TABLE contacts (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  display_name  text,
  merged_into   text REFERENCES contacts(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_tenant ON contacts(tenant_id, created_at);

CREATE TABLE contact_identities (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  kind        text NOT NULL,
  value_hash  text NOT NULL,
  value_enc   text NOT NULL,
  contact_id  text NOT NULL REFERENCES contacts(id),
  verified    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, kind, value_hash)
);
CREATE INDEX contact_identities_contact ON contact_identities(contact_id);

ALTER TABLE conversations ADD COLUMN contact_id text REFERENCES contacts(id);
CREATE INDEX conversations_contact ON conversations(tenant_id, contact_id, bot_id, channel, updated_at);
