/**
 * `npm run stack`: starts the local Neon and Upstash servers, migrates, seeds, and prints
 * the environment a client needs as KEY=value lines on stdout (logs go to stderr), then runs
 * until SIGINT/SIGTERM and shuts down cleanly (PGlite data flushed).
 *
 * Environment: NEON_HTTP_PORT (4444), REDIS_REST_PORT (8079), REVIEWS_PORT (8081),
 * STACK_CONTROL_PORT (8090), DATABASE_URL (a real Postgres
 * instead of PGlite), REDIS_URL (a real Redis instead of the embedded engine),
 * STACK_DATA_DIR (.data/pglite; "memory" keeps PGlite in memory), UPSTASH_REDIS_REST_TOKEN.
 */
import { startStackFromEnv } from "./stack/from-env.ts";

const stack = await startStackFromEnv(process.env, { seed: true });
for (const [key, value] of Object.entries(stack.env)) process.stdout.write(`${key}=${value}\n`);
process.stdout.write(`STACK_CONTROL_URL=${stack.controlUrl}\n`);
console.error(`stack ready: database on ${stack.engines.database}, redis on ${stack.engines.redis}`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`${signal}: stopping the stack`);
  await stack.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
