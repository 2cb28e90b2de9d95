-- E-mail channel (issue 7, item 4).

-- Every message seen or sent on a bot's mailbox, by Message-ID: deduplication of inbound mail (the same message
-- polled twice, delivered twice, or polled by two nodes) and threading (In-Reply-To/References -> conversation).
-- An inbound row is claimed (state 'processing') before any work and finished with its conversation; a claim left
-- by a crashed node is taken over after a while (claimed_at).
CREATE TABLE email_messages (
  tenant_id        text NOT NULL REFERENCES tenants(id),
  bot_id           text NOT NULL REFERENCES bots(id),
  message_id       text NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('in', 'out')),
  state            text NOT NULL CHECK (state IN ('processing', 'done', 'dropped')),
  conversation_id  text REFERENCES conversations(id),
  subject          text,
  -- References of this message (space-separated ids), to build the References of a reply to it.
  refs             text,
  -- Where a reply to this message goes (personal data: encrypted with the field cipher).
  reply_to_enc     text,
  claimed_at       timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, bot_id, message_id)
);
CREATE INDEX email_messages_conversation ON email_messages(tenant_id, conversation_id, created_at);

-- Attachments of inbound mail, kept in the database (one backup, one access control); the conversation event
-- carries only their ids.
CREATE TABLE email_attachments (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  conversation_id  text NOT NULL REFERENCES conversations(id),
  message_id       text NOT NULL,
  filename         text NOT NULL,
  content_type     text NOT NULL,
  size             integer NOT NULL,
  sha256           text NOT NULL,
  content          bytea NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_attachments_conversation ON email_attachments(tenant_id, conversation_id);

-- IMAP polling position per channel and mailbox: the last UID processed under a UIDVALIDITY (RFC 3501 2.3.1.1),
-- so a restart or another node continues where the last poll stopped.
CREATE TABLE email_mailbox_state (
  tenant_id     text NOT NULL REFERENCES tenants(id),
  channel_id    text NOT NULL,
  mailbox       text NOT NULL,
  uid_validity  bigint NOT NULL,
  last_uid      bigint NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, channel_id, mailbox)
);
