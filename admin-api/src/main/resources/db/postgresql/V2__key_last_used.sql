-- When a sidecar last saw each key authenticate (as db/V2__key_last_used.sql for SQLite).
CREATE TABLE key_last_used (
    key_id       TEXT PRIMARY KEY REFERENCES keys (id) ON DELETE CASCADE,
    last_used_at BIGINT NOT NULL
);
