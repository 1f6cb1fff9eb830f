import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import worker from "../../src/index";
import { postAlert, pendingDelivery } from "../../src/alerts/deliver";
import { readConfig } from "../../src/config/config";
import { defineJob, PermanentJobError } from "../../src/jobs/define-job";
import { enqueueUnchecked } from "../../src/jobs/enqueue";
import { registerJob } from "../../src/jobs/registry";
import { emptyAggregate, routeEntry } from "../../src/observability/aggregate";
import { ANONYMOUS, api } from "./helpers";
import { ADMIN, waitForJob } from "./jobs-helpers";
import { captureLogs } from "./log-capture";

// Faults are real: the stack's control endpoint stops and starts the Neon server. Alerts go
// to an inbox of their own (ALERT_WEBHOOK_URL, vitest.config.ts), and a firing alert
// resolves after one second of calm there (ALERT_RESOLVE_AFTER_SECONDS).
const logs = captureLogs();
const control = (path: string) => fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: "{}" });
const admin = (path: string, method = "GET") => api(path, { method, headers: ADMIN });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface AlertsJson {
  rules: { id: string; description: string; firing: boolean; since?: string; value?: number }[];
  history: { id: string; state: "firing" | "resolved"; at: string; since: string; value?: number; message: string }[];
  webhook: { configured: boolean; pending: number };
}
interface Delivery {
  key: string | null;
  count: number;
  body: { service: string; id: string; state: "firing" | "resolved"; at: string; since: string; message: string; description: string; value?: number };
}

async function alerts(): Promise<AlertsJson> {
  const response = await admin("/admin/alerts");
  expect(response.status).toBe(200);
  return response.json();
}
const rule = async (id: string) => (await alerts()).rules.find((r) => r.id === id);

/** What the alerts' inbox received for one episode of one rule (every rule shares the inbox). */
async function deliveries(id: string, since: string): Promise<Delivery[]> {
  const response = await fetch(`${inject("alertInboxUrl")}/webhooks/alerts`);
  const { deliveries: all } = await response.json<{ deliveries: Delivery[] }>();
  return all.filter((d) => d.body.id === id && d.body.since === since);
}

/** Retries `check` until it returns a value, for what the background (alarms, waitUntil) does in real time. */
async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`${what}: not reached in ${String(timeoutMs)} ms`);
    await sleep(100);
  }
}

const breakerState = async (name: string) => {
  const { breakers } = await (await admin("/admin/breakers")).json<{ breakers: { name: string; view: { state: string } }[] }>();
  return breakers.find((b) => b.name === name)?.view.state;
};

afterEach(async () => {
  await control("/neon/reset");
  for (const name of ["neon", "webhooks"]) await admin(`/admin/breakers/${name}/reset`, "POST");
});

describe("GET /admin/alerts", () => {
  it("lists every rule with its state, and the webhook, to admins only", async () => {
    expect((await api("/admin/alerts", {}, ANONYMOUS)).status).toBe(401);
    const body = await alerts();
    expect(body.rules.map((r) => r.id)).toEqual(["breaker-open:neon", "breaker-open:redis", "breaker-open:reviews", "breaker-open:webhooks", "http-5xx-ratio", "dead-letters"]);
    for (const r of body.rules) expect(r).toMatchObject({ description: expect.any(String), firing: expect.any(Boolean) });
    expect(body.webhook.configured).toBe(true);
    expect(Array.isArray(body.history)).toBe(true);
  });
});

// Dead jobs of this file's own: a job refused for good goes to the dead-letter queue at once.
const doomed = defineJob(`test-alerts-doomed-${crypto.randomUUID().slice(0, 8)}`, z.object({}), () => Promise.reject(new PermanentJobError("never")), { maxAttempts: 3 });
registerJob(doomed);

describe("dead-letter alert (jobs that really die)", () => {
  it("fires once more jobs than ALERT_DEAD_LETTERS_PER_WINDOW end dead within the window", async () => {
    const threshold = readConfig(env).ALERT_DEAD_LETTERS_PER_WINDOW;
    const scope = { env, signal: AbortSignal.timeout(10_000), waitUntil: () => undefined };
    const jobs = await Promise.all(Array.from({ length: threshold + 1 }, () => enqueueUnchecked(scope, doomed.name, {})));
    for (const { job } of jobs) await waitForJob(job.id, ["dead"]);

    // Whatever other files left in the window, these alone are over the threshold.
    const state = await eventually(async () => {
      const r = await rule("dead-letters");
      return r?.firing && (r.value ?? 0) > threshold ? r : undefined;
    }, "dead-letters firing");
    const since = state.since ?? "";
    const [fired, ...more] = await eventually(async () => {
      const found = await deliveries("dead-letters", since);
      return found.length > 0 ? found : undefined;
    }, "firing delivered");
    expect(more).toEqual([]);
    expect(fired).toMatchObject({ count: 1, body: { state: "firing", value: expect.any(Number) } });
  });
});

describe("5xx-ratio alert (a metrics object of its own, fed the batches isolates send)", () => {
  // The fleet's object sees every test file's traffic; one of its own makes the ratio exact.
  it("fires above the ratio, holds while it lasts, and resolves when the window is healthy again", async () => {
    const object = env.METRICS.get(env.METRICS.idFromName(`alerts-test-${crypto.randomUUID()}`));
    const batch = (requests: number, serverErrors: number) => {
      const b = emptyAggregate();
      Object.assign(routeEntry(b, "GET", "/products/{id}"), { count: requests, errors: serverErrors });
      return b;
    };
    await object.ingest(batch(40, 10));
    const report = await object.alerts();
    const firing = report.rules.find((r) => r.id === "http-5xx-ratio");
    expect(firing).toMatchObject({ firing: true, value: 0.25 });
    const since = firing?.since ?? "";

    await object.ingest(batch(40, 10)); // still failing: no second notification
    await object.ingest(batch(2_000, 0)); // 20 of 2,080: under 5 %
    const resolved = await eventually(async () => {
      const { rules, history } = await object.alerts();
      return rules.find((r) => r.id === "http-5xx-ratio")?.firing === false ? history : undefined;
    }, "http-5xx-ratio resolved");
    expect(resolved.filter((e) => e.since === since).map((e) => e.state)).toEqual(["resolved", "firing"]);
    const episode = await eventually(async () => {
      const found = await deliveries("http-5xx-ratio", since);
      return found.length >= 2 ? found : undefined;
    }, "both delivered");
    expect(episode.map((d) => [d.body.state, d.count, d.body.value])).toEqual([
      ["firing", 1, 0.25],
      ["resolved", 1, 0.0096],
    ]);
  });
});

describe("alert delivery", () => {
  const config = () => readConfig(env);
  const delivery = () =>
    pendingDelivery({ id: "test", state: "firing", at: new Date().toISOString(), since: new Date().toISOString(), message: "test" }, "a test", Date.now());
  const inbox = inject("alertInboxUrl");

  it("POSTs the notification with its Idempotency-Key", async () => {
    const pending = delivery();
    expect(await postAlert(`${inbox}/webhooks/alert-delivery`, pending, config())).toEqual({ kind: "delivered" });
    const { deliveries: received } = await (await fetch(`${inbox}/webhooks/alert-delivery`)).json<{ deliveries: Delivery[] }>();
    expect(received.find((d) => d.key === pending.key)?.body).toMatchObject({ service: "edgekit", id: "test", description: "a test" });
  });

  it("retries what may pass later (5xx, timeout) and drops what will not (4xx, redirect, a URL the policy refuses)", async () => {
    expect(await postAlert(`${inbox}/webhooks/x?status=503`, delivery(), config())).toMatchObject({ kind: "retry" });
    expect(await postAlert(inject("hangingServerUrl"), delivery(), config())).toMatchObject({ kind: "retry" });
    expect(await postAlert(`${inbox}/webhooks/x?status=404`, delivery(), config())).toMatchObject({ kind: "dropped" });
    expect(await postAlert(`${inbox}/webhooks/x?redirect=/webhooks/y`, delivery(), config())).toMatchObject({ kind: "dropped" });
    expect(await postAlert("http://127.0.0.1:1/alerts", delivery(), config())).toEqual({
      kind: "dropped",
      error: "ALERT_WEBHOOK_URL is refused by the outbound URL policy: only https URLs are allowed",
    });
    expect(await postAlert("https://169.254.169.254/latest", delivery(), config())).toMatchObject({ kind: "dropped", error: expect.stringContaining("link-local") });
  });
});

// Last in the file: a real outage spends this isolate's retry budget for its window (10 s),
// so a transient error just after it would not be retried.
describe("circuit breaker alert (a real outage)", () => {
  it("fires when Postgres stops and the breaker opens, resolves once it is back: one notification each", async () => {
    // From a closed breaker and a resolved rule (an earlier file may have left an episode).
    await admin("/admin/breakers/neon/reset", "POST");
    await eventually(async () => (await rule("breaker-open:neon"))?.firing === false, "neon alert resolved before the test");

    await control("/neon/stop");
    const firing = await eventually(async () => {
      await admin("/jobs?limit=1");
      const state = await rule("breaker-open:neon");
      return state?.firing ? state : undefined;
    }, "breaker-open:neon firing");
    expect(firing.since).toEqual(expect.any(String));
    const since = firing.since ?? "";
    expect(await breakerState("neon")).toMatch(/^(OPEN|HALF_OPEN)$/);
    expect(logs.logged()).toContainEqual(expect.objectContaining({ level: "warn", msg: "alert firing", alert: "breaker-open:neon", since }));

    const [fired] = await eventually(async () => {
      const found = await deliveries("breaker-open:neon", since);
      return found.length > 0 ? found : undefined;
    }, "firing delivered");
    expect(fired).toMatchObject({ key: `edgekit:breaker-open:neon:${since}:firing`, count: 1, body: { service: "edgekit", state: "firing", since } });

    // Still down: more failed requests, breaker turns (OPEN → HALF_OPEN → OPEN) and cron checks notify nobody again.
    for (let i = 0; i < 5; i++) await admin("/jobs?limit=1");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env, ctx).catch(() => undefined); // the sweep fails: no database
    await waitOnExecutionContext(ctx);
    expect((await rule("breaker-open:neon"))?.firing).toBe(true);

    await control("/neon/start");
    await eventually(async () => (await admin("/jobs?limit=1")).status === 200 && (await breakerState("neon")) === "CLOSED", "neon breaker closed again");
    const resolved = await eventually(async () => {
      const { history, rules } = await alerts();
      const event = history.find((e) => e.id === "breaker-open:neon" && e.since === since && e.state === "resolved");
      return event && rules.find((r) => r.id === "breaker-open:neon")?.firing === false ? event : undefined;
    }, "breaker-open:neon resolved");
    expect(resolved.message).toBe("The neon circuit breaker is CLOSED.");

    const episode = await eventually(async () => {
      const found = await deliveries("breaker-open:neon", since);
      return found.length >= 2 ? found : undefined;
    }, "resolution delivered");
    expect(episode.map((d) => [d.body.state, d.count])).toEqual([
      ["firing", 1],
      ["resolved", 1],
    ]);
  });

  it("counts a breaker an operator holds open; the cron's check adds no second notification", async () => {
    await admin("/admin/breakers/webhooks/reset", "POST");
    await eventually(async () => (await rule("breaker-open:webhooks"))?.firing === false, "webhooks alert resolved before the test");
    expect((await admin("/admin/breakers/webhooks/open", "POST")).status).toBe(200);
    const since = await eventually(async () => (await rule("breaker-open:webhooks"))?.since, "breaker-open:webhooks firing");

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await rule("breaker-open:webhooks")).toMatchObject({ firing: true, since });

    await admin("/admin/breakers/webhooks/reset", "POST");
    await eventually(async () => (await rule("breaker-open:webhooks"))?.firing === false, "breaker-open:webhooks resolved");
    const episode = await eventually(async () => {
      const found = await deliveries("breaker-open:webhooks", since);
      return found.length >= 2 ? found : undefined;
    }, "both delivered");
    expect(episode.map((d) => [d.body.state, d.count])).toEqual([
      ["firing", 1],
      ["resolved", 1],
    ]);
  });
});
