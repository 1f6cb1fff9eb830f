import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { SCOPES } from "../../auth/scopes";
import { UNFINISHED_STATUSES } from "../../data/job-status-counts";
import { JOB_STATUSES } from "../../data/jobs";
import { budget } from "../../middleware/deadline";
import { authErrors, BreakerCountersSchema, BreakerViewSchema, json, problem } from "../schemas";

/** At most this many topics in one snapshot: each is one call to its hub. */
export const MAX_SNAPSHOT_TOPICS = 10;

/**
 * A part of the snapshot: its data, or why it is missing. The parts are gathered side by
 * side and one that fails (Redis down, a scope the key lacks) never takes the others with
 * it: an outage is exactly when the console must still show the rest.
 */
const section = <T extends z.ZodType>(data: T) =>
  z.discriminatedUnion("ok", [
    z.object({ ok: z.literal(true), data }),
    z.object({
      ok: z.literal(false),
      /** 403: the key lacks the scope of this part; 503/504: a dependency failed or was too slow. */
      status: z.number().int(),
      error: z.string(),
    }),
  ]);

const BreakerSchema = z.object({
  name: z.string(),
  view: BreakerViewSchema,
  /** Totals since the breaker was created (or reset): rates come from the difference between two snapshots. */
  counters: BreakerCountersSchema,
});

const JobSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  last_error: z.string().nullable(),
  updated_at: z.iso.datetime(),
});

const TopicSchema = z.object({
  topic: z.string(),
  stats: section(
    z.object({
      subscribers: z.object({ websocket: z.number().int(), sse: z.number().int() }),
      published: z.number().int(),
      historySize: z.number().int(),
      lastEventId: z.number().int(),
    }),
  ),
});

export const SnapshotSchema = z
  .object({
    at: z.iso.datetime(),
    /** Who is looking, and what their key may do (the page offers only the actions it allows). */
    caller: z.object({
      kind: z.enum(["key", "admin-token"]),
      name: z.string().nullable(),
      prefix: z.string().nullable(),
      scopes: z.array(z.enum(SCOPES)),
    }),
    breakers: section(z.array(BreakerSchema)),
    metrics: section(
      z.object({
        /** Exactly what `GET /metrics?format=json` answers: per route, per dependency and per job. */
        summary: z.record(z.string(), z.unknown()),
        /**
         * The latency histograms behind those percentiles (counts per bucket, the last one
         * +Inf), so a client that keeps two snapshots computes percentiles over the time
         * between them rather than since the metrics began.
         */
        histograms: z.object({
          boundsMs: z.array(z.number()),
          routes: z.record(z.string(), z.array(z.number())),
          dependencies: z.record(z.string(), z.array(z.number())),
        }),
        slowQueries: z.object({
          count: z.number().int(),
          latest: z.array(z.object({ statement: z.string(), durationMs: z.number(), at: z.string(), requestId: z.string().nullable() })),
        }),
      }),
    ),
    /** As `GET /admin/alerts` answers. */
    alerts: section(z.record(z.string(), z.unknown())),
    cache: section(z.object({ hits: z.number(), misses: z.number(), bypasses: z.number(), stale: z.number() })),
    /** Needs `jobs:read` besides `admin`. */
    jobs: section(
      z.object({
        counts: z.array(z.object({ name: z.string(), status: z.enum(UNFINISHED_STATUSES), count: z.number().int() })),
        dead: z.array(JobSummarySchema),
        failed: z.array(JobSummarySchema),
      }),
    ),
    /** The app's own topics, the public ones and those asked for; private topics need `events:subscribe`. */
    topics: z.array(TopicSchema),
  })
  .openapi("ConsoleSnapshot");

export type Snapshot = z.infer<typeof SnapshotSchema>;

const tags = ["console"];

export const consolePage = createRoute({
  method: "get",
  path: "/console",
  tags,
  // The page itself holds no data: everything it shows comes from /console/snapshot and the
  // operator routes, with the key the operator types in (kept in the tab's sessionStorage).
  security: security.public(),
  summary: "The operations console: breakers, traffic, jobs, events, cache, alerts (an HTML page that asks for an admin key)",
  responses: { 200: { description: "An HTML page", content: { "text/html": { schema: z.string() } } } },
});

export const consoleSnapshot = createRoute({
  method: "get",
  path: "/console/snapshot",
  tags,
  security: security.requires("admin"),
  ...budget("read"),
  summary: "Everything the console shows, in one answer: breakers, metrics, slow queries, alerts, cache, jobs, topics (admin)",
  description:
    "The console polls this every second. Each part is gathered on its own and answers `{ok: true, data}` or " +
    "`{ok: false, status, error}`, so one failing dependency leaves the others visible. Jobs need `jobs:read` as well, " +
    "private topics `events:subscribe`. `topics` adds topics to the app's own and the public ones.",
  request: {
    query: z.object({
      topics: z
        .string()
        .max(1_000)
        .optional()
        .openapi({ param: { name: "topics", in: "query" }, example: "orders,notes", description: `Comma-separated; at most ${String(MAX_SNAPSHOT_TOPICS)} topics in all.` }),
    }),
  },
  responses: {
    200: json(SnapshotSchema, "The snapshot"),
    400: problem("An invalid topic, or too many"),
    ...authErrors,
  },
});
