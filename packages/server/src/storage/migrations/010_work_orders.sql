-- Work orders (工单, issue 5): admin-defined types with custom fields and SLA, the tenant's business hours, work
-- orders with comments, attachments and links to conversations, and staff notifications. Times written by the
-- application come from its clock (tests move it), so no column here relies on DEFAULT now() for behaviour.

-- A type of work order (投诉, 业务办理, 客户留言...). `id` is a slug chosen by the administrator; `fields` holds the
-- custom field definitions (modules/work-orders/fields.ts), `sla` the targets in business minutes per priority.
CREATE TABLE work_order_types (
  tenant_id         text NOT NULL REFERENCES tenants(id),
  id                text NOT NULL,
  name_zh           text NOT NULL,
  name_en           text NOT NULL,
  description       text,
  fields            jsonb NOT NULL DEFAULT '[]',
  default_priority  text NOT NULL DEFAULT 'normal' CHECK (default_priority IN ('low', 'normal', 'high', 'urgent')),
  sla               jsonb NOT NULL DEFAULT '{}',
  default_group     text,
  enabled           boolean NOT NULL DEFAULT true,
  revision          integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  updated_by        text,
  PRIMARY KEY (tenant_id, id)
);

-- The tenant's business hours (modules/work-orders/business-hours.ts); absent: Asia/Shanghai, Mon–Fri 09:00–18:00.
CREATE TABLE business_calendars (
  tenant_id   text PRIMARY KEY REFERENCES tenants(id),
  calendar    jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text
);

-- Per tenant and local day: the last number handed out (WO-20261124-0001). One upsert allocates a number
-- atomically, on PGlite and on PostgreSQL, across nodes.
CREATE TABLE work_order_counters (
  tenant_id  text NOT NULL REFERENCES tenants(id),
  day        text NOT NULL,
  last       integer NOT NULL,
  PRIMARY KEY (tenant_id, day)
);

-- The work order. Custom field values are personal data more often than not (card and phone numbers, names typed
-- into text fields): they are kept sealed by the field cipher (`fields_enc`, AES-256-GCM) and never searched.
-- SLA due times are fixed when the work order is created (and when its priority changes); whether a target is
-- breached is computed against the clock when read, so it never goes stale.
CREATE TABLE work_orders (
  id                    text PRIMARY KEY,
  tenant_id             text NOT NULL REFERENCES tenants(id),
  number                text NOT NULL,
  type_id               text NOT NULL,
  title                 text NOT NULL,
  description           text NOT NULL DEFAULT '',
  fields_enc            text,
  priority              text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  status                text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'pending_customer', 'resolved', 'closed')),
  assignee_user_id      text REFERENCES users(id),
  assignee_group        text,
  contact_id            text REFERENCES contacts(id),
  source                text NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'conversation')),
  created_by            text NOT NULL,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  first_response_at     timestamptz,
  resolved_at           timestamptz,
  closed_at             timestamptz,
  reopen_count          integer NOT NULL DEFAULT 0,
  first_response_due    timestamptz,
  resolution_due        timestamptz,
  version               integer NOT NULL DEFAULT 1,
  UNIQUE (tenant_id, number),
  FOREIGN KEY (tenant_id, type_id) REFERENCES work_order_types(tenant_id, id)
);
CREATE INDEX work_orders_tenant_created ON work_orders(tenant_id, created_at DESC, id DESC);
CREATE INDEX work_orders_tenant_status ON work_orders(tenant_id, status);
CREATE INDEX work_orders_assignee ON work_orders(tenant_id, assignee_user_id);

CREATE TABLE work_order_links (
  tenant_id        text NOT NULL REFERENCES tenants(id),
  work_order_id    text NOT NULL REFERENCES work_orders(id),
  conversation_id  text NOT NULL REFERENCES conversations(id),
  created_at       timestamptz NOT NULL,
  created_by       text NOT NULL,
  PRIMARY KEY (work_order_id, conversation_id)
);
CREATE INDEX work_order_links_conversation ON work_order_links(tenant_id, conversation_id);

-- Comments: `internal` for staff only, `public` meant for the customer (the first public one by staff is the first
-- response).
CREATE TABLE work_order_comments (
  id             text PRIMARY KEY,
  tenant_id      text NOT NULL REFERENCES tenants(id),
  work_order_id  text NOT NULL REFERENCES work_orders(id),
  visibility     text NOT NULL CHECK (visibility IN ('internal', 'public')),
  body           text NOT NULL,
  author         text NOT NULL,
  author_name    text,
  created_at     timestamptz NOT NULL
);
CREATE INDEX work_order_comments_order ON work_order_comments(work_order_id, created_at);

-- Attachments live in the database, not the data dir: cluster nodes share PostgreSQL but not disks, and a backup
-- of the database is a backup of the work orders. Size is capped per file and per work order.
CREATE TABLE work_order_attachments (
  id             text PRIMARY KEY,
  tenant_id      text NOT NULL REFERENCES tenants(id),
  work_order_id  text NOT NULL REFERENCES work_orders(id),
  filename       text NOT NULL,
  content_type   text NOT NULL,
  size           integer NOT NULL,
  sha256         text NOT NULL,
  data           bytea NOT NULL,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL
);
CREATE INDEX work_order_attachments_order ON work_order_attachments(work_order_id, created_at);

-- A staff member's notifications (a work order assigned to them...), kept so that an agent who was offline sees
-- them later; the live copy goes over the coordination port to their open workbench.
CREATE TABLE notifications (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  user_id     text NOT NULL REFERENCES users(id),
  kind        text NOT NULL,
  ref_id      text NOT NULL,
  title       text NOT NULL,
  created_at  timestamptz NOT NULL,
  read_at     timestamptz
);
CREATE INDEX notifications_user ON notifications(tenant_id, user_id, created_at DESC);
