import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { api } from "./helpers";
import { createDatabase } from "../../src/data/database";

export const ADMIN = { Authorization: "Bearer test-admin-token" };

export interface JobJson {
  id: string;
  name: string;
  status: "queued" | "running" | "succeeded" | "failed" | "dead";
  payload: unknown;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  result: unknown;
  progress: unknown;
  idempotency_key: string | null;
  request_id: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** POST /jobs as the admin; returns the response (202 expected). */
export function postJob(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return api("/jobs", {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

export async function enqueueJob(body: unknown, headers: Record<string, string> = {}): Promise<JobJson> {
  const response = await postJob(body, headers);
  const text = await response.text();
  expect(response.status, text).toBe(202);
  return JSON.parse(text) as JobJson;
}

export async function getJob(id: string): Promise<JobJson> {
  const response = await api(`/jobs/${id}`, { headers: ADMIN });
  expect(response.status).toBe(200);
  return response.json();
}

/**
 * Polls GET /jobs/{id} until the job reaches one of `statuses` (the queue runs on its own).
 * A 503 while polling is another poll, not a failure: the database may be busy with the
 * queue's other work (a sweep re-sends every stranded job it finds), and the guard answers
 * 503 rather than wait; anything else but 200 fails at once.
 */
export async function waitForJob(id: string, statuses: JobJson["status"][], timeoutMs = 15_000): Promise<JobJson> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const response = await api(`/jobs/${id}`, { headers: ADMIN });
    if (response.status !== 503) {
      expect(response.status).toBe(200);
      const job = await response.json<JobJson>();
      if (statuses.includes(job.status)) return job;
      if (Date.now() > until) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    } else {
      await response.body?.cancel();
      if (Date.now() > until) throw new Error(`job ${id}: GET /jobs/{id} still 503 after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A query straight at the test database (through the local Neon endpoint), to reconcile. */
export function sql() {
  return createDatabase(env, AbortSignal.timeout(10_000));
}
