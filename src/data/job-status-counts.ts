import { z } from "zod";
import type { Database } from "./database";
import { JOB_STATUSES } from "./jobs";

/** The statuses counted per job name: every one but `succeeded`, the history that only grows. */
export const UNFINISHED_STATUSES = ["queued", "running", "failed", "dead"] as const satisfies readonly (typeof JOB_STATUSES)[number][];

const CountRow = z.object({ name: z.string(), status: z.enum(UNFINISHED_STATUSES), count: z.number().int() });

/** How many jobs of one name are in one status. */
export type JobStatusCount = z.infer<typeof CountRow>;

/**
 * Jobs per name and status, for the statuses that need an operator's eye (waiting, running,
 * failed with attempts left, dead), in one query read from the index on `(status, …)`:
 * succeeded jobs, the bulk of the table, are never touched. (Their throughput is in the
 * metrics, per job name.) Bounded by whatever signal `sql` was built with.
 */
export async function countUnfinishedJobs(sql: Database): Promise<JobStatusCount[]> {
  const rows = await sql`
    SELECT name, status, count(*)::int AS count
    FROM jobs
    WHERE status IN ('queued', 'running', 'failed', 'dead')
    GROUP BY name, status
    ORDER BY name, status`;
  return rows.map((row) => CountRow.parse(row));
}
