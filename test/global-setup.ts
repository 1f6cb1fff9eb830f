import { createServer, type Socket } from "node:net";
import type { TestProject } from "vitest/node";
import { SCOPES } from "../src/auth/scopes.ts";
import { createApiKey } from "../tools/db/api-keys.ts";
import { createSql } from "../tools/stack/local-sql.ts";
import { startStack } from "../tools/stack/start-stack.ts";
import { startReviewsServer } from "../tools/reviews/server.ts";

/**
 * Starts the local stack once for the Worker tests, on free ports: PGlite in memory and the
 * embedded Redis by default, or the real servers named by DATABASE_URL / REDIS_URL (CI's
 * second pass). The Worker under test reaches it through its normal bindings.
 */
export default async function setup(project: TestProject) {
  const stack = await startStack({
    databaseUrl: process.env.DATABASE_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
  });
  project.provide("stackEnv", stack.env);
  // The key the tests call with unless they say otherwise; tests of access make their own.
  const sql = createSql(stack.env.DATABASE_URL, stack.env.NEON_HTTP_ENDPOINT);
  project.provide("testApiKey", (await createApiKey(sql, { name: "tests: every scope", scopes: SCOPES })).key);
  project.provide("controlUrl", stack.controlUrl);
  const hanging = await startHangingServer();
  project.provide("hangingServerUrl", hanging.url);
  // The alerts' webhook (ALERT_WEBHOOK_URL in vitest.config.ts): an inbox of its own, so
  // alert deliveries never show in the request counts of the stack's fake upstream.
  const alertInbox = await startReviewsServer({ name: "alert-inbox" });
  project.provide("alertInboxUrl", alertInbox.url);
  return async () => {
    await alertInbox.close();
    await hanging.close();
    await stack.close();
  };
}

async function startHangingServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
