import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
// The Worker first: its routes extend zod for the docs before any schema they describe exists.
import worker from "../../src/index";
import { api, uniqueName } from "./helpers";
import { uniqueTopic } from "./events-helpers";
import { ADMIN, getJob, sql, waitForJob, type JobJson } from "./jobs-helpers";
import type { CatalogueEvent } from "../../src/events/catalogue";
import { dispatchToHandlers, handlerJobId } from "../../src/events/dispatch";
import { registerEventHandler } from "../../src/events/handler-registry";
import { statsAfterImport } from "../../src/events/handlers/stats-after-import";
import { onEvent } from "../../src/events/on-event";
import type { ProducerMessage } from "../../src/jobs/envelope";

// Handlers with something to show, subscribed in this isolate: the Worker under test runs in
// the same isolate as the tests, so its consumer runs their jobs. Each takes only the notes
// whose author names it, so no other test's note makes one of its jobs.
const received: CatalogueEvent<"note.posted">[] = [];
const recorder = onEvent(
  "note.posted",
  "test-recorder",
  (event) => {
    received.push(event);
    return Promise.resolve({ text: event.data.text });
  },
  { when: (event) => event.data.author === "recorder", maxAttempts: 2 },
);
registerEventHandler(recorder);

const failing = onEvent("note.posted", "test-failing", () => Promise.reject(new Error("the handler refuses")), {
  when: (event) => event.data.author === "failing",
  maxAttempts: 2,
  initialDelaySeconds: 1,
  maxDelaySeconds: 2,
});
registerEventHandler(failing);

async function postNoteBy(topic: string, author: string, text: string): Promise<CatalogueEvent<"note.posted">> {
  const response = await api(`/events/${topic}`, {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "note.posted", data: { text, author } }),
  });
  expect(response.status).toBe(201);
  return response.json();
}

/** Polls until `read` gives a value (the queue runs on its own). */
async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits for a handler's job to reach one of `statuses`. Its row appears only once the
 * consumer has adopted the message that carries it, so a 404 first means "not yet".
 */
async function waitForHandlerJob(id: string, statuses: JobJson["status"][], timeoutMs = 30_000): Promise<JobJson> {
  await eventually(async () => ((await api(`/jobs/${id}`, { headers: ADMIN })).status === 200 ? true : undefined), timeoutMs);
  return waitForJob(id, statuses, timeoutMs);
}

/** A fake jobs queue that keeps what is sent to it: what dispatch decided, with no job run. */
function recordingQueue() {
  const sent: ProducerMessage[] = [];
  const queue = {
    send: (body: ProducerMessage) => {
      sent.push(body);
      return Promise.resolve();
    },
    sendBatch: (messages: Iterable<{ body: ProducerMessage }>) => {
      for (const message of messages) sent.push(message.body);
      return Promise.resolve();
    },
  };
  return { env: { ...env, JOBS: queue as unknown as Queue }, sent };
}

const jobEvent = (name: string, id = crypto.randomUUID()): CatalogueEvent => ({
  id: 1,
  topic: "jobs",
  type: "job.succeeded",
  time: new Date().toISOString(),
  data: { id, name, status: "succeeded", attempts: 1 },
  source: "jobs",
});

describe("event handlers", () => {
  it("a published event reaches its handler through the jobs queue, typed as the catalogue says", async () => {
    const topic = uniqueTopic();
    const event = await postNoteBy(topic, "recorder", `hello ${crypto.randomUUID()}`);
    const job = await waitForHandlerJob(await handlerJobId(recorder, event), ["succeeded", "dead"]);
    expect(job).toMatchObject({ name: "on-event:test-recorder", status: "succeeded", attempts: 1, result: { text: event.data.text } });
    expect(job.payload).toEqual({ event });
    expect(received.filter((seen) => seen.topic === topic)).toEqual([event]);
  });

  it("retries a failing handler with backoff, then dead-letters its job: never lost, replayable", async () => {
    const event = await postNoteBy(uniqueTopic(), "failing", "this will not be handled");
    const id = await handlerJobId(failing, event);
    const dead = await waitForHandlerJob(id, ["dead"]);
    expect(dead).toMatchObject({ name: "on-event:test-failing", attempts: 2, last_error: "Error: the handler refuses" });
    expect(dead.payload).toEqual({ event });
    const replay = await api(`/jobs/${id}/retry`, { method: "POST", headers: ADMIN });
    expect(replay.status).toBe(202);
    expect((await waitForJob(id, ["dead"], 30_000)).attempts).toBe(2);
  }, 60_000);

  it("runs a handler once per event, however often its message is delivered", async () => {
    const event: CatalogueEvent<"note.posted"> = {
      id: 1,
      topic: uniqueTopic(),
      type: "note.posted",
      time: new Date().toISOString(),
      data: { text: "delivered twice", author: "recorder" },
      source: "test",
    };
    const body: ProducerMessage = { name: recorder.job.name, payload: { event }, id: await handlerJobId(recorder, event) };
    for (const attempts of [1, 2]) {
      const batch = createMessageBatch("edgekit-jobs", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    }
    expect(received.filter((seen) => seen.topic === event.topic)).toHaveLength(1);
    expect(await getJob(body.id ?? "")).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("makes a job only for the events a handler takes, one per handler, and none for a handler's own job", async () => {
    const queue = recordingQueue();
    const importJob = crypto.randomUUID();
    const imported = jobEvent("import-products", importJob);
    const note = (author: string): CatalogueEvent => ({ ...jobEvent("x"), type: "note.posted", topic: "t", data: { text: "hi", author } });
    const sent = await dispatchToHandlers(queue.env, [
      imported,
      jobEvent("recompute-product-stats"),
      // A handler's own success would make a job for itself, forever.
      jobEvent("on-event:stats-after-import"),
      note("somebody"),
      note("recorder"),
    ]);
    expect(sent).toBe(2);
    expect(queue.sent.map((message) => message.name)).toEqual(["on-event:stats-after-import", "on-event:test-recorder"]);
    expect(queue.sent[0]).toMatchObject({ payload: { event: { type: "job.succeeded", data: { id: importJob } } } });
    // The same event, sent again, is the same job; another event of the topic is another.
    const again = recordingQueue();
    await dispatchToHandlers(again.env, [imported, { ...imported, id: 2 }]);
    expect(again.sent.map((message) => message.id)).toEqual([queue.sent[0]?.id, expect.any(String)]);
    expect(again.sent[1]?.id).not.toBe(queue.sent[0]?.id);
  });

  it("the example: a product import that succeeds has the catalogue's statistics recomputed", async () => {
    const prefix = uniqueName("stats");
    const upload = await api("/imports", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "text/csv" },
      body: `name,price_cents,stock\n${prefix} a,100,2\n${prefix} b,300,1\n`,
    });
    expect(upload.status).toBe(202);
    const imported = await waitForJob((await upload.json<JobJson>()).id, ["succeeded"], 30_000);
    const handlerJob = await eventually(async () => {
      const [row] = await sql()`
        SELECT id FROM jobs WHERE name = ${statsAfterImport.job.name} AND payload->'event'->'data'->>'id' = ${imported.id}`;
      return row ? String(row.id) : undefined;
    });
    const done = await waitForJob(handlerJob, ["succeeded"], 30_000);
    expect(done.result).toMatchObject({ productsUpdated: expect.any(Number), catalog: { productCount: expect.any(Number) } });
    const stats = await sql()`
      SELECT p.name, s.inventory_value_cents::int AS value FROM products p JOIN product_stats s ON s.product_id = p.id
      WHERE p.name LIKE ${`${prefix}%`} ORDER BY p.name`;
    expect(stats).toEqual([
      { name: `${prefix} a`, value: 200 },
      { name: `${prefix} b`, value: 300 },
    ]);
    // Jobs other than imports make none.
    const [others] = await sql()`
      SELECT count(*)::int AS n FROM jobs WHERE name = ${statsAfterImport.job.name} AND payload->'event'->'data'->>'name' <> 'import-products'`;
    expect(others?.n).toBe(0);
  }, 60_000);
});
