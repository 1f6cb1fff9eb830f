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
const TABLE_PATTERN = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

export interface MigrateOptions {
  /** The tracking table, optionally schema-qualified. */
  table?: string;
}

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
export async function applyMigrations(
  sql: Sql,
  migrations: Migration[],
  { table = "schema_migrations" }: MigrateOptions = {},
): Promise<string[]> {
  if (!TABLE_PATTERN.test(table)) throw new Error(`Invalid tracking table name: ${table}`);
  // Under the lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide in Postgres.
  await sql.transaction([
    lock(sql, table),
    sql.query(`CREATE TABLE IF NOT EXISTS ${table} (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`),
  ]);
  const applied = new Map<string, string>();
  for (const row of await sql.query(`SELECT version, checksum FROM ${table}`)) {
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
    if (await applyOne(sql, table, migration)) done.push(migration.name);
  }
  return done;
}

/** A transaction-scoped lock per tracking table, so runners of one database queue up. */
const lock = (sql: Sql, table: string) => sql`SELECT pg_advisory_xact_lock(hashtext(${table}))`;

async function applyOne(sql: Sql, table: string, migration: Migration): Promise<boolean> {
  try {
    await sql.transaction([
      lock(sql, table),
      sql.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        migration.checksum,
      ]),
      ...migration.statements.map((statement) => sql.query(statement)),
    ]);
    return true;
  } catch (error) {
    // The tracking row's primary key refused it: another runner applied this file while we
    // waited on the lock. Any other error, a 23505 of the file's own statements included, fails.
    const { code, constraint } = error as { code?: string; constraint?: string };
    const trackingTable = table.split(".").at(-1);
    const racedAnotherRunner = code === "23505" && constraint === `${trackingTable}_pkey`;
    if (racedAnotherRunner) return false;
    throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}
