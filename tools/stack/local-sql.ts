import { neon, neonConfig, type NeonQueryFunction } from "@neondatabase/serverless";

/**
 * A Node-side `neon()` client for tooling (migrations, seeding): the same driver the Worker
 * uses, pointed at the local stack when `endpoint` is given and at Neon itself otherwise.
 */
export function createSql(databaseUrl: string, endpoint?: string): NeonQueryFunction<false, false> {
  if (endpoint) neonConfig.fetchEndpoint = () => endpoint;
  return neon(databaseUrl);
}
