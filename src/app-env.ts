import type { RequestIdVariables } from "hono/request-id";
import type { Principal } from "./auth/principal";
import type { CachePrefetch } from "./data/cache";
import type { Database } from "./data/database";
import type { Redis } from "./data/redis";
import type { DependencyCall } from "./dependencies/calls";
import type { Bindings } from "./env";
import type { RequestTelemetry } from "./observability/request-telemetry";

/**
 * Per-request values the middleware chain puts on the context. This type sits at the top,
 * beside the app: it may name any layer's types, and nothing below the HTTP layer
 * (repositories, the cache, jobs) ever needs it: they take a dependency scope instead.
 * Read them with `c.get("name")`: Hono's `c.var` builds a new object of all of them per read.
 */
export type Variables = RequestIdVariables & {
  /** Aborts when the client goes away or the request's time budget runs out. */
  signal: AbortSignal;
  /** Guarded database access: `c.get("db")((sql) => …, { idempotent })`. */
  db: DependencyCall<Database>;
  /** Guarded Redis access: `c.get("redis")((redis) => …, { idempotent })`. */
  redis: DependencyCall<Redis>;
  /** Dependency timings of this request, for Server-Timing and its log line (unset when OBSERVABILITY is off). */
  telemetry: RequestTelemetry | undefined;
  /** Who is calling, once verified (by the rate limiter, or on demand by `principalOf`). */
  principal: Principal | undefined;
  /** A well-formed `X-Request-Id` the client sent, logged beside the id the server minted. */
  clientRequestId: string | undefined;
  /** The cache entry the route will read, read ahead in the rate limiter's round trip (`cachePrefetch`). */
  cachePrefetch: CachePrefetch | undefined;
};

/** The one Hono environment type of the app. */
export type AppEnv = { Bindings: Bindings; Variables: Variables };
