import { ApiKeyRepository } from "../data/api-keys";
import { databaseCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import { describeError, log } from "../observability/logger";

/** At most one write per isolate this often for keys it has seen before. */
const FLUSH_EVERY_MS = 60_000;
/** Keys this isolate has written a use of; bounded like the verification hints. */
const MAX_KNOWN = 1_000;

const pending = new Map<string, Date>();
const known = new Set<string>();
let lastFlush = Number.NEGATIVE_INFINITY;

/**
 * Notes that a key was used. Times are collected in the isolate and written for every key
 * at once, in one statement, in the background (`waitUntil`): never a round trip of the
 * request's own. A key's first use in an isolate is written at once (with whatever else is
 * pending); after that, at most once a minute, so `last_used_at` is up to a minute late.
 */
export function recordKeyUse(scope: Pick<DependencyScope, "env" | "waitUntil">, keyId: string): void {
  const now = Date.now();
  pending.set(keyId, new Date(now));
  if (known.has(keyId) && now - lastFlush < FLUSH_EVERY_MS) return;
  lastFlush = now;
  const batch = [...pending].map(([id, at]) => ({ id, at }));
  pending.clear();
  if (known.size + batch.length > MAX_KNOWN) known.clear();
  for (const { id } of batch) known.add(id);
  // Its own deadline: it runs after the response, outside any request's budget.
  const background: DependencyScope = { env: scope.env, signal: AbortSignal.timeout(10_000), waitUntil: scope.waitUntil };
  scope.waitUntil(
    databaseCall(background)((sql) => new ApiKeyRepository(sql).touch(batch), { idempotent: true }).catch((error: unknown) => {
      log("warn", "api key last-used times not written", { keys: batch.length, error: describeError(error) });
    }),
  );
}
