import type { DependencyScope } from "../dependencies/scope";
import type { JobStatus } from "../data/jobs";
import type { EventDataInput } from "../events/catalogue";
import { publishSoon } from "../events/publish";
import { JOBS_TOPIC } from "../events/topics";

/** The statuses a job's events announce (`running` is not one: its claim is not news). */
export type AnnouncedStatus = Exclude<JobStatus, "running">;

/** What the `jobs` topic receives on each change of a job's status (the catalogue's `job.*` data). */
export type JobStatusEvent = EventDataInput<"job.queued">;

export interface JobStatusChange {
  job: { id: string; name: string; attempts: number };
  status: AnnouncedStatus;
  error?: string;
}

const EVENT_TYPES = {
  queued: "job.queued",
  succeeded: "job.succeeded",
  failed: "job.failed",
  dead: "job.dead",
} as const satisfies Record<AnnouncedStatus, `job.${AnnouncedStatus}`>;

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
      return { type: EVENT_TYPES[status], data };
    }),
    "jobs",
  );
}

/** One job's change (see publishJobStatuses). */
export function publishJobStatus(
  scope: Pick<DependencyScope, "env" | "waitUntil">,
  job: { id: string; name: string; attempts: number },
  status: AnnouncedStatus,
  error?: string,
): void {
  publishJobStatuses(scope, [{ job, status, error }]);
}
