-- Background jobs: one row per job, the source of truth for its status. The queue message
-- only carries the job to a consumer; claims, attempts, results and errors live here.
CREATE TABLE jobs (
  id              uuid PRIMARY KEY,
  name            text NOT NULL,
  -- queued → running → succeeded; running → failed (will retry) → running …;
  -- out of attempts → dead (kept with its payload, replayable with POST /jobs/{id}/retry).
  status          text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead')),
  payload         jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts    integer NOT NULL CHECK (max_attempts >= 1),
  last_error      text,
  result          jsonb,
  -- Work done so far by a long job (an import's checkpoint), written with the work itself.
  progress        jsonb,
  -- Same key, same job: POST /jobs with a repeated Idempotency-Key finds this row.
  idempotency_key text UNIQUE CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
  request_id      text,
  -- When the queue delivers the message (enqueue time plus delaySeconds). A job still
  -- queued well after it was probably never sent, and is sent again (see the sweeper).
  run_after       timestamptz(3) NOT NULL DEFAULT now(),
  -- The consumer that claimed the job, and until when; a claim past its lease can be taken
  -- over, so a consumer that crashed never strands a job.
  lease_token     uuid,
  lease_until     timestamptz(3),
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now(),
  started_at      timestamptz(3),
  finished_at     timestamptz(3)
);

-- Serves GET /jobs?status=… pages, newest first, by keyset.
CREATE INDEX jobs_status_created_at_id_idx ON jobs (status, created_at DESC, id DESC);
CREATE INDEX jobs_created_at_id_idx ON jobs (created_at DESC, id DESC);
-- Serves the sweeper's look for stranded jobs: only queued ones, by when they were due.
CREATE INDEX jobs_queued_run_after_idx ON jobs (run_after) WHERE status = 'queued';

-- Written by the recompute-product-stats job: aggregates per product…
CREATE TABLE product_stats (
  product_id            uuid PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
  inventory_value_cents bigint NOT NULL,
  -- Where the product's price stands in the catalogue: 0 the cheapest, 1 the dearest.
  price_percentile      double precision NOT NULL,
  computed_at           timestamptz(3) NOT NULL DEFAULT now()
);

-- …and over the whole catalogue (one row).
CREATE TABLE catalog_stats (
  id                    boolean PRIMARY KEY DEFAULT true CHECK (id),
  product_count         integer NOT NULL,
  total_stock           bigint NOT NULL,
  inventory_value_cents bigint NOT NULL,
  average_price_cents   integer,
  computed_at           timestamptz(3) NOT NULL DEFAULT now()
);
