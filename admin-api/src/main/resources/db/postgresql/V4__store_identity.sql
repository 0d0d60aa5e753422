-- The store's identity (as db/V4__store_identity.sql for SQLite): drawn once, when the store is created.
INSERT INTO meta (name, value) VALUES ('store_id', floor(random() * 2147483646)::bigint + 1);
