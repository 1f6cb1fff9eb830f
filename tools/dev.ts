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

const devVars = Object.entries(stack.env).map(([key, value]) => `${key}=${value}`);
await writeFile(
  ".dev.vars",
  `# Written by \`npm run dev\` from the running local stack; edits are overwritten.\n${devVars.join("\n")}\n`,
);

const wrangler = spawn("npx", ["wrangler", "dev", ...process.argv.slice(2)], { stdio: "inherit" });

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  wrangler.kill("SIGINT");
  await stack.close();
  process.exit(code);
};
wrangler.on("exit", (code) => void stop(code ?? 0));
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
