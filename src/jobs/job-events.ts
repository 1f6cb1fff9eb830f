import type { DependencyScope } from "../dependencies/scope";
import type { JobStatus } from "../data/jobs";
import { jobTopic, publishSoon } from "../events/publish";

/** What a job's topic (`job-<id>`) receives on each change of status. */
export interface JobStatusEvent {
  id: string;
  name: string;
  status: JobStatus;
  attempts: number;
  error?: string;
}

/**
 * Tells the job's topic that its status changed (`job.queued`, `job.succeeded`,
 * `job.failed`, `job.dead`), in the background: the event hub being down never fails a job.
 */
export function publishJobStatus(
  scope: Pick<DependencyScope, "env" | "waitUntil">,
  job: { id: string; name: string; attempts: number },
  status: JobStatus,
  error?: string,
): void {
  const data: JobStatusEvent = { id: job.id, name: job.name, status, attempts: job.attempts, ...(error === undefined ? {} : { error }) };
  publishSoon(scope, jobTopic(job.id), { type: `job.${status}`, data }, "jobs");
}
