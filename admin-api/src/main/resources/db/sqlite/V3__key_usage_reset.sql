-- When an administrator last reset a key's usage (epoch millis; NULL: never). Replicated with the key:
-- a sidecar that sees a new value starts the key on fresh counters.
ALTER TABLE keys ADD COLUMN usage_reset_at INTEGER;
