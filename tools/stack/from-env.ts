import { startStack, type Stack, type StackOptions } from "./start-stack.ts";

const DEFAULT_DATA_DIR = ".data/pglite";

/** Starts the stack as configured by environment variables (see tools/stack.ts). */
export function startStackFromEnv(env: NodeJS.ProcessEnv, overrides: StackOptions = {}): Promise<Stack> {
  const dataDir = env.STACK_DATA_DIR ?? DEFAULT_DATA_DIR;
  return startStack({
    neonPort: port(env.NEON_HTTP_PORT, 4444),
    redisPort: port(env.REDIS_REST_PORT, 8079),
    reviewsPort: port(env.REVIEWS_PORT, 8081),
    controlPort: port(env.STACK_CONTROL_PORT, 8090),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    dataDir: dataDir === "memory" ? undefined : dataDir,
    token: env.UPSTASH_REDIS_REST_TOKEN || undefined,
    ...overrides,
  });
}

function port(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`Invalid port: ${raw}`);
  return value;
}
