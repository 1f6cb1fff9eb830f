import { env } from "cloudflare:workers";
import { inject } from "vitest";
import type { DependencyName } from "../../src/config/dependencies";
import { breakerClient } from "../../src/dependencies/breaker-client";
import type { DependencyScope } from "../../src/dependencies/scope";
import type { Bindings } from "../../src/env";
import { ResilientHttpClient, type ResilientHttpClientOptions } from "../../src/http/resilient-client";
import { createDeadline, type BreakerView } from "../../src/resilience";
import { api } from "./helpers";

// Shared by the HTTP client's tests (http-client*.test.ts): the fake upstream's instances,
// its recordings, and a dependency scope like a request's.

/** Sends an action to the stack's control endpoint (tools/stack/README.md). */
export const control = (path: string, body: unknown = {}) =>
  fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: JSON.stringify(body) });

interface ServerState {
  running: boolean;
  url: string;
  stats: { requests: number; aborted: number; failed: number };
}

export async function serverState(name: "reviews" | "reviews2"): Promise<ServerState> {
  return (await fetch(`${inject("controlUrl")}/${name}`)).json<ServerState>();
}

/** The fake upstream's two instances: `reviews`, and `reviews2`, which the stack starts on demand. */
export async function upstreams(): Promise<{ one: string; two: string }> {
  const two = await (await control("/reviews2/start")).json<ServerState>();
  return { one: inject("stackEnv").REVIEWS_API_URL, two: two.url };
}

/** A fresh recording inbox: base URLs under it are this test's own (their breakers, their cache keys). */
export const newInbox = () => `t-${crypto.randomUUID()}`;
export const recorded = (upstream: string, inbox: string) => `${upstream}/recorded/${inbox}`;

export interface Recording {
  instance: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  status: number | null;
}

/** What the upstream received under an inbox, in order (any running instance can tell). */
export async function recordings(inbox: string, via = inject("stackEnv").REVIEWS_API_URL): Promise<Recording[]> {
  const { requests } = await (await fetch(`${via}/recordings/${inbox}`)).json<{ requests: Recording[] }>();
  return requests;
}

/**
 * A dependency scope like a request's: the bindings (with overrides), a deadline, and
 * `waitUntil` whose work `settle()` waits for (the cache writes in the background).
 */
export function testScope(overrides: Partial<Bindings> = {}, signal?: AbortSignal): { scope: DependencyScope; settle: () => Promise<void> } {
  const pending: Promise<unknown>[] = [];
  const bindings = Object.keys(overrides).length === 0 ? env : { ...env, ...overrides };
  const scope: DependencyScope = {
    env: bindings,
    signal: signal ?? createDeadline(15_000).signal,
    waitUntil: (promise) => pending.push(promise),
  };
  return {
    scope,
    settle: async () => {
      while (pending.length > 0) await Promise.allSettled(pending.splice(0));
    },
  };
}

/** A client of the reviews dependency (its breaker, bulkhead and retry policy). */
export function reviewsClient(scope: DependencyScope, options: Omit<ResilientHttpClientOptions, "dependency">): ResilientHttpClient {
  return new ResilientHttpClient(scope, { dependency: "reviews", ...options });
}

/**
 * Resets a dependency's shared breaker through the admin route, and makes this isolate's
 * breaker client adopt the result at once (the test's calls go through it).
 */
export async function resetBreaker(name: DependencyName): Promise<void> {
  const response = await api(`/admin/breakers/${name}/reset`, { method: "POST", headers: { Authorization: "Bearer test-admin-token" } });
  const { view } = await response.json<{ view: BreakerView }>();
  breakerClient.adopt(name, view);
}

/** Both instances of the fake upstream running without faults, stats zeroed, and the reviews breaker reset. */
export async function resetUpstreams(): Promise<void> {
  await control("/reviews/reset");
  await control("/reviews2/reset");
  await resetBreaker("reviews");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it holds, for transitions driven by real (short) time. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await sleep(100);
  }
}
