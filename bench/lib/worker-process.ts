import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface WorkerProcess {
  url: string;
  /** wrangler's inspector proxy: Chrome DevTools Protocol over WebSocket (see bench/profile.ts). */
  inspectorUrl: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs the bench Worker (bench/worker.ts: the real Worker plus /__bench/ routes) under
 * workerd with `wrangler dev`, offline, with `vars` as its variables, and waits until it
 * answers. Its Durable Objects, queues and buckets live in a fresh directory, removed on
 * stop: a run starts from nothing and never touches `npm run dev`'s state in .wrangler/.
 */
export async function startWorker(vars: Record<string, string>, envFile: string, configFile: string): Promise<WorkerProcess> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const state = mkdtempSync(join(tmpdir(), "edgekit-bench-"));
  const child: ChildProcess = spawn(
    "wrangler",
    // Absolute paths: with --config, wrangler reads relative ones from the config's folder.
    ["dev", resolve("bench/worker.ts"), "--config", resolve(configFile), "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--env-file", resolve(envFile), "--persist-to", state, "--log-level", "warn", "--show-interactive-dev-session=false", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${String(port)}`;
  const until = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${stderr}`);
    try {
      const response = await fetch(`${url}/__bench/baseline`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`wrangler dev did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    inspectorUrl: `http://127.0.0.1:${String(inspectorPort)}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGINT");
        const forced = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(forced);
      }
      rmSync(state, { recursive: true, force: true });
    },
  };
}
