/**
 * `npm run setup:cloudflare -- --env staging [--dry-run]`: creates what an environment of
 * wrangler.toml needs on Cloudflare, with wrangler, and asks for its secrets. Idempotent:
 * what exists is left alone, so it can run again after a failure or a new binding.
 * `--dry-run` prints the plan and calls nothing (CI runs it for every environment).
 *
 * Then: `DATABASE_URL=… npm run db:migrate` against the environment's Neon branch, and
 * `npm run deploy -- --env staging`. (README: Deploy.)
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { readWranglerConfig } from "./wrangler-config.ts";

const { values } = parseArgs({ options: { env: { type: "string" }, "dry-run": { type: "boolean", default: false } } });
const dryRun = values["dry-run"];
const { environments } = readWranglerConfig();
const environment = environments.find((e) => e.env === values.env);
if (!environment) {
  const known = environments.flatMap((e) => (e.env ? [e.env] : []));
  console.error(`Usage: npm run setup:cloudflare -- --env <${known.join("|")}> [--dry-run]${values.env ? ` (no [env.${values.env}] in wrangler.toml)` : ""}`);
  process.exit(2);
}
const envArgs = environment.env ? ["--env", environment.env] : [];

/** Secrets the Worker needs (README: Configuration); generated ones need no typing. */
const SECRETS: { name: string; generate?: () => string; note: string }[] = [
  { name: "DATABASE_URL", note: "the Neon connection string of this environment's branch" },
  { name: "UPSTASH_REDIS_REST_URL", note: "from the Upstash console" },
  { name: "UPSTASH_REDIS_REST_TOKEN", note: "from the Upstash console" },
  { name: "CURSOR_SECRET", generate: () => randomBytes(32).toString("hex"), note: "generated: signs page cursors" },
  { name: "ADMIN_TOKEN", generate: () => randomBytes(32).toString("base64url"), note: "generated: break-glass, shown once below" },
];

function wrangler(args: string[], options: { input?: string; interactive?: boolean } = {}): string {
  console.log(`  $ wrangler ${args.join(" ")}`);
  if (dryRun) return "";
  return execFileSync("wrangler", args, {
    encoding: "utf8",
    input: options.input,
    stdio: options.interactive ? "inherit" : ["pipe", "pipe", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}

/** Names already on the account, read from a listing (nothing is read in a dry run). */
const existing = (listing: string, names: string[]) => new Set(names.filter((name) => new RegExp(`(^|[\\s"│|])${name}([\\s"│|]|$)`, "m").test(listing)));

console.log(`${dryRun ? "Plan (dry run: nothing is called)" : "Setting up"} for the Worker "${environment.workerName}":\n`);

const queues = environment.queueConsumers.map((consumer) => consumer.queue);
console.log("Queues (the jobs queue and its dead-letter queue):");
const haveQueues = existing(dryRun ? "" : wrangler(["queues", "list"]), queues);
for (const queue of queues) {
  if (haveQueues.has(queue)) console.log(`  ✓ ${queue} exists`);
  else wrangler(["queues", "create", queue]);
}

const buckets = environment.r2Buckets.map((bucket) => bucket.bucket_name);
console.log("R2 bucket (import files):");
const haveBuckets = existing(dryRun ? "" : wrangler(["r2", "bucket", "list"]), buckets);
for (const bucket of buckets) {
  if (haveBuckets.has(bucket)) console.log(`  ✓ ${bucket} exists`);
  else wrangler(["r2", "bucket", "create", bucket]);
}

console.log("Analytics Engine dataset:");
for (const { dataset } of environment.analyticsDatasets) console.log(`  ${dataset}: created by its first data point, nothing to do`);

console.log("Secrets:");
let secretNames = new Set<string>();
if (!dryRun) {
  try {
    const listed = JSON.parse(wrangler(["secret", "list", "--format", "json", ...envArgs])) as { name: string }[];
    secretNames = new Set(listed.map((secret) => secret.name));
  } catch {
    // No Worker yet: it is created with its first secret.
  }
}
const shown: string[] = [];
for (const secret of SECRETS) {
  if (secretNames.has(secret.name)) {
    console.log(`  ✓ ${secret.name} is set`);
    continue;
  }
  console.log(`  ${secret.name}: ${secret.note}`);
  if (secret.generate) {
    const value = dryRun ? "" : secret.generate();
    wrangler(["secret", "put", secret.name, ...envArgs], { input: value });
    if (secret.name === "ADMIN_TOKEN" && value) shown.push(`ADMIN_TOKEN=${value}`);
  } else {
    wrangler(["secret", "put", secret.name, ...envArgs], { interactive: true });
  }
}

console.log(`
Next:
  DATABASE_URL='postgres://…' npm run db:migrate              # the same branch as DATABASE_URL above
  npm run deploy -- ${envArgs.join(" ")}
  curl -X POST https://${environment.workerName}.<your-subdomain>.workers.dev/admin/keys \\
    -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \\
    -d '{"name":"ops","scopes":["admin"]}'                     # your first API key`);
if (shown.length > 0) console.log(`\nStore this now; it is not shown again:\n  ${shown.join("\n  ")}`);
