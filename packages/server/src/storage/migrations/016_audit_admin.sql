-- Administration (issue 6 item 5): the audit log screen filters by actor, by action prefix (`user.` finds every
-- user change; text_pattern_ops lets LIKE 'prefix%' use the index whatever the database collation) and by target.
CREATE INDEX audit_log_tenant_actor ON audit_log(tenant_id, actor, id);
CREATE INDEX audit_log_tenant_action ON audit_log(tenant_id, action text_pattern_ops);
CREATE INDEX audit_log_tenant_target ON audit_log(tenant_id, target);
