import { fileURLToPath } from "node:url";
import { createBackendFromEnv, LOCAL_ROLE, startNeonHttpServer } from "../neon-http/index.ts";
import { createEngineFromEnv, startRedisRestServer } from "../redis-rest/index.ts";
import { applyMigrations, readMigrations } from "../db/migrations.ts";
import { seedExampleData } from "../db/seed.ts";
import { startReviewsServer } from "../reviews/server.ts";
import { startControlServer } from "./control-server.ts";
import { createSql } from "./local-sql.ts";
import type { StackEnv } from "./stack-env.ts";

export type { StackEnv };

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));


export interface StackOptions {
  /** Port of the Neon HTTP server; 0 picks a free one. */
  neonPort?: number;
  /** Port of the Upstash REST server; 0 picks a free one. */
  redisPort?: number;
  /** Port of the fake reviews service; 0 picks a free one. */
  reviewsPort?: number;
  /** Port of the fault-injection control endpoint; 0 picks a free one. */
  controlPort?: number;
  /** A real Postgres behind the Neon server; PGlite when absent. */
  databaseUrl?: string;
  /** A real Redis behind the Upstash server; the embedded engine when absent. */
  redisUrl?: string;
  /** Where PGlite keeps its files; in memory when absent. */
  dataDir?: string;
  /** The bearer token the Upstash server accepts. */
  token?: string;
  /** Insert the example data after migrating. */
  seed?: boolean;
}

export interface Stack {
  env: StackEnv;
  /** Which engines serve the protocols, for the logs. */
  engines: { database: string; redis: string };
  /** Migrations applied by this start. */
  applied: string[];
  /** The loopback-only fault-injection endpoint (see control-server.ts). */
  controlUrl: string;
  close(): Promise<void>;
}

const HOST = "127.0.0.1";

/**
 * Starts the local stack: a Neon SQL-over-HTTP server and an Upstash Redis REST server,
 * each in front of a real engine, then migrates (and optionally seeds) the database through
 * the Neon driver itself, exactly as `npm run db:migrate` does against Neon.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    // In reverse start order: a server stops taking requests before its engine closes.
    // eslint-disable-next-line no-await-in-loop
    for (const closeOne of closers.reverse()) await closeOne();
  };
  try {
    const backend = await createBackendFromEnv({ DATABASE_URL: options.databaseUrl, dataDir: options.dataDir });
    closers.push(() => backend.close());
    const neonServer = await startNeonHttpServer({ backend, host: HOST, port: options.neonPort ?? 0 });
    closers.push(() => neonServer.close());

    const engine = await createEngineFromEnv({ REDIS_URL: options.redisUrl });
    closers.push(() => engine.close());
    const token = options.token ?? "local-dev-token";
    const redisServer = await startRedisRestServer({ engine, token, host: HOST, port: options.redisPort ?? 0 });
    closers.push(() => redisServer.close());

    const reviewsServer = await startReviewsServer({ host: HOST, port: options.reviewsPort ?? 0 });
    closers.push(() => reviewsServer.close());
    const control = await startControlServer(
      { neon: neonServer, redis: redisServer, reviews: reviewsServer },
      {
        port: options.controlPort ?? 0,
        // A second instance of the fake upstream, for load balancing across base URLs:
        // started by the first POST /control/reviews2/…, on a free port (see README.md).
        onDemand: { reviews2: () => startReviewsServer({ host: HOST, port: 0, name: "reviews2" }) },
      },
    );
    closers.push(() => control.close());

    const env: StackEnv = {
      // The host:port is the Neon server's own, so the Worker can route by host; the
      // credentials are the ones the Neon server checks (on Postgres too: see pg-backend.ts).
      DATABASE_URL: `postgres://${LOCAL_ROLE.user}:${LOCAL_ROLE.password}@${HOST}:${neonServer.port}/${LOCAL_ROLE.database}`,
      NEON_HTTP_ENDPOINT: neonServer.url,
      UPSTASH_REDIS_REST_URL: redisServer.url,
      UPSTASH_REDIS_REST_TOKEN: token,
      REVIEWS_API_URL: reviewsServer.url,
      OUTBOUND_DEV_ALLOWED_ORIGINS: reviewsServer.url,
    };
    const sql = createSql(env.DATABASE_URL, env.NEON_HTTP_ENDPOINT);
    const applied = await applyMigrations(sql, await readMigrations(MIGRATIONS_DIR));
    if (options.seed) await seedExampleData(sql);

    return { env, engines: { database: backend.name, redis: engine.name }, applied, controlUrl: control.url, close };
  } catch (error) {
    await close();
    throw error;
  }
}
