import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackendFromEnv, startNeonHttpServer, type NeonHttpServer, type SqlBackend } from "../../tools/neon-http/index.ts";
import { applyMigrations, readMigrations } from "../../tools/db/migrations.ts";
import { splitStatements } from "../../tools/db/split-statements.ts";
import { createSql } from "../../tools/stack/local-sql.ts";

let backend: SqlBackend;
let server: NeonHttpServer;
let sql: ReturnType<typeof createSql>;

beforeAll(async () => {
  backend = await createBackendFromEnv({ DATABASE_URL: process.env.DATABASE_URL || undefined });
  server = await startNeonHttpServer({ backend });
  sql = createSql("postgres://edgekit:local@127.0.0.1/edgekit", server.url);
});

afterAll(async () => {
  await server.close();
  await backend.close();
});

/**
 * Each test gets its own schema (and so its own schema_migrations table): tests own their
 * data even when they share a real database with other test files.
 */
async function withSchema(files: Record<string, string>) {
  const schema = `mig_${randomUUID().replaceAll("-", "")}`;
  const dir = await mkdtemp(join(tmpdir(), "edgekit-migrations-"));
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), `SET LOCAL search_path TO ${schema};\n${text}`);
  }
  await sql.query(`CREATE SCHEMA ${schema}`);
  return {
    schema,
    dir,
    run: async () => applyMigrations(sql, await readMigrations(dir), { table: `${schema}.schema_migrations` }),
    cleanup: async () => {
      await sql.query(`DROP SCHEMA ${schema} CASCADE`);
      await rm(dir, { recursive: true });
    },
  };
}

describe("splitStatements", () => {
  it("keeps statements whole after non-ASCII text (the parser counts bytes)", async () => {
    const script = "-- id → name, 'ünïcode'\nCREATE TABLE t (x text DEFAULT 'é');\nSELECT '→';";
    expect(await splitStatements(script)).toEqual(["CREATE TABLE t (x text DEFAULT 'é')", "SELECT '→'"]);
  });

  it("splits on semicolons outside strings, identifiers, dollar bodies and comments", async () => {
    const script = `-- a comment; not a statement
      CREATE TABLE "a;b" (x text DEFAULT ';');
      /* block; comment */
      CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
      INSERT INTO "a;b" VALUES (E'it\\'s;')`;
    expect(await splitStatements(script)).toEqual([
      `CREATE TABLE "a;b" (x text DEFAULT ';')`,
      `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$`,
      `INSERT INTO "a;b" VALUES (E'it\\'s;')`,
    ]);
  });
});

describe("applyMigrations", () => {
  it("applies pending files in order, once", async () => {
    const ctx = await withSchema({
      "0001_things.sql": "CREATE TABLE things (id int PRIMARY KEY);",
      "0002_more.sql": "ALTER TABLE things ADD COLUMN name text; INSERT INTO things VALUES (1, 'one');",
    });
    try {
      expect(await ctx.run()).toEqual(["0001_things.sql", "0002_more.sql"]);
      expect(await ctx.run()).toEqual([]);
      expect(await sql.query(`SELECT name FROM ${ctx.schema}.things`)).toEqual([{ name: "one" }]);
      const tracked = await sql.query(`SELECT version, name FROM ${ctx.schema}.schema_migrations ORDER BY version`);
      expect(tracked).toEqual([
        { version: "0001", name: "0001_things.sql" },
        { version: "0002", name: "0002_more.sql" },
      ]);
    } finally {
      await ctx.cleanup();
    }
  });

  it("rolls a failing file back whole: no half-applied statements, no tracking row", async () => {
    const ctx = await withSchema({
      "0001_ok.sql": "CREATE TABLE ok (id int);",
      "0002_bad.sql": "CREATE TABLE half (id int); INSERT INTO half VALUES (1); SELECT 1/0;",
    });
    try {
      await expect(ctx.run()).rejects.toThrow(/0002_bad\.sql failed: division by zero/);
      const tables = await sql.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
        [ctx.schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual(["ok", "schema_migrations"]);
      const tracked = await sql.query(`SELECT version FROM ${ctx.schema}.schema_migrations`);
      expect(tracked).toEqual([{ version: "0001" }]);
    } finally {
      await ctx.cleanup();
    }
  });

  it("refuses an applied file that was edited afterwards", async () => {
    const ctx = await withSchema({ "0001_t.sql": "CREATE TABLE t (id int);" });
    try {
      await ctx.run();
      await writeFile(join(ctx.dir, "0001_t.sql"), `SET LOCAL search_path TO ${ctx.schema};\nCREATE TABLE t (id bigint);`);
      await expect(ctx.run()).rejects.toThrow(/0001_t\.sql changed after it was applied/);
    } finally {
      await ctx.cleanup();
    }
  });

  it("lets two runners race safely: each file is applied exactly once", async () => {
    const ctx = await withSchema({
      "0001_a.sql": "CREATE TABLE a (id int);",
      "0002_b.sql": "CREATE TABLE b (id int);",
    });
    try {
      const [first, second] = await Promise.all([ctx.run(), ctx.run()]);
      expect([...first, ...second].sort()).toEqual(["0001_a.sql", "0002_b.sql"]);
    } finally {
      await ctx.cleanup();
    }
  });

  it("refuses files that do not follow NNNN_name.sql", async () => {
    const ctx = await withSchema({ "1_bad-name.sql": "SELECT 1;" });
    try {
      await expect(ctx.run()).rejects.toThrow(/does not match NNNN_name\.sql/);
    } finally {
      await ctx.cleanup();
    }
  });
});
