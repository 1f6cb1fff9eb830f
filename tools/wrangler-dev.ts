import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** A Worker running under `wrangler dev`, started by {@link startWranglerDev}. */
export interface WranglerDev {
  url: string;
  /** wrangler's inspector proxy: Chrome DevTools Protocol over WebSocket (bench/profile.ts uses it). */
  inspectorUrl: string;
  stop(): Promise<void>;
}

export interface WranglerDevOptions {
  /** The configuration file (wrangler.toml, or a copy of it). */
  configFile: string;
  /** The entry module, when not the configuration's `main`. */
  script?: string;
  /** Secrets: a .dev.vars-style file, or the values to write into one (kept with the state, mode 600). */
  secrets: string | Record<string, string>;
  /** `--var` values, over the configuration's `[vars]`. */
  vars: Record<string, string>;
  /** A path that answers 2xx once the Worker is up. */
  readyPath: string;
  /** Prefix of the state directory's name, so a leftover one says who made it. */
  label: string;
  /** How long to wait for `readyPath` (default 120 s). */
  startupMs?: number;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
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
 * Runs a Worker under workerd with `wrangler dev` on free ports, offline, and waits until
 * `readyPath` answers. Its Durable Objects, queues and buckets live in a fresh directory,
 * removed on stop: a run starts from nothing and never touches `npm run dev`'s state in
 * .wrangler/. The bench (bench/lib/setup.ts) and the browser tests (test/browser/) run the
 * Worker this way.
 */
export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const state = mkdtempSync(join(tmpdir(), `${options.label}-`));
  let envFile: string;
  if (typeof options.secrets === "string") {
    envFile = resolve(options.secrets);
  } else {
    envFile = join(state, "dev.vars");
    writeFileSync(envFile, Object.entries(options.secrets).map(([key, value]) => `${key}=${value}`).join("\n"), { mode: 0o600 });
  }
  const child: ChildProcess = spawn(
    // wrangler's own entry run by this Node: the same on every OS (node_modules/.bin holds a
    // .cmd shim on Windows, which spawn cannot run without a shell).
    process.execPath,
    [
      resolve("node_modules/wrangler/bin/wrangler.js"),
      "dev",
      ...(options.script === undefined ? [] : [resolve(options.script)]),
      // Absolute paths: with --config, wrangler reads relative ones from the config's folder.
      "--config", resolve(options.configFile),
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--inspector-port", String(inspectorPort),
      "--env-file", envFile,
      "--persist-to", join(state, "persist"),
      "--log-level", "warn",
      "--show-interactive-dev-session=false",
      ...Object.entries(options.vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
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
  const startupMs = options.startupMs ?? 120_000;
  const until = Date.now() + startupMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${stderr}`);
      try {
        // Polling: each try waits for the one before it, on purpose.
        // eslint-disable-next-line no-await-in-loop
        const response = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > until) throw new Error(`wrangler dev did not answer within ${String(startupMs / 1000)} s: ${stderr}`);
      // eslint-disable-next-line no-await-in-loop
      await new Promise((done) => setTimeout(done, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, inspectorUrl: `http://127.0.0.1:${String(inspectorPort)}`, stop };
}
