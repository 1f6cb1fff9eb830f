/**
 * The Worker as `npm run bench` runs it: the real one (src/index.ts), plus a few routes the
 * benchmark needs, under /__bench/. This file is never the `main` of wrangler.toml, so none
 * of it reaches a production build.
 *
 * - GET /__bench/baseline: a bare Hono route with no middleware, the yardstick every
 *   scenario is divided by;
 * - GET /__bench/counters: this isolate's calls to the circuit breakers' Durable Objects made
 *   by the breaker client, counted here by wrapping the binding (see `countingBreakers`);
 * - POST /__bench/jobs?n=: queues n trivial jobs (rows in one statement, messages in batches of 100);
 * - POST /__bench/publish?topic=&n=: publishes n events to a topic from inside the Worker, 50 per call;
 * - /__bench/quiet/<path>: <path> served by the real Worker with OBSERVABILITY off, to
 *   measure what request logs, metrics and Server-Timing cost;
 * - /__bench/limited/<path>: <path> served with rate limits of 5 a minute, for the 429 path;
 * - /__bench/naive/…: the same work written the way one would without the template (the
 *   same clients, no middleware): a rate-limit check then a cache read, one select of a
 *   page, one send to the queue, an acknowledge-only consumer, and a Durable Object that
 *   loops `send` over its sockets. Each edgekit scenario is reported against its naive twin.
 */
import { DurableObject } from "cloudflare:workers";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import { Hono } from "hono";
import { z } from "zod";
import { redisKey } from "../src/config/service";
import { productCacheKey } from "../src/routes/products/products.cache";
import worker from "../src/index";
import type { Bindings } from "../src/env";
import { createDatabase } from "../src/data/database";
import { defineJob } from "../src/jobs/define-job";
import type { JobEnvelope } from "../src/jobs/envelope";
import { registerJob } from "../src/jobs/registry";
import { publishBatch } from "../src/events/publish";

export { CircuitBreakerObject, EventHubObject, MetricsObject } from "../src/index";

registerJob(defineJob("bench-noop", z.object({}), () => Promise.resolve({})));

const baseline = new Hono().get("/__bench/baseline", (c) => c.json({ ok: true }));

/**
 * The breaker client's Durable Object calls, counted per isolate by wrapping the
 * CIRCUIT_BREAKERS binding's stubs, so production code carries no benchmark counter. Only the
 * client's methods count: GET /health's `status` and the admin routes' `force` are not its calls.
 */
let breakerObjectCalls = 0;
const CLIENT_METHODS: ReadonlySet<PropertyKey> = new Set(["acquire", "complete", "report"]);

function countingBreakers(namespace: Env["CIRCUIT_BREAKERS"]): Env["CIRCUIT_BREAKERS"] {
  return new Proxy(namespace, {
    get(target, property) {
      if (property === "get") {
        return (id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) => countingStub(target.get(id, options));
      }
      // The namespace's own methods refuse a Proxy as `this`: hand them out bound to it.
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function countingStub<T extends object>(stub: T): T {
  return new Proxy(stub, {
    get(target, property) {
      // The client reads a method only to call it at once, so a read is a call. The value
      // goes out untouched: on an RPC stub every property is a remote method, even `bind`.
      if (CLIENT_METHODS.has(property)) breakerObjectCalls++;
      return Reflect.get(target, property);
    },
  });
}

/** Messages the acknowledge-only consumer took, in this isolate. */
let naiveAcked = 0;
/**
 * The real consumer's batches in this isolate, with their wall time (Date.now advances
 * across I/O in workerd, so this is time spent waiting on the database and the queue
 * included) and the messages they carried: where the consumer's time goes, per batch.
 */
const consumer = { batches: 0, messages: 0, ms: 0 };
const NAIVE_MESSAGE = { naiveAck: true } as const;
const isNaive = (message: Message) => (message.body as Partial<typeof NAIVE_MESSAGE> | null)?.naiveAck === true;

/** A broadcaster with nothing but the broadcast: no numbering, history, filters or acknowledgements. */
export class NaiveHubObject extends DurableObject<Env> {
  override fetch(): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.send(JSON.stringify({ control: "ready" }));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Acknowledgements (the bench's subscribers send them to every hub): nothing to do. */
  override webSocketMessage(): void {
    // A naive broadcaster keeps no window.
  }

  broadcast(events: unknown[]): number {
    const sockets = this.ctx.getWebSockets();
    for (const event of events) {
      const text = JSON.stringify(event);
      for (const ws of sockets) ws.send(text);
    }
    return events.length * sockets.length;
  }
}

type BenchEnv = Bindings & { NAIVE_HUB: DurableObjectNamespace<NaiveHubObject> };

const naive = new Hono<{ Bindings: BenchEnv }>()
  .get("/__bench/naive/products/:id", async (c) => {
    const redis = new Redis({ url: c.env.UPSTASH_REDIS_REST_URL, token: c.env.UPSTASH_REDIS_REST_TOKEN });
    const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(Number(c.env.RATE_LIMIT_API_PER_MINUTE), "60 s"), prefix: "naive" });
    const { success } = await limiter.limit(c.req.header("CF-Connecting-IP") ?? "anonymous");
    if (!success) return c.json({ error: "too many requests" }, 429);
    // The value edgekit's cache keeps for the product (read, never written, here): one field
    // of its entry's hash, the same single read a plain GET of a string would be.
    const entry = await redis.hget<{ v?: unknown }>(redisKey("v2", "cache", productCacheKey(c.req.param("id"))), "e");
    return entry?.v ? c.json(entry.v) : c.json({ error: "not cached" }, 404);
  })
  .get("/__bench/naive/products", async (c) => {
    const sql = createDatabase(c.env, AbortSignal.timeout(10_000));
    const rows = await sql`SELECT id, name, price_cents, stock, created_at, updated_at FROM products ORDER BY created_at DESC, id DESC LIMIT 20`;
    return c.json({ items: rows });
  })
  .post("/__bench/naive/jobs", async (c) => {
    const body: JobEnvelope = { v: 1, jobId: crypto.randomUUID(), name: "recompute-product-stats", payload: {}, attempt: 0, requestId: null, enqueuedAt: new Date().toISOString() };
    await c.env.JOBS.send(body, { contentType: "json", delaySeconds: 43_200 });
    return c.json(body, 202);
  })
  .post("/__bench/naive/consumer", async (c) => {
    const n = Math.min(20_000, Number(c.req.query("n") ?? 1000));
    for (let i = 0; i < n; i += 100) {
      await c.env.JOBS.sendBatch(Array.from({ length: Math.min(100, n - i) }, () => ({ body: NAIVE_MESSAGE, contentType: "json" as const })));
    }
    return c.json({ sent: n });
  })
  .get("/__bench/naive/events/:topic", (c) => c.env.NAIVE_HUB.get(c.env.NAIVE_HUB.idFromName(c.req.param("topic"))).fetch(c.req.raw))
  .post("/__bench/naive/publish", async (c) => {
    const hub = c.env.NAIVE_HUB.get(c.env.NAIVE_HUB.idFromName(c.req.query("topic") ?? "bench"));
    const n = Math.min(100_000, Number(c.req.query("n") ?? 100));
    for (let i = 0; i < n; i += 50) {
      await hub.broadcast(Array.from({ length: Math.min(50, n - i) }, (_, j) => ({ id: i + j + 1, type: "tick", data: { i: i + j } })));
    }
    return c.json({ published: n });
  });

const tools = new Hono<{ Bindings: Bindings }>()
  .get("/__bench/counters", (c) => c.json({ breakerObjectCalls, naiveAcked, consumer }))
  .post("/__bench/jobs", async (c) => {
    const n = Math.min(20_000, Number(c.req.query("n") ?? 1000));
    const sql = createDatabase(c.env, AbortSignal.timeout(30_000));
    const insertStarted = Date.now();
    const rows = await sql.query(
      `INSERT INTO jobs (id, name, status, payload, max_attempts)
       SELECT gen_random_uuid(), 'bench-noop', 'queued', '{}', 3 FROM generate_series(1, $1) RETURNING id::text AS id`,
      [n],
    );
    const insertMs = Date.now() - insertStarted;
    const ids = rows.map((row) => String(row.id));
    const enqueuedAt = new Date().toISOString();
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100).map((jobId) => {
        const body: JobEnvelope = { v: 1, jobId, name: "bench-noop", payload: {}, attempt: 0, requestId: null, enqueuedAt };
        return { body, contentType: "json" as const };
      });
      await c.env.JOBS.sendBatch(batch);
    }
    return c.json({ ids: ids.length, first: ids[0], last: ids.at(-1), insertMs });
  })
  .post("/__bench/publish", async (c) => {
    const topic = c.req.query("topic") ?? "bench";
    const n = Math.min(100_000, Number(c.req.query("n") ?? 100));
    const started = performance.now();
    for (let i = 0; i < n; i += 50) {
      const chunk = Array.from({ length: Math.min(50, n - i) }, (_, j) => ({ type: "tick", data: { i: i + j } }));
      await publishBatch(c.env, topic, chunk, "bench");
    }
    return c.json({ published: n, ms: performance.now() - started });
  });

// One copy of the bindings per isolate and variant, so the parsed [vars] stay cached (config.ts).
const variants = { quiet: { OBSERVABILITY: "off" }, limited: { RATE_LIMIT_API_PER_MINUTE: "5", RATE_LIMIT_ADMIN_PER_MINUTE: "5" } } as const;
const variantEnvs = new WeakMap<object, Map<string, Env>>();
function variantEnv(env: Env, name: keyof typeof variants | "counted"): Env {
  let byName = variantEnvs.get(env);
  if (!byName) variantEnvs.set(env, (byName = new Map<string, Env>()));
  let variant = byName.get(name);
  if (!variant) {
    variant =
      name === "counted"
        ? { ...env, CIRCUIT_BREAKERS: countingBreakers(env.CIRCUIT_BREAKERS) }
        : { ...variantEnv(env, "counted"), ...variants[name] };
    byName.set(name, variant);
  }
  return variant;
}

export default {
  fetch(request, raw, ctx) {
    // Every path sees the binding whose stubs count the breaker client's calls.
    const env = variantEnv(raw, "counted");
    const url = new URL(request.url);
    const { pathname } = url;
    if (pathname === "/__bench/baseline") return baseline.fetch(request, env, ctx);
    const variant = /^\/__bench\/(quiet|limited)(\/.*)$/.exec(pathname);
    if (variant?.[1] && variant[2]) {
      url.pathname = variant[2];
      return worker.fetch(new Request(url, request), variantEnv(raw, variant[1] as keyof typeof variants), ctx);
    }
    if (pathname.startsWith("/__bench/naive/")) return naive.fetch(request, env, ctx);
    if (pathname.startsWith("/__bench/")) return tools.fetch(request, env, ctx);
    return worker.fetch(request, env, ctx);
  },
  async queue(batch, env, ctx) {
    // The acknowledge-only consumer's messages are taken here; the rest are the Worker's.
    const mine = batch.messages.filter(isNaive);
    for (const message of mine) message.ack();
    naiveAcked += mine.length;
    if (mine.length === batch.messages.length) return;
    const rest: MessageBatch = { ...batch, queue: batch.queue, messages: batch.messages.filter((message) => !isNaive(message)) };
    const started = Date.now();
    await worker.queue(rest, variantEnv(env, "counted"), ctx);
    consumer.batches++;
    consumer.messages += rest.messages.length;
    consumer.ms += Date.now() - started;
  },
  scheduled: (controller, env, ctx) => worker.scheduled(controller, variantEnv(env, "counted"), ctx),
} satisfies ExportedHandler<Env>;
