/**
 * `npm run db:migrate`: applies migrations/ through Neon's HTTP driver.
 *
 *   DATABASE_URL=postgres://…neon.tech/neondb npm run db:migrate      # Neon itself
 *   DATABASE_URL=… NEON_HTTP_ENDPOINT=http://127.0.0.1:4444/sql npm run db:migrate   # local stack
 *
 * (`npm run stack` and `npm run dev` migrate the local stack on their own.)
 */
import { applyMigrations, readMigrations } from "./db/migrations.ts";
import { createSql } from "./stack/local-sql.ts";
import { MIGRATIONS_DIR } from "./stack/start-stack.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("DATABASE_URL is not set: give the connection string of the database to migrate.");
  process.exit(1);
}

const sql = createSql(databaseUrl, process.env.NEON_HTTP_ENDPOINT || undefined);
const applied = await applyMigrations(sql, await readMigrations(MIGRATIONS_DIR));
console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Nothing to apply: the database is up to date.");
