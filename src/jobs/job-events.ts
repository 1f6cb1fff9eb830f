import type { DependencyScope } from "../dependencies/scope";
import type { JobStatus } from "../data/jobs";
import { publishSoon } from "../events/publish";
import { JOBS_TOPIC } from "../events/topics";

/** What the `jobs` topic receives on each change of a job's status. */
export interface JobStatusEvent {
  id: string;
  name: string;
  status: JobStatus;
  attempts: number;
  error?: string;
}

export interface JobStatusChange {
  job: { id: string; name: string; attempts: number };
  status: JobStatus;
  error?: string;
}

/**
 * Tells the `jobs` topic that jobs changed status (`job.queued`, `job.succeeded`,
 * `job.failed`, `job.dead`), all in one call and in the background: the event hub being
 * down never fails a job.
 */
export function publishJobStatuses(scope: Pick<DependencyScope, "env" | "waitUntil">, changes: JobStatusChange[]): void {
  publishSoon(
    scope,
    JOBS_TOPIC,
    changes.map(({ job, status, error }) => {
      const data: JobStatusEvent = { id: job.id, name: job.name, status, attempts: job.attempts, ...(error === undefined ? {} : { error }) };
      return { type: `job.${status}`, data };
    }),
    "jobs",
  );
}

/** One job's change (see publishJobStatuses). */
export function publishJobStatus(
  scope: Pick<DependencyScope, "env" | "waitUntil">,
  job: { id: string; name: string; attempts: number },
  status: JobStatus,
  error?: string,
): void {
  publishJobStatuses(scope, [{ job, status, error }]);
}
