-- Human service (issue 5): skill groups, agent profiles, the durable queue, assignments, quick replies.
-- Live state (presence, routing locks, notifications) is in the coordination port, not here (docs/HUMAN-SERVICE.md).

CREATE TABLE service_groups (
  tenant_id     text NOT NULL REFERENCES tenants(id),
  id            text NOT NULL,
  name_zh       text NOT NULL,
  name_en       text NOT NULL,
  strategy      text NOT NULL DEFAULT 'least_busy' CHECK (strategy IN ('least_busy', 'round_robin', 'last_agent')),
  -- null: always open; else {timeZone, weekly: {sun..sat: [{start, end}]}}
  working_hours jsonb,
  out_of_hours  jsonb NOT NULL DEFAULT '{}',
  -- {categories, entryIds, queues, languages}: which traffic maps here
  routing       jsonb NOT NULL DEFAULT '{}',
  is_default    boolean NOT NULL DEFAULT false,
  sort          integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX service_groups_one_default ON service_groups(tenant_id) WHERE is_default;

-- An agent is a user whose role has service:agent, with this profile.
CREATE TABLE service_agents (
  tenant_id       text NOT NULL REFERENCES tenants(id),
  user_id         text NOT NULL REFERENCES users(id),
  display_name    text NOT NULL,
  max_concurrent  integer NOT NULL DEFAULT 3 CHECK (max_concurrent BETWEEN 1 AND 50),
  groups          text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id)
);

-- The queue: one row per waiting conversation. Taking a conversation is deleting its row (the compare-and-set that
-- makes a double assignment impossible). rank_at orders the queue: arrival minus priority × the aging step, so a
-- priority point is worth a fixed waiting time and every customer's turn comes (routing.ts queueRank).
CREATE TABLE service_queue (
  conversation_id   text PRIMARY KEY REFERENCES conversations(id),
  tenant_id         text NOT NULL REFERENCES tenants(id),
  group_id          text NOT NULL,
  priority          integer NOT NULL DEFAULT 0,
  reason            text,
  note              text,
  rank_at           timestamptz NOT NULL,
  -- when the customer first asked for a person (kept across transfers and requeues)
  waiting_since     timestamptz NOT NULL,
  enqueued_at       timestamptz NOT NULL DEFAULT now(),
  -- last sign of the customer (a message, an open widget); a queued customer gone too long is removed
  customer_seen_at  timestamptz NOT NULL DEFAULT now(),
  preferred_agent   text,
  -- the customer's language (zh, en): the notices they get when assigned
  lang              text
);
CREATE INDEX service_queue_group ON service_queue(tenant_id, group_id, rank_at);

-- Who serves a conversation: one active primary agent at most (the unique index is the last line of defence), and
-- agents who joined (supervisors). History stays: ended rows feed the last-agent strategy, ETA and reports.
CREATE TABLE service_assignments (
  id             text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES conversations(id),
  tenant_id      text NOT NULL REFERENCES tenants(id),
  agent_id       text NOT NULL REFERENCES users(id),
  group_id       text,
  role           text NOT NULL DEFAULT 'primary' CHECK (role IN ('primary', 'joined')),
  via            text NOT NULL,
  -- kept so that a requeue (transfer to a group, a vanished agent) keeps the customer's priority and waiting time
  priority       integer NOT NULL DEFAULT 0,
  waiting_since  timestamptz,
  assigned_at    timestamptz NOT NULL DEFAULT now(),
  ended_at       timestamptz,
  end_reason     text,
  last_read_seq  integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX service_assignments_one_primary ON service_assignments(conversation_id) WHERE role = 'primary' AND ended_at IS NULL;
CREATE UNIQUE INDEX service_assignments_one_per_agent ON service_assignments(conversation_id, agent_id) WHERE ended_at IS NULL;
CREATE INDEX service_assignments_agent_active ON service_assignments(tenant_id, agent_id) WHERE ended_at IS NULL;
CREATE INDEX service_assignments_agent_time ON service_assignments(tenant_id, agent_id, assigned_at);
CREATE INDEX service_assignments_group_ended ON service_assignments(tenant_id, group_id, ended_at) WHERE ended_at IS NOT NULL;

-- Team (owner_id null) and personal quick replies (快捷回复).
CREATE TABLE service_quick_replies (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  owner_id    text REFERENCES users(id),
  title       text NOT NULL,
  text        text NOT NULL,
  sort        integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_quick_replies_tenant ON service_quick_replies(tenant_id, owner_id);

-- Queue priority of a known customer: VIP (from the bank's customer level) and the elderly direct line (敬老专线).
CREATE TABLE service_contact_flags (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  contact_id  text NOT NULL REFERENCES contacts(id),
  vip         boolean NOT NULL DEFAULT false,
  elderly     boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, contact_id)
);

-- The repair sweep looks for conversations waiting for a person that lost their queue row or agent.
CREATE INDEX conversations_with_people ON conversations(updated_at) WHERE status IN ('handoff', 'agent');
