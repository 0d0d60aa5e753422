-- When an administrator last reset a key's usage (as db/V3__key_usage_reset.sql for SQLite).
ALTER TABLE keys ADD COLUMN usage_reset_at BIGINT;
