import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { NeonQueryFunction } from "@neondatabase/serverless";
import { splitStatements } from "./split-statements.ts";

type Sql = NeonQueryFunction<false, false>;

export interface Migration {
  /** The file's leading number, e.g. "0001". */
  version: string;
  /** The file name, e.g. "0001_products.sql". */
  name: string;
  statements: string[];
  checksum: string;
}

const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;
// Any constant works; it only has to be the same for every runner of this project.
const LOCK_KEY = 7_411_001;

/** Reads `migrations/NNNN_name.sql`, in version order. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  const migrations = await Promise.all(files.map((name) => readMigration(dir, name)));
  const versions = migrations.map((m) => m.version);
  const duplicate = versions.find((v, i) => versions.indexOf(v) !== i);
  if (duplicate) throw new Error(`Two migration files share version ${duplicate}`);
  return migrations;
}

async function readMigration(dir: string, name: string): Promise<Migration> {
  const version = FILE_PATTERN.exec(name)?.[1];
  if (!version) throw new Error(`Migration file ${name} does not match NNNN_name.sql`);
  const text = await readFile(join(dir, name), "utf8");
  return {
    version,
    name,
    statements: await splitStatements(text),
    checksum: createHash("sha256").update(text).digest("hex"),
  };
}

/**
 * Applies the pending migrations in order, each as one `sql.transaction` (one round trip
 * over Neon's HTTP API): an advisory lock, the tracking row, then the file's statements.
 * A failure rolls the whole file back, tracking row included. Two runners at once are
 * safe: the second waits on the lock, then fails on the tracking row's primary key and
 * treats the migration as applied. An applied file that was edited since is an error.
 *
 * Returns the names of the migrations it applied.
 */
export async function applyMigrations(sql: Sql, migrations: Migration[]): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;
  const applied = new Map<string, string>();
  for (const row of await sql`SELECT version, checksum FROM schema_migrations`) {
    applied.set(String(row.version), String(row.checksum));
  }

  const done: string[] = [];
  for (const migration of migrations) {
    const checksum = applied.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new Error(`${migration.name} changed after it was applied; add a new migration instead.`);
      }
      continue;
    }
    // Each migration waits for the previous one: later files may depend on earlier ones.
    // eslint-disable-next-line no-await-in-loop
    if (await applyOne(sql, migration)) done.push(migration.name);
  }
  return done;
}

async function applyOne(sql: Sql, migration: Migration): Promise<boolean> {
  try {
    await sql.transaction([
      sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`,
      sql`INSERT INTO schema_migrations (version, name, checksum)
          VALUES (${migration.version}, ${migration.name}, ${migration.checksum})`,
      ...migration.statements.map((statement) => sql.query(statement)),
    ]);
    return true;
  } catch (error) {
    const racedAnotherRunner =
      (error as { code?: string; constraint?: string }).code === "23505" &&
      (error as { constraint?: string }).constraint === "schema_migrations_pkey";
    if (racedAnotherRunner) return false;
    throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}
