-- ListAuditRecords filters by actor and by action (each ANDed with the others), newest first: an
-- index per filter, ending with the id the listing orders and pages by.
CREATE INDEX audit_by_actor ON audit (actor_key_id, id);
CREATE INDEX audit_by_action ON audit (action, id);
