import { breakerOptions, type DependencyName, type DependencyPolicy } from "../config/dependencies";
import { CircuitBreaker } from "../resilience";
import { EndpointPool, type BalanceMode } from "./endpoint-pool";

/** Pools this isolate keeps at most; base URL lists come from configuration, so a few. */
const MAX_POOLS = 64;
// Per isolate, like the breakers' cached views: clients are made per request, their
// service's rotation and per-base-URL health outlive them.
const pools = new Map<string, EndpointPool>();

/**
 * The isolate's pool for a service's base URLs (see `EndpointPool`), made on first use with
 * the dependency's breaker thresholds (`BREAKER_*`). None for a single base URL: its health
 * is the dependency's own, which the shared breaker already tracks.
 */
export function endpointPoolFor(
  dependency: DependencyName,
  baseUrls: readonly string[],
  policy: DependencyPolicy,
  mode: BalanceMode,
): EndpointPool | undefined {
  if (baseUrls.length < 2) return undefined;
  const key = JSON.stringify([dependency, mode, baseUrls]);
  let pool = pools.get(key);
  if (!pool) {
    // The oldest goes first: only a configuration that keeps changing ever gets here.
    const oldest = pools.keys().next();
    if (pools.size >= MAX_POOLS && oldest.done !== true) pools.delete(oldest.value);
    pool = new EndpointPool(
      baseUrls,
      (baseUrl) => new CircuitBreaker({ ...breakerOptions(dependency, policy), name: `${dependency} ${baseUrl}` }),
      mode,
    );
    pools.set(key, pool);
  }
  return pool;
}
