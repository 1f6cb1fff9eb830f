/**
 * `npm run rename -- <name>`: makes the template yours in one step. The code spells the
 * service's name once (src/config/service.ts: Redis key prefixes, problem type URIs, metric
 * names and the docs' title derive from it); this rewrites it there, and where configuration
 * must spell it: wrangler.toml (the Worker, its queues, bucket and datasets, in every
 * environment), package.json and its lockfile; and the README's title. Run it before the first deploy:
 * resources made under the old names are not renamed on Cloudflare.
 */
import { readFileSync, writeFileSync } from "node:fs";

const SERVICE_FILE = "src/config/service.ts";
/** Where the name is rewritten everywhere; the README keeps its text (about the template) but takes the new title. */
const FILES = [SERVICE_FILE, "wrangler.toml", "package.json", "package-lock.json"];
const README = "README.md";

const name = process.argv[2] ?? "";
// Worker, queue and R2 bucket names all take this; datasets get it with `_` for `-`.
if (!/^[a-z][a-z0-9-]{1,40}[a-z0-9]$/.test(name)) {
  console.error("Usage: npm run rename -- <name>   (3–42 characters: a-z, 0-9 and '-', starting with a letter)");
  process.exit(2);
}
const current = /export const SERVICE_NAME = "([^"]+)";/.exec(readFileSync(SERVICE_FILE, "utf8"))?.[1];
if (!current) {
  console.error(`${SERVICE_FILE} does not define SERVICE_NAME as expected; rename it by hand there.`);
  process.exit(1);
}
if (current === name) {
  console.log(`Already named ${name}.`);
  process.exit(0);
}

const escaped = current.replace(/[-.]/g, "\\$&");
// The name as a word: between non-alphanumerics, so "edgekit-jobs" and "edgekit_requests"
// change, and a longer word that merely contains it does not.
const asWord = new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, "g");
const underscored = new RegExp(`(?<![A-Za-z0-9])${current.replace(/-/g, "_")}_`, "g");

let changed = 0;
for (const file of FILES) {
  const before = readFileSync(file, "utf8");
  const after = before.replace(underscored, `${name.replace(/-/g, "_")}_`).replace(asWord, name);
  if (after !== before) {
    writeFileSync(file, after);
    changed++;
    console.log(`  ${file}`);
  }
}
const readme = readFileSync(README, "utf8");
const retitled = readme.replace(new RegExp(`^# ${escaped}$`, "m"), `# ${name}`);
if (retitled !== readme) {
  writeFileSync(README, retitled);
  changed++;
  console.log(`  ${README} (title)`);
}
console.log(`Renamed ${current} → ${name} in ${String(changed)} files. Check with: npm run typecheck && npx wrangler deploy --dry-run`);
