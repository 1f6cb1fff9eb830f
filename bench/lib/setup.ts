import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse, stringify } from "smol-toml";
import { startStack, type Stack } from "../../tools/stack/start-stack.ts";
import { startWranglerDev, type WranglerDev } from "../../tools/wrangler-dev.ts";

export const OUT = "bench/out";
/** Declared public for the bench Worker, so the fan-out's subscribers need no key. */
export const FAN_OUT_TOPIC = "bench-fanout";

export interface Bench {
  stack: Stack;
  worker: WranglerDev;
  close(): Promise<void>;
}

/**
 * The local stack (in-memory PGlite and the embedded Redis, or DATABASE_URL / REDIS_URL),
 * seeded, and bench/worker.ts on it under `wrangler dev`. Reviews off (the production
 * default): a cache hit is then the rate limiter and the cache read. Limits out of the way
 * (the 429 scenario has its own, under /__bench/limited/); the fan-out topic public, so plain
 * WebSockets (which send no headers) may subscribe. Request logs sampled as production
 * samples them (`LOG_SAMPLE_RATE` of [env.production.vars]): the question the bench answers
 * is what a deployed Worker pays, and `npm run dev`'s every-request log line is a
 * development convenience.
 */
export async function startBench(options: { minify?: boolean } = {}): Promise<Bench> {
  mkdirSync(OUT, { recursive: true });
  const stack = await startStack({ databaseUrl: process.env.DATABASE_URL || undefined, redisUrl: process.env.REDIS_URL || undefined, seed: true });
  try {
    const envFile = `${OUT}/bench.vars`;
    writeFileSync(
      envFile,
      Object.entries({ ...stack.env, CURSOR_SECRET: randomBytes(32).toString("hex"), REVIEWS_API_URL: "" })
        .map(([key, value]) => `${key}=${value}`)
        .join("\n"),
    );
    // The bench Worker (bench/worker.ts: the real Worker plus the /__bench/ routes).
    const worker = await startWranglerDev({
      configFile: benchConfig(options.minify ?? true),
      script: "bench/worker.ts",
      secrets: envFile,
      vars: {
        RATE_LIMIT_API_PER_MINUTE: "100000000",
        RATE_LIMIT_ADMIN_PER_MINUTE: "100000000",
        EVENT_PUBLIC_TOPICS: `products,${FAN_OUT_TOPIC}`,
        LOG_SAMPLE_RATE: productionLogSampleRate(),
      },
      readyPath: "/__bench/baseline",
      label: "edgekit-bench",
      startupMs: 90_000,
    });
    return {
      stack,
      worker,
      close: async () => {
        await worker.stop();
        await stack.close();
      },
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}

/** `LOG_SAMPLE_RATE` as wrangler.toml's production environment sets it. */
export function productionLogSampleRate(): string {
  const config = parse(readFileSync("wrangler.toml", "utf8")) as { env?: { production?: { vars?: Record<string, string | undefined> } } };
  return config.env?.production?.vars?.LOG_SAMPLE_RATE ?? "1";
}

/**
 * The bench Worker's configuration: wrangler.toml's, plus the naive broadcaster's Durable
 * Object (bench/worker.ts), written to bench/out/ (wrangler.toml itself never names it).
 */
function benchConfig(minify: boolean): string {
  const config = parse(readFileSync("wrangler.toml", "utf8")) as Record<string, unknown> & {
    durable_objects: { bindings: unknown[] };
    migrations: unknown[];
  };
  delete config.env;
  config.main = "../worker.ts";
  config.minify = minify;
  // The static files' directory is named from the repository's root; this copy lives in bench/out/.
  const assets = config.assets as { directory?: string } | undefined;
  if (assets?.directory) assets.directory = resolve(assets.directory);
  config.durable_objects.bindings.push({ name: "NAIVE_HUB", class_name: "NaiveHubObject" });
  config.migrations.push({ tag: "bench-naive", new_sqlite_classes: ["NaiveHubObject"] });
  const path = `${OUT}/wrangler.bench.toml`;
  writeFileSync(path, stringify(config));
  return path;
}
