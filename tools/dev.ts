/**
 * `npm run dev`: the local stack (PGlite persisted in .data/, embedded Redis, unless
 * DATABASE_URL / REDIS_URL name real servers), migrated and seeded, then `wrangler dev` on
 * http://localhost:8787 wired to it through a generated .dev.vars. Ctrl-C stops both.
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { startStackFromEnv } from "./stack/from-env.ts";

const stack = await startStackFromEnv(process.env, { seed: true });
console.log(`local stack: database on ${stack.engines.database}, redis on ${stack.engines.redis}`);

// The admin routes' token: yours from the environment, or a local default (see README).
const adminToken = process.env.ADMIN_TOKEN || "local-admin-token";
const devVars = Object.entries({ ...stack.env, ADMIN_TOKEN: adminToken }).map(([key, value]) => `${key}=${value}`);
await writeFile(
  ".dev.vars",
  `# Written by \`npm run dev\` from the running local stack; edits are overwritten.\n${devVars.join("\n")}\n`,
);

// `npm run` puts node_modules/.bin on PATH; spawning wrangler itself (not through npx) lets
// the signals below reach it.
const wrangler = spawn("wrangler", ["dev", ...process.argv.slice(2)], { stdio: "inherit" });
const wranglerExited = new Promise<number>((resolve) => wrangler.on("exit", (code) => resolve(code ?? 0)));

let stopping = false;
async function stop(signal?: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (signal && wrangler.exitCode === null) {
    wrangler.kill(signal);
    const forced = setTimeout(() => wrangler.kill("SIGKILL"), 5_000);
    await wranglerExited;
    clearTimeout(forced);
  }
  await stack.close(); // flushes PGlite to .data/
  process.exit(wrangler.exitCode ?? 0);
}
void wranglerExited.then(() => stop());
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
