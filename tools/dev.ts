/**
 * `npm run dev`: the local stack (PGlite persisted in .data/, embedded Redis, unless
 * DATABASE_URL / REDIS_URL name real servers), migrated and seeded, then `wrangler dev` on
 * http://localhost:8787 wired to it through a generated .dev.vars. Ctrl-C stops both.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { SCOPES } from "../src/auth/scopes.ts";
import { createApiKey, isUsableKey } from "./db/api-keys.ts";
import { startStackFromEnv } from "./stack/from-env.ts";
import { createSql } from "./stack/local-sql.ts";

const stack = await startStackFromEnv(process.env, { seed: true });
console.log(`local stack: database on ${stack.engines.database}, redis on ${stack.engines.redis}`);

// Local secrets: random, made once and kept in .data/ (git-ignored), so restarts keep them.
// Nothing here is a default that a copy of this template would share with every other.
const SECRETS_FILE = ".data/local-secrets.json";
interface LocalSecrets {
  adminToken: string;
  cursorSecret: string;
  apiKey?: string;
}
const secrets: LocalSecrets = existsSync(SECRETS_FILE)
  ? (JSON.parse(readFileSync(SECRETS_FILE, "utf8")) as LocalSecrets)
  : { adminToken: `local-${randomBytes(24).toString("base64url")}`, cursorSecret: randomBytes(32).toString("hex") };
const sql = createSql(stack.env.DATABASE_URL, stack.env.NEON_HTTP_ENDPOINT);
if (!secrets.apiKey || !(await isUsableKey(sql, secrets.apiKey))) {
  secrets.apiKey = (await createApiKey(sql, { name: "local-dev (npm run dev)", scopes: SCOPES })).key;
}
mkdirSync(".data", { recursive: true });
writeFileSync(SECRETS_FILE, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });

const adminToken = process.env.ADMIN_TOKEN || secrets.adminToken;
const devVars = Object.entries({ ...stack.env, ADMIN_TOKEN: adminToken, CURSOR_SECRET: secrets.cursorSecret }).map(([key, value]) => `${key}=${value}`);
await writeFile(
  ".dev.vars",
  `# Written by \`npm run dev\` from the running local stack; edits are overwritten.\n${devVars.join("\n")}\n`,
);
console.log(`local API key (every scope):  ${secrets.apiKey}`);
console.log(`  curl -H "Authorization: Bearer ${secrets.apiKey}" localhost:8787/users`);
console.log(`break-glass ADMIN_TOKEN:      ${adminToken}`);

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
