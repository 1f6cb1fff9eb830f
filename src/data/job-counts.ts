import { z } from "zod";
import type { Database } from "./database";

const JobCountsRow = z.object({ running: z.number().int(), queued: z.number().int() });

/** Jobs being run now and jobs waiting for a consumer. */
export type JobCounts = z.infer<typeof JobCountsRow>;

/**
 * Counts running and queued jobs in one query, read from the index on `(status, …)`: it
 * touches only the active jobs' entries, never the finished history, so it stays cheap
 * however many jobs have run. Bounded by whatever signal `sql` was built with.
 */
export async function countActiveJobs(sql: Database): Promise<JobCounts> {
  const rows = await sql`
    SELECT count(*) FILTER (WHERE status = 'running')::int AS running,
           count(*) FILTER (WHERE status = 'queued')::int AS queued
    FROM jobs
    WHERE status IN ('running', 'queued')`;
  return JobCountsRow.parse(rows[0]);
}
