import type { Credentials, SqlBackend } from "./backend.ts";
import { createPgBackend } from "./pg-backend.ts";
import { createPgliteBackend } from "./pglite-backend.ts";

export type { Credentials, Field, SqlBackend, SqlDatabase } from "./backend.ts";
export { LOCAL_ROLE } from "./backend.ts";
export { createPgBackend } from "./pg-backend.ts";
export { createPgliteBackend } from "./pglite-backend.ts";
export { startNeonHttpServer, type NeonHttpServer } from "./server.ts";

/**
 * A real Postgres when DATABASE_URL is set; otherwise PGlite, in memory or at `dataDir`.
 * Both accept `credentials` (the local stack's role by default).
 */
export function createBackendFromEnv(env: { DATABASE_URL?: string; dataDir?: string; credentials?: Credentials }): Promise<SqlBackend> {
  return env.DATABASE_URL
    ? createPgBackend({ connectionString: env.DATABASE_URL, credentials: env.credentials })
    : createPgliteBackend({ dataDir: env.dataDir, credentials: env.credentials });
}
