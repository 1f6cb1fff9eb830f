-- An idempotency key belongs to whoever sent it, on the route they sent it to: two clients
-- (or two routes) may use the same key for two different jobs, and neither can replay or
-- squat the other's. Jobs enqueued by code have the empty scope.
ALTER TABLE jobs ADD COLUMN idempotency_scope text NOT NULL DEFAULT '';
ALTER TABLE jobs DROP CONSTRAINT jobs_idempotency_key_key;
CREATE UNIQUE INDEX jobs_idempotency_scope_key_idx ON jobs (idempotency_scope, idempotency_key);
