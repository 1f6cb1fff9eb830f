import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface DevWorker {
  url: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * The Worker as `npm run dev` runs it (wrangler.toml, src/index.ts, its static files, queues
 * and cron locally), under `wrangler dev` on a free port, offline, with `secrets` as its
 * .dev.vars and `vars` over wrangler.toml's. Its Durable Objects, queues and buckets live in
 * a fresh directory, removed on stop, so a run never touches `npm run dev`'s state.
 */
export async function startDevWorker(secrets: Record<string, string>, vars: Record<string, string>): Promise<DevWorker> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const state = mkdtempSync(join(tmpdir(), "edgekit-browser-"));
  const envFile = join(state, "dev.vars");
  writeFileSync(envFile, Object.entries(secrets).map(([key, value]) => `${key}=${value}`).join("\n"), { mode: 0o600 });
  const child: ChildProcess = spawn(
    // wrangler's own entry run by this Node: the same on every OS (node_modules/.bin holds a
    // .cmd shim on Windows, which spawn cannot run without a shell).
    process.execPath,
    [
      resolve("node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--config", resolve("wrangler.toml"),
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--inspector-port", String(inspectorPort),
      "--env-file", envFile,
      "--persist-to", join(state, "persist"),
      "--log-level", "warn",
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
    ],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGINT");
      const forced = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(forced);
    }
    rmSync(state, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${String(port)}`;
  const until = Date.now() + 120_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${stderr}`);
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > until) throw new Error(`wrangler dev did not answer within 120 s: ${stderr}`);
      await new Promise((done) => setTimeout(done, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
