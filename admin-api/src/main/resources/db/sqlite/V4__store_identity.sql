-- The store's identity: a random number drawn once, when the store is created (or first upgraded).
-- Replicas remember it with their revision; a store with another id serves them a snapshot.
INSERT INTO meta (name, value) VALUES ('store_id', (abs(random()) % 2147483646) + 1);
