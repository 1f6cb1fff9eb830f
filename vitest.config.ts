import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildAssets } from "./tools/assets.ts";

// wrangler.toml's [assets] directory (the docs' UI, the console's script) is generated: the
// Worker's configuration cannot be read without it.
buildAssets();

export default defineConfig({
  test: {
    // Request and job logs are JSON lines at level info, one per request: keep warnings and
    // errors in the output, drop the rest (test/worker/observability.test.ts reads them itself).
    onConsoleLog: (log) => !log.startsWith('{"level":"info"'),
    projects: [
      {
        // The Worker, run inside workerd against the local stack (test/global-setup.ts).
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // A second Worker with its own producer binding on the jobs queue: another
              // service sending jobs (test/worker/queue-producers.test.ts).
              workers: [
                {
                  name: "producer",
                  modules: true,
                  scriptPath: "./test/fixtures/producer-worker.mjs",
                  compatibilityDate: "2026-11-01",
                  queueProducers: { JOBS: { queueName: "edgekit-jobs" } },
                },
              ],
              serviceBindings: { PRODUCER: "producer" },
              bindings: {
                ...inject("stackEnv"),
                // Besides the stack's inbox, two targets for webhook failure tests: a closed
                // port and a server that never answers (test/worker/outbound-policy.test.ts).
                OUTBOUND_DEV_ALLOWED_ORIGINS: [inject("stackEnv").OUTBOUND_DEV_ALLOWED_ORIGINS, inject("hangingServerUrl"), "http://127.0.0.1:9", inject("alertInboxUrl")].join(","),
                // Alerts go to an inbox of their own (test/global-setup.ts); a resolution waits
                // one second of calm, so tests see firing → resolved in real time.
                ALERT_WEBHOOK_URL: `${inject("alertInboxUrl")}/webhooks/alerts`,
                ALERT_RESOLVE_AFTER_SECONDS: "1",
                WEBHOOK_TIMEOUT_MS: "500",
                ADMIN_TOKEN: "test-admin-token",
                CURSOR_SECRET: "test-cursor-secret-0123456789abcdef0123456789",
                // Tests share one client IP; test/worker/rate-limit.test.ts sets its own limits.
                RATE_LIMIT_API_PER_MINUTE: "1000000",
                RATE_LIMIT_ADMIN_PER_MINUTE: "1000000",
                // Every readiness call probes afresh (test/worker/health.test.ts tests the reuse itself).
                READINESS_CACHE_MS: "0",
                // Short breaks, so tests see OPEN → HALF_OPEN → CLOSED in real time.
                BREAKER_BREAK_MS: "1500",
                // A small window, so a test sees a slow subscriber closed after a few hundred events.
                EVENT_MAX_UNACKED: "100",
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          // Files share the circuit breakers (Durable Objects) and the local stack, and some
          // open a breaker or stop a server on purpose: one file at a time.
          fileParallelism: false,
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Pure logic (src/resilience and the like): no Workers or Hono imports, runs in Node in ms.
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        // The local stack's servers, through the real client libraries, in Node.
        test: {
          name: "tools",
          include: ["test/tools/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Real browsers: headless Chromium (the system's, driven by playwright-core) on /docs and
        // /console, served by `wrangler dev` on a local stack of their own (test/browser/).
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/browser/global-setup.ts"],
          fileParallelism: false,
          // After the Node projects and before the Worker's (vitest runs those last, one file at
          // a time): never beside another project that starts servers on the same databases.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
