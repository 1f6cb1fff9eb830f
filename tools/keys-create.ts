/**
 * `npm run keys:create -- --name billing --scopes products:write,jobs:write [--expires-in-days 90]`:
 * creates an API key and prints it (once: only its hash is stored).
 *
 * It talks to the database the way `npm run db:migrate` does: DATABASE_URL (and
 * NEON_HTTP_ENDPOINT for the local stack) from the environment, or else from the .dev.vars
 * that a running `npm run dev` wrote. Against production, prefer `POST /admin/keys`.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createApiKey, parseScopes } from "./db/api-keys.ts";
import { createSql } from "./stack/local-sql.ts";

const { values } = parseArgs({
  options: { name: { type: "string" }, scopes: { type: "string" }, "expires-in-days": { type: "string" } },
});
if (!values.name || !values.scopes) {
  console.error("Usage: npm run keys:create -- --name <name> --scopes <scope,scope|all> [--expires-in-days <n>]");
  process.exit(2);
}
const expiresInDays = values["expires-in-days"] === undefined ? undefined : Number(values["expires-in-days"]);
if (expiresInDays !== undefined && !(Number.isInteger(expiresInDays) && expiresInDays >= 1)) {
  console.error("--expires-in-days takes a whole number of days (1 or more).");
  process.exit(2);
}

/** KEY=value lines of the .dev.vars a running `npm run dev` wrote, if any. */
const devVars = new Map<string, string>();
if (existsSync(".dev.vars")) {
  for (const line of readFileSync(".dev.vars", "utf8").split("\n")) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) devVars.set(match[1], match[2]);
  }
}
const databaseUrl = process.env.DATABASE_URL || devVars.get("DATABASE_URL");
if (!databaseUrl) {
  console.error("No database: set DATABASE_URL (and NEON_HTTP_ENDPOINT for a local stack), or start `npm run dev` first.");
  process.exit(1);
}
const endpoint = process.env.DATABASE_URL ? process.env.NEON_HTTP_ENDPOINT : devVars.get("NEON_HTTP_ENDPOINT");

try {
  const created = await createApiKey(createSql(databaseUrl, endpoint || undefined), {
    name: values.name,
    scopes: parseScopes(values.scopes),
    ...(expiresInDays === undefined ? {} : { expiresInDays }),
  });
  console.error(`Created key ${created.prefix} (id ${created.id}). It is shown once; store it now:`);
  console.log(created.key);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
