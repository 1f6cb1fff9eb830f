import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { SCOPES } from "../../src/auth/scopes.ts";
import { createApiKey } from "../../tools/db/api-keys.ts";
import { createSql } from "../../tools/stack/local-sql.ts";
import { startStack } from "../../tools/stack/start-stack.ts";
import { startWranglerDev } from "../../tools/wrangler-dev.ts";

/**
 * The browser tests' world, once for the project: a local stack on free ports (PGlite and
 * the embedded Redis, or DATABASE_URL / REDIS_URL as in CI's second pass), and the Worker
 * on it under `wrangler dev`, as a developer runs it, its static files included.
 */
export default async function setup(project: TestProject) {
  const stack = await startStack({ databaseUrl: process.env.DATABASE_URL || undefined, redisUrl: process.env.REDIS_URL || undefined });
  try {
    const sql = createSql(stack.env.DATABASE_URL, stack.env.NEON_HTTP_ENDPOINT);
    const everything = await createApiKey(sql, { name: "browser tests: every scope", scopes: SCOPES });
    const reader = await createApiKey(sql, { name: "browser tests: jobs:read", scopes: ["jobs:read"] });
    // The Worker as `npm run dev` runs it: wrangler.toml, src/index.ts, its static files.
    const worker = await startWranglerDev({
      configFile: "wrangler.toml",
      secrets: { ...stack.env, CURSOR_SECRET: randomBytes(32).toString("hex") },
      // The tests share one client IP and poll: limits out of the way (rate-limit.test.ts tests them).
      vars: { RATE_LIMIT_API_PER_MINUTE: "1000000", RATE_LIMIT_ADMIN_PER_MINUTE: "1000000" },
      readyPath: "/health",
      label: "edgekit-browser",
    });
    project.provide("browserBaseUrl", worker.url);
    project.provide("browserApiKey", everything.key);
    project.provide("browserReaderKey", reader.key);
    project.provide("browserInboxUrl", stack.env.REVIEWS_API_URL);
    return async () => {
      await worker.stop();
      await stack.close();
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}
