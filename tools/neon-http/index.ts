import type { SqlBackend } from "./backend.ts";
import { createPgBackend } from "./pg-backend.ts";
import { createPgliteBackend } from "./pglite-backend.ts";

export type { SqlBackend } from "./backend.ts";
export { createPgBackend } from "./pg-backend.ts";
export { createPgliteBackend } from "./pglite-backend.ts";
export { startNeonHttpServer, type NeonHttpServer } from "./server.ts";

/** A real Postgres when DATABASE_URL is set; otherwise PGlite, in memory or at `dataDir`. */
export function createBackendFromEnv(env: { DATABASE_URL?: string; dataDir?: string }): Promise<SqlBackend> {
  return env.DATABASE_URL
    ? createPgBackend({ connectionString: env.DATABASE_URL })
    : createPgliteBackend({ dataDir: env.dataDir });
}
