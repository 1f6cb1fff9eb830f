import { z } from "zod";
import type { Database } from "./database";
import { rowsAfter, toPage, type Keyset, type KeysetPage } from "./keyset-cursor";

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "dead"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const JobRow = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  payload: z.unknown(),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  last_error: z.string().nullable(),
  result: z.unknown(),
  progress: z.unknown(),
  idempotency_key: z.string().nullable(),
  request_id: z.string().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
  started_at: z.date().nullable(),
  finished_at: z.date().nullable(),
});
export type Job = z.infer<typeof JobRow>;

/** The columns every job query returns: a constant, interpolated raw with `sql.unsafe` (never a value). */
const COLUMNS = `id, name, status, payload, attempts, max_attempts, last_error, result, progress,
  idempotency_key, request_id, created_at, updated_at, started_at, finished_at`;

const parseJobs = (rows: unknown[]): Job[] => rows.map((row) => JobRow.parse(row));

export interface NewJob {
  id: string;
  name: string;
  payload: unknown;
  maxAttempts: number;
  idempotencyKey?: string;
  /** Whose key it is (see EnqueueOptions); keys are unique within a scope. */
  idempotencyScope?: string;
  requestId?: string;
  delaySeconds: number;
}

/** What `insert` did: made the job, or found the one an earlier call made with the same key. */
export type Insertion = { created: true; job: Job } | { created: false; job: Job; samePayload: boolean };

/** One message the consumer wants to run, and how long its claim may last. */
export interface ClaimRequest {
  id: string;
  leaseMs: number;
}

/** The answer to a claim, per job: claimed (with its attempt number) or why not. */
export type ClaimResult =
  | { id: string; claimed: true; attempts: number; maxAttempts: number; progress: unknown }
  | { id: string; claimed: false; status: JobStatus | null; leaseLeftMs: number; outOfAttempts: boolean };

/** How one claimed job ended, written back in one statement for the whole batch. */
export type Completion =
  | { id: string; status: "succeeded"; result: unknown }
  | { id: string; status: "failed"; error: string };

const ClaimRow = z.object({
  id: z.string(),
  claimed: z.boolean(),
  attempts: z.number().int().nullable(),
  max_attempts: z.number().int().nullable(),
  progress: z.unknown(),
  status: z.enum(JOB_STATUSES).nullable(),
  lease_left_ms: z.coerce.number().nullable(),
  out_of_attempts: z.boolean().nullable(),
});

/**
 * Data access for jobs. The consumer's methods each take a whole batch, so a batch of 100
 * messages costs two round trips (claim, complete), not two hundred.
 */
export class JobRepository {
  readonly #sql: Database;

  constructor(sql: Database) {
    this.#sql = sql;
  }

  /**
   * Inserts a queued job; with a key already used, returns that job instead (never two).
   * Safe to retry: the id is the caller's, so a repeat after a lost answer finds its own row.
   */
  async insert(job: NewJob): Promise<Insertion> {
    const payload = JSON.stringify(job.payload);
    const rows = await this.#sql`
      INSERT INTO jobs (id, name, status, payload, max_attempts, idempotency_key, request_id, run_after, idempotency_scope)
      VALUES (${job.id}, ${job.name}, 'queued', ${payload}::jsonb, ${job.maxAttempts}, ${job.idempotencyKey ?? null},
              ${job.requestId ?? null}, now() + ${job.delaySeconds} * interval '1 second', ${job.idempotencyScope ?? ""})
      ON CONFLICT DO NOTHING
      RETURNING ${this.#sql.unsafe(COLUMNS)}`;
    const [created] = parseJobs(rows);
    if (created) return { created: true, job: created };
    const found = await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)}, id = ${job.id} AS ours, (name = ${job.name} AND payload = ${payload}::jsonb) AS same_payload
      FROM jobs WHERE id = ${job.id} OR (idempotency_scope = ${job.idempotencyScope ?? ""} AND idempotency_key = ${job.idempotencyKey ?? null})
      ORDER BY id = ${job.id} DESC LIMIT 1`;
    const [existing] = parseJobs(found);
    if (!existing) throw new Error("A conflicting job vanished between two statements");
    const flags = z.object({ ours: z.boolean(), same_payload: z.boolean() }).parse(found[0]);
    if (flags.ours) return { created: true, job: existing };
    return { created: false, job: existing, samePayload: flags.same_payload };
  }

  async get(id: string): Promise<Job | undefined> {
    return parseJobs(await this.#sql`SELECT ${this.#sql.unsafe(COLUMNS)} FROM jobs WHERE id = ${id}`)[0];
  }

  /** Newest first, optionally of one status, by keyset (see keyset-cursor.ts). */
  async list(options: { status?: JobStatus; limit: number; after?: Keyset }): Promise<KeysetPage<Job>> {
    const status = options.status ?? null;
    const rows = parseJobs(await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)} FROM jobs
      WHERE (${status}::text IS NULL OR status = ${status})
        AND ${rowsAfter(this.#sql, options.after)}
      ORDER BY created_at DESC, id DESC
      LIMIT ${options.limit + 1}`);
    return toPage(rows, options.limit);
  }

  /** Removes a job that never reached the queue (its message could not be sent). */
  async forget(id: string): Promise<void> {
    await this.#sql`DELETE FROM jobs WHERE id = ${id} AND status = 'queued' AND attempts = 0`;
  }

  /**
   * Claims the jobs for this consumer in one statement: a job is claimable when queued,
   * failed with attempts left, or running under a lease that has expired (its consumer
   * died). Each claim counts an attempt. For the others it says why not, so the consumer
   * can ack a finished job's duplicate delivery or come back when a live lease ends.
   * Repeating a claim with the same token (after a lost answer) counts no second attempt.
   */
  async claim(requests: ClaimRequest[], leaseToken: string): Promise<ClaimResult[]> {
    if (requests.length === 0) return [];
    const wanted = JSON.stringify(requests.map((r) => ({ id: r.id, lease_ms: Math.ceil(r.leaseMs) })));
    const rows = await this.#sql`
      WITH wanted AS (
        SELECT * FROM jsonb_to_recordset(${wanted}::jsonb) AS w(id uuid, lease_ms integer)
      ), claimed AS (
        UPDATE jobs j SET
          status = 'running',
          attempts = CASE WHEN j.status = 'running' AND j.lease_token = ${leaseToken} THEN j.attempts ELSE j.attempts + 1 END,
          lease_token = ${leaseToken},
          lease_until = now() + w.lease_ms * interval '1 millisecond',
          started_at = coalesce(j.started_at, now()),
          updated_at = now()
        FROM wanted w
        WHERE j.id = w.id
          AND ((j.status = 'running' AND j.lease_token = ${leaseToken})
            OR (j.attempts < j.max_attempts
                AND (j.status IN ('queued', 'failed') OR (j.status = 'running' AND j.lease_until < now()))))
        RETURNING j.id, j.attempts, j.max_attempts, j.progress
      )
      SELECT w.id::text AS id, c.id IS NOT NULL AS claimed, c.attempts, c.max_attempts, c.progress,
             j.status,
             greatest(0, extract(epoch FROM j.lease_until - now()) * 1000) AS lease_left_ms,
             j.attempts >= j.max_attempts AS out_of_attempts
      FROM wanted w
      LEFT JOIN claimed c ON c.id = w.id
      LEFT JOIN jobs j ON j.id = w.id`;
    return rows.map((raw) => {
      const row = ClaimRow.parse(raw);
      return row.claimed
        ? { id: row.id, claimed: true, attempts: row.attempts ?? 1, maxAttempts: row.max_attempts ?? 1, progress: row.progress }
        : {
            id: row.id,
            claimed: false,
            status: row.status,
            leaseLeftMs: row.lease_left_ms ?? 0,
            outOfAttempts: row.out_of_attempts ?? false,
          };
    });
  }

  /**
   * Writes how each job of a batch ended, in one statement. Only rows still held under
   * `leaseToken` change: a consumer whose lease ran out and was taken over cannot overwrite
   * the new owner's outcome. The token stays on the row until the next claim, so a repeat
   * after a lost answer writes the same again. Returns the ids it wrote.
   */
  async complete(completions: Completion[], leaseToken: string): Promise<Set<string>> {
    if (completions.length === 0) return new Set();
    const records = completions.map((c) =>
      c.status === "succeeded"
        ? { id: c.id, status: c.status, result: c.result ?? null, error: null }
        : { id: c.id, status: c.status, result: null, error: c.error },
    );
    const rows = await this.#sql`
      UPDATE jobs j SET
        status = r.status,
        result = CASE WHEN r.status = 'succeeded' THEN r.result ELSE j.result END,
        last_error = CASE WHEN r.status = 'failed' THEN r.error ELSE j.last_error END,
        finished_at = CASE WHEN r.status = 'succeeded' THEN now() ELSE j.finished_at END,
        lease_until = NULL,
        updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS r(id uuid, status text, result jsonb, error text)
      WHERE j.id = r.id AND j.lease_token = ${leaseToken} AND j.status IN ('running', r.status)
      RETURNING j.id::text AS id`;
    return new Set(rows.map((row) => z.object({ id: z.string() }).parse(row).id));
  }

  /**
   * Marks jobs dead (the dead-letter consumer): out of attempts, their payload kept for a
   * replay. A job that succeeded meanwhile (a late duplicate) stays succeeded.
   */
  async markDead(ids: string[], reason: string): Promise<{ id: string; name: string; attempts: number; last_error: string | null }[]> {
    if (ids.length === 0) return [];
    const rows = await this.#sql`
      UPDATE jobs SET status = 'dead', last_error = coalesce(last_error, ${reason}), finished_at = now(),
        lease_token = NULL, lease_until = NULL, updated_at = now()
      WHERE id = ANY(${ids}::uuid[]) AND status <> 'succeeded'
      RETURNING id::text AS id, name, attempts, last_error`;
    return rows.map((row) =>
      z.object({ id: z.string(), name: z.string(), attempts: z.number().int(), last_error: z.string().nullable() }).parse(row),
    );
  }

  /**
   * Records a message that could not become a running job (not a job at all, an unknown
   * name, a refused payload, no row) as a dead job, so it is visible (GET /jobs?status=dead)
   * instead of lost. `id` is derived from the message: a redelivery records it once.
   */
  async recordDead(dead: { id: string; name: string; payload: unknown; reason: string }): Promise<void> {
    await this.#sql`
      INSERT INTO jobs (id, name, status, payload, max_attempts, last_error, finished_at)
      VALUES (${dead.id}, ${dead.name.slice(0, 200)}, 'dead', ${JSON.stringify(dead.payload ?? null)}::jsonb, 1, ${dead.reason}, now())
      ON CONFLICT (id) DO NOTHING`;
  }

  /** Puts a dead job back in the queue's hands with fresh attempts (its progress is kept). */
  async requeueDead(id: string): Promise<Job | undefined> {
    const rows = await this.#sql`
      UPDATE jobs SET status = 'queued', attempts = 0, result = NULL, finished_at = NULL,
        lease_token = NULL, lease_until = NULL, run_after = now(), updated_at = now()
      WHERE id = ${id} AND status = 'dead'
      RETURNING ${this.#sql.unsafe(COLUMNS)}`;
    return parseJobs(rows)[0];
  }

  /** Undoes `requeueDead` when the message could not be sent. */
  async returnToDead(id: string, reason: string): Promise<void> {
    await this.#sql`
      UPDATE jobs SET status = 'dead', last_error = ${reason}, finished_at = now(), updated_at = now()
      WHERE id = ${id} AND status = 'queued'`;
  }

  /**
   * Jobs queued for a while whose message may never have been sent (the producer died
   * between the insert and the send). Each is marked as re-sent now, so the next sweep
   * leaves it alone for another `olderThanMs`. Re-sending one is safe: a duplicate delivery of a job
   * that is already running or done is recognised by the claim.
   */
  async stranded(olderThanMs: number, limit: number): Promise<Job[]> {
    const rows = await this.#sql`
      UPDATE jobs SET run_after = now()
      WHERE id IN (
        SELECT id FROM jobs
        WHERE status = 'queued' AND run_after < now() - ${olderThanMs} * interval '1 millisecond'
        ORDER BY run_after LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING ${this.#sql.unsafe(COLUMNS)}`;
    return parseJobs(rows);
  }
}
