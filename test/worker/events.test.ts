import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ANONYMOUS, api, createKey, createProduct, expectProblem, sendJson } from "./helpers";
import { publishBatch } from "../../src/events/publish";
import { createTopic, postNote, publishEvent, subscribe, uniqueTopic } from "./events-helpers";
import { ADMIN, enqueueJob, waitForJob } from "./jobs-helpers";

describe("WebSocket subscribers", () => {
  it("two subscribers receive published events in order, numbered per topic", async () => {
    const topic = await createTopic();
    const [a, b] = await Promise.all([subscribe(topic), subscribe(topic)]);
    for (let i = 1; i <= 5; i++) await postNote(topic, `note ${String(i)}`);
    for (const subscriber of [a, b]) {
      const events = await subscriber.untilEvents(5);
      expect(events.map((e) => e.id)).toEqual([2, 3, 4, 5, 6]);
      expect(events.map((e) => (e.data as { text: string }).text)).toEqual(["note 1", "note 2", "note 3", "note 4", "note 5"]);
      expect(events[0]).toMatchObject({ topic, type: "note.posted", source: "api", time: expect.any(String) });
    }
    a.close();
    b.close();
  });

  it("applies type and field filters in the hub", async () => {
    const topic = await createTopic();
    const typed = await subscribe(topic, "types=b,c");
    const where = await subscribe(topic, "where=data.status=dead&where=data.n!=2");
    await publishEvent(topic, "a", { status: "dead", n: 1 });
    await publishEvent(topic, "b", { status: "alive", n: 1 });
    await publishEvent(topic, "c", { status: "dead", n: 2 });
    await publishEvent(topic, "d", { status: "dead", n: 3 });
    await publishEvent(topic, "end");
    expect((await typed.untilEvents(2)).map((e) => e.type)).toEqual(["b", "c"]);
    expect((await where.untilEvents(2)).map((e) => e.type)).toEqual(["a", "d"]);
    const all = await subscribe(topic, "since=1");
    expect((await all.untilEvents(5)).map((e) => e.id)).toEqual([2, 3, 4, 5, 6]);
  });

  it("a reconnect with since replays exactly the missed events, then continues live", async () => {
    const topic = await createTopic();
    const first = await subscribe(topic);
    for (let i = 0; i < 3; i++) await publishEvent(topic, "tick");
    const seen = await first.untilEvents(3);
    first.close();
    await publishEvent(topic, "missed");
    await publishEvent(topic, "missed");

    const again = await subscribe(topic, `since=${String(seen.at(-1)?.id)}`);
    await publishEvent(topic, "live");
    const events = await again.untilEvents(3);
    expect(events.map((e) => [e.id, e.type])).toEqual([
      [5, "missed"],
      [6, "missed"],
      [7, "live"],
    ]);
    // The replay came before `ready`, the live event after it.
    expect(again.frames.map((f) => f.control ?? f.id)).toEqual([5, 6, "ready", 7]);
  });

  it("says so when the history no longer reaches `since`", async () => {
    const topic = uniqueTopic();
    const history = Number(env.EVENT_HISTORY_SIZE);
    const stub = env.EVENT_HUB.get(env.EVENT_HUB.idFromName(topic));
    for (let i = 0; i < history + 2; i++) void stub.publishMany([{ topic, type: "bulk", data: null, source: "test" }]);
    const late = await subscribe(topic, "since=1&types=none");
    expect(late.frames[0]).toMatchObject({ control: "gap", oldestAvailableId: 3, requestedSince: 1 });
  });

  it("stores a batch larger than the history in one publish: numbered in order, trimmed to the history, replayed whole", async () => {
    const topic = uniqueTopic();
    const history = Number(env.EVENT_HISTORY_SIZE);
    const count = history + 100;
    const published = await publishBatch(env, topic, Array.from({ length: count }, (_, i) => ({ type: `t${String(i % 3)}`, data: { n: i + 1 } })), "test");
    expect(published.map((event) => event.id)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    const stats = await (await api(`/events/${topic}/stats`)).json();
    expect(stats).toMatchObject({ published: count, historySize: history, lastEventId: count });
    const late = await subscribe(topic, "since=1");
    expect(late.frames[0]).toMatchObject({ control: "gap", oldestAvailableId: count - history + 1, requestedSince: 1 });
    const replayed = await late.untilEvents(history);
    expect(replayed.map((event) => event.id)).toEqual(Array.from({ length: history }, (_, i) => count - history + 1 + i));
    expect(replayed.at(0)).toMatchObject({ type: `t${String((count - history) % 3)}`, data: { n: count - history + 1 } });
    expect(replayed.at(-1)).toMatchObject({ type: `t${String((count - 1) % 3)}`, data: { n: count } });
    late.close();
  });

  it("subscriptions survive the hub's eviction (hibernation)", async () => {
    const topic = await createTopic();
    const subscriber = await subscribe(topic, "types=after");
    await publishEvent(topic, "before");
    await evictDurableObject(env.EVENT_HUB.get(env.EVENT_HUB.idFromName(topic)));
    await publishEvent(topic, "after", { survived: true });
    const [event] = await subscriber.untilEvents(1);
    expect(event).toMatchObject({ id: 3, type: "after", data: { survived: true } });
  });

  it("closes a subscriber that cannot keep up, while the others keep receiving", async () => {
    const topic = await createTopic();
    const window = Number(env.EVENT_MAX_UNACKED);
    const fast = await subscribe(topic);
    const slow = await subscribe(topic, "", { autoAck: false }); // reads, never acknowledges
    const count = window * 3;
    for (let i = 0; i < count; i++) await publishEvent(topic, "tick", { i });
    const events = await fast.untilEvents(count, 15_000);
    expect(events.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: count }, (_, i) => i));
    await slow.until(() => slow.closed !== undefined);
    expect(slow.closed).toMatchObject({ code: 4008, reason: expect.stringContaining("too slow") });
    expect(slow.events).toHaveLength(window);
    const stats = await (await api(`/events/${topic}/stats`)).json<{ subscribers: { websocket: number } }>();
    expect(stats.subscribers.websocket).toBe(1);
  });

  it("answers pings, and malformed frames with an error frame instead of a crash", async () => {
    const topic = await createTopic();
    const subscriber = await subscribe(topic);
    subscriber.socket.send(JSON.stringify({ type: "ping" }));
    subscriber.socket.send("{not json");
    subscriber.socket.send(JSON.stringify({ type: "dance" }));
    subscriber.socket.send("x".repeat(10_000));
    subscriber.socket.send(JSON.stringify({ type: "ack", id: 0 })); // no answer
    await subscriber.until((frames) => frames.length >= 5);
    expect(subscriber.frames.slice(1).map((f) => [f.control, typeof f.error])).toEqual([
      ["pong", "undefined"],
      ["error", "string"],
      ["error", "string"],
      ["error", "string"],
    ]);
    await publishEvent(topic, "still-here");
    expect((await subscriber.untilEvents(1))[0]?.type).toBe("still-here");
  });
});

describe("SSE subscribers", () => {
  async function readSse(response: Response, count: number): Promise<{ id?: string; event?: string; data?: string }[]> {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const messages: { id?: string; event?: string; data?: string }[] = [];
    while (messages.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      const blocks = text.split("\n\n");
      text = blocks.pop() ?? "";
      for (const block of blocks) {
        if (block.startsWith(":")) continue;
        const fields = Object.fromEntries(block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
        messages.push(fields);
      }
    }
    await reader.cancel();
    return messages;
  }

  it("streams events as SSE with ids, and Last-Event-ID resumes after one", async () => {
    const topic = await createTopic();
    const response = await api(`/events/${topic}`, { headers: { Accept: "text/event-stream" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
    await publishEvent(topic, "one", { n: 1 });
    await publishEvent(topic, "two", { n: 2 });
    const messages = await readSse(response, 3);
    expect(messages.map((m) => [m.id, m.event])).toEqual([
      [undefined, "hub.ready"],
      ["2", "one"],
      ["3", "two"],
    ]);
    expect(JSON.parse(messages[1]?.data ?? "{}")).toMatchObject({ id: 2, type: "one", data: { n: 1 } });

    const resumed = await api(`/events/${topic}`, { headers: { Accept: "text/event-stream", "Last-Event-ID": "2" } });
    expect((await readSse(resumed, 2)).map((m) => [m.id, m.event])).toEqual([
      ["3", "two"],
      [undefined, "hub.ready"],
    ]);
  });
});

describe("SSE backpressure", () => {
  it("ends the stream of an SSE subscriber that stopped reading, with a hub.closed message", async () => {
    const topic = await createTopic();
    const stalled = await api(`/events/${topic}`, { headers: { Accept: "text/event-stream" } });
    const stub = env.EVENT_HUB.get(env.EVENT_HUB.idFromName(topic));
    const big = "x".repeat(16 * 1024);
    let sse = 1;
    for (let i = 0; i < 600 && sse > 0; i++) {
      void stub.publishMany([{ topic, type: "big", data: { i, big }, source: "test" }]);
      if (i % 50 === 49) sse = (await stub.stats()).subscribers.sse;
    }
    expect(sse).toBe(0);
    const text = await stalled.text();
    expect(text.trimEnd().endsWith('data: {"code":4008,"reason":"subscriber too slow"}')).toBe(true);
  });
});

describe("publishing from the API, routes and jobs", () => {
  it("validates topics, events and the credential", async () => {
    await expectProblem(await api("/events/Not%20A%20Topic", { headers: { Upgrade: "websocket" } }), 400);
    await expectProblem(await api(`/events/${uniqueTopic()}?where=nonsense`, { headers: { Upgrade: "websocket" } }), 400);
    await expectProblem(await api(`/events/${uniqueTopic()}`), 426);
    await expectProblem(await sendJson("POST", `/events/${uniqueTopic()}`, { type: "x" }, ANONYMOUS), 401);
    const tooBig = await api(`/events/${uniqueTopic()}`, {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ type: "big", data: "x".repeat(65 * 1024) }),
    });
    expect([413]).toContain(tooBig.status);
    const noType = await api(`/events/${uniqueTopic()}`, { method: "POST", headers: { ...ADMIN, "Content-Type": "application/json" }, body: "{}" });
    await expectProblem(noType, 400);
  });

  it("reports a topic's subscribers, published count and history", async () => {
    const topic = await createTopic();
    const subscriber = await subscribe(topic);
    await publishEvent(topic, "a");
    await publishEvent(topic, "b");
    const stats = await (await api(`/events/${topic}/stats`)).json();
    expect(stats).toEqual({ topic, subscribers: { websocket: 1, sse: 0 }, published: 3, historySize: 3, lastEventId: 3 });
    subscriber.close();
  });

  it("product writes publish on the products topic", async () => {
    const subscriber = await subscribe("products", "types=product.created");
    const product = await createProduct();
    await subscriber.until(() => subscriber.events.some((e) => (e.data as { id?: string }).id === product.id));
    expect(subscriber.events.find((e) => (e.data as { id?: string }).id === product.id)).toMatchObject({ type: "product.created", source: "products" });
    subscriber.close();
  });

  it("job status changes arrive on the jobs topic, where one job is a filter away", async () => {
    const job = await enqueueJob({ name: "recompute-product-stats", payload: {} });
    await waitForJob(job.id, ["succeeded"]);
    const subscriber = await subscribe("jobs", `since=0&where=data.id=${job.id}`);
    const events = await subscriber.untilEvents(2);
    expect(events.map((e) => [e.type, (e.data as { status: string }).status])).toEqual([
      ["job.queued", "queued"],
      ["job.succeeded", "succeeded"],
    ]);
    expect(events[1]).toMatchObject({ source: "jobs", data: { id: job.id, name: "recompute-product-stats", attempts: 1 } });
  });
});

describe("who may see and make topics", () => {
  it("lets anyone subscribe to a public topic, and only events:subscribe to the others", async () => {
    const anonymous = await api("/events/products", { headers: { Upgrade: "websocket" } }, ANONYMOUS);
    expect(anonymous.status).toBe(101);
    anonymous.webSocket?.accept();
    anonymous.webSocket?.close(1000, "done");
    await expectProblem(await api("/events/jobs", { headers: { Upgrade: "websocket" } }, ANONYMOUS), 401);
    await expectProblem(await api("/events/jobs/stats", {}, ANONYMOUS), 401);
    await expectProblem(await api("/events/jobs", { headers: { Upgrade: "websocket" } }, (await createKey(["events:publish"])).key), 403);
    const subscriber = await api("/events/jobs", { headers: { Upgrade: "websocket" } }, (await createKey(["events:subscribe"])).key);
    expect(subscriber.status).toBe(101);
    subscriber.webSocket?.accept();
    subscriber.webSocket?.close(1000, "done");
  });

  it("needs events:publish to publish", async () => {
    await expectProblem(await sendJson("POST", `/events/${uniqueTopic()}`, { type: "x" }, (await createKey(["events:subscribe"])).key), 403);
    const note = { type: "note.posted", data: { text: "hello" } };
    expect((await sendJson("POST", `/events/${uniqueTopic()}`, note, (await createKey(["events:publish"])).key)).status).toBe(201);
  });

  it("answers 404 for a topic nobody published to, and creates nothing for it", async () => {
    const topic = uniqueTopic("never");
    await expectProblem(await api(`/events/${topic}/stats`), 404);
    await expectProblem(await api(`/events/${topic}`, { headers: { Upgrade: "websocket" } }), 404);
    await expectProblem(await api(`/events/${topic}`, { headers: { Accept: "text/event-stream", "X-Edgekit-Topic-Declared": "true" } }), 404);
    const stored = await runInDurableObject(env.EVENT_HUB.get(env.EVENT_HUB.idFromName(topic)), (_hub, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'meta')").toArray(),
    );
    expect(stored).toEqual([]);
  });

  it("escapes every SSE field, whatever reached the hub: no forged id or event line", async () => {
    const topic = await createTopic();
    const response = await api(`/events/${topic}`, { headers: { Accept: "text/event-stream" } });
    // Straight to the hub, past the API's validation of types.
    await publishBatch(env, topic, [{ type: "x\nid: 999\nevent: forged", data: "a\r\nb" }], "test");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("event: x")) text += (await reader.read()).value ?? "";
    while (!text.endsWith("\n\n")) text += (await reader.read()).value ?? "";
    await reader.cancel();
    const lines = text.split("\n");
    expect(lines).not.toContain("id: 999");
    expect(lines).not.toContain("event: forged");
    expect(lines).toContain("event: x id: 999 event: forged");
  });
});
