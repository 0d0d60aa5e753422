-- When a sidecar last saw each key authenticate. Kept apart from keys: it changes with traffic, not
-- with admin actions, so it allocates no revision and never reaches the replication change log.
CREATE TABLE key_last_used (
    key_id       TEXT PRIMARY KEY REFERENCES keys(id) ON DELETE CASCADE,
    last_used_at INTEGER NOT NULL
);
