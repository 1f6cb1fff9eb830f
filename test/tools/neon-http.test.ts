import { randomUUID } from "node:crypto";
import { neon, neonConfig, NeonDbError } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackendFromEnv, startNeonHttpServer, type NeonHttpServer, type SqlBackend } from "../../tools/neon-http/index.ts";

// Conformance of the local Neon server with the real client, case by case (values, commands,
// errors, transactions, transport), on PGlite, or on the real Postgres named by DATABASE_URL.
let backend: SqlBackend;
let server: NeonHttpServer;
let sql: ReturnType<typeof neon<false, false>>;
const CONNECTION = "postgres://edgekit:local@localhost/edgekit";

beforeAll(async () => {
  backend = await createBackendFromEnv({ DATABASE_URL: process.env.DATABASE_URL || undefined });
  server = await startNeonHttpServer({ backend });
  neonConfig.fetchEndpoint = () => server.url;
  sql = neon(CONNECTION);
});

afterAll(async () => {
  await server.close();
  await backend.close();
});

/** A table name no other test (or test file sharing the database) uses. */
const table = (label: string) => `t_${label}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

async function rawPost(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.url, {
    method: "POST",
    headers: { "Neon-Connection-String": CONNECTION, ...headers },
    body,
  });
}

describe("values", () => {
  it("1: NULL in every type; undefined becomes NULL", async () => {
    const [row] = await sql`SELECT ${null}::int4 a, ${undefined}::text b, ${null}::jsonb c, ${null}::bytea d,
      ${null}::timestamptz e, ${null}::bool f, ${null}::numeric g, ${null}::int8[] h`;
    expect(row).toEqual({ a: null, b: null, c: null, d: null, e: null, f: null, g: null, h: null });
  });

  it("2: int8 above 2^53 and int8[] come back as exact strings", async () => {
    const [row] = await sql`SELECT 9007199254740993::int8 n, ${"9007199254740993"}::int8 p, ARRAY[9007199254740993, 1]::int8[] arr`;
    expect(row).toEqual({ n: "9007199254740993", p: "9007199254740993", arr: ["9007199254740993", "1"] });
  });

  it("3: numeric with 30+ digits, and trailing zeros kept", async () => {
    const [row] = await sql`SELECT 123456789012345678901234567890.123456789::numeric big, 1.10::numeric(5,2) small`;
    expect(row).toEqual({ big: "123456789012345678901234567890.123456789", small: "1.10" });
  });

  it("4: float8 NaN, Infinity and 1e300", async () => {
    const [row] = await sql`SELECT 'NaN'::float8 a, 'Infinity'::float8 b, 1e300::float8 c, ${0.1}::float8 d`;
    expect(row?.a).toBeNaN();
    expect(row).toMatchObject({ b: Infinity, c: 1e300, d: 0.1 });
  });

  it("5: bool", async () => {
    expect(await sql`SELECT true t, false f, ${true}::bool p`).toEqual([{ t: true, f: false, p: true }]);
  });

  it("6: json and jsonb, as parameters, and jsonb[]", async () => {
    const doc = { a: [1, "two", null], b: { c: true } };
    const [row] = await sql`SELECT ${doc}::jsonb j, ${JSON.stringify(doc)}::json k,
      ARRAY['{"x":1}'::jsonb, '[2]'::jsonb] arr`;
    expect(row).toEqual({ j: doc, k: doc, arr: [{ x: 1 }, [2]] });
  });

  it("7: bytea through a template, through query() into a column, and with 0x00 bytes", async () => {
    const bytes = new Uint8Array([0, 1, 255, 0, 65]);
    const [row] = await sql`SELECT ${bytes} b, length(${bytes}) n`;
    expect(new Uint8Array(row?.b as Uint8Array)).toEqual(bytes);
    expect(row?.n).toBe(5);

    const name = table("bytea");
    await sql.query(`CREATE TABLE ${name} (b bytea)`);
    try {
      await sql.query(`INSERT INTO ${name} VALUES ($1)`, [bytes]);
      const [stored] = await sql.query(`SELECT b FROM ${name}`);
      expect(new Uint8Array(stored?.b as Uint8Array)).toEqual(bytes);
    } finally {
      await sql.query(`DROP TABLE ${name}`);
    }
  });

  it("8: timestamptz, timestamp, date, interval and infinity; a Date parameter round-trips", async () => {
    const when = new Date("2024-01-02T03:04:05.678Z");
    const [row] = await sql`SELECT ${when}::timestamptz t, '2024-01-02 03:04:05'::timestamp ts,
      '2024-01-02'::date d, '1 day 02:03:04'::interval i, 'infinity'::timestamptz inf,
      ${when}::timestamptz::text raw`;
    expect((row?.t as Date).toISOString()).toBe(when.toISOString());
    expect(row?.ts).toBeInstanceOf(Date);
    expect(row?.d).toBeInstanceOf(Date);
    expect(row?.i).toMatchObject({ days: 1, hours: 2, minutes: 3, seconds: 4 });
    expect(row?.inf).toBe(Infinity);
    expect(row?.raw).toBe("2024-01-02 03:04:05.678+00");
  });

  it("9: arrays with NULLs, quotes, commas, the string NULL, 2-D arrays and {}", async () => {
    const values = ["a,b", 'say "hi"', null, "NULL", "back\\slash", ""];
    const [row] = await sql`SELECT ${values}::text[] t, '{{1,2},{3,4}}'::int[] two, '{}'::int[] empty,
      ${[[1, 2], [3, 4]]}::int[] param2d`;
    expect(row).toEqual({ t: values, two: [[1, 2], [3, 4]], empty: [], param2d: [[1, 2], [3, 4]] });
  });

  it("10: uuid, inet and char(n) padding", async () => {
    const id = randomUUID();
    const [row] = await sql`SELECT ${id}::uuid u, '192.168.0.1/24'::inet ip, 'ab'::char(4) c`;
    expect(row).toEqual({ u: id, ip: "192.168.0.1/24", c: "ab  " });
  });

  it("11: duplicate and ?column? names (last wins, as in pg)", async () => {
    const result = await sql.query("SELECT 1 a, 2 a, 3", [], { fullResults: true });
    expect(result.fields.map((f) => f.name)).toEqual(["a", "a", "?column?"]);
    expect(result.rows).toEqual([{ a: 2, "?column?": 3 }]);
    const arrays = await sql.query("SELECT 1 a, 2 a", [], { arrayMode: true });
    expect(arrays).toEqual([[1, 2]]);
  });
});

describe("commands", () => {
  it("reports command and rowCount for INSERT, UPDATE, DELETE, DDL and an empty SELECT", async () => {
    const name = table("cmd");
    const full = { fullResults: true } as const;
    const created = await sql.query(`CREATE TABLE ${name} (x int)`, [], full);
    expect(created).toMatchObject({ command: "CREATE", rowCount: null, fields: [] });
    try {
      expect(await sql.query(`INSERT INTO ${name} VALUES (1), (2)`, [], full)).toMatchObject({ command: "INSERT", rowCount: 2, fields: [] });
      expect(await sql.query(`UPDATE ${name} SET x = x + 1`, [], full)).toMatchObject({ command: "UPDATE", rowCount: 2 });
      expect(await sql.query(`DELETE FROM ${name} WHERE x = 2`, [], full)).toMatchObject({ command: "DELETE", rowCount: 1 });
      const none = await sql.query(`SELECT x FROM ${name} WHERE false`, [], full);
      expect(none).toMatchObject({ command: "SELECT", rowCount: 0, rows: [] });
      expect(none.fields.map((f) => f.name)).toEqual(["x"]);
    } finally {
      await sql.query(`DROP TABLE ${name}`);
    }
  });
});

describe("errors", () => {
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NeonDbError);
    return error as NeonDbError;
  };

  it("42601 with position", async () => {
    const error = await failure(sql.query("SELEC 1"));
    expect(error).toMatchObject({ code: "42601", position: "1", severity: "ERROR" });
  });

  it("42P01", async () => {
    const error = await failure(sql.query("SELECT * FROM nope_no_such_table"));
    expect(error.code).toBe("42P01");
    expect(error.message).toContain("nope_no_such_table");
  });

  it("23505 with detail, constraint, table and schema", async () => {
    const name = table("uniq");
    await sql.query(`CREATE TABLE ${name} (x int CONSTRAINT ${name}_x_key UNIQUE)`);
    try {
      await sql.query(`INSERT INTO ${name} VALUES (1)`);
      const error = await failure(sql.query(`INSERT INTO ${name} VALUES (1)`));
      expect(error).toMatchObject({
        code: "23505",
        detail: "Key (x)=(1) already exists.",
        constraint: `${name}_x_key`,
        table: name,
        schema: "public",
      });
    } finally {
      await sql.query(`DROP TABLE ${name}`);
    }
  });

  it("22P02 and 22012", async () => {
    expect((await failure(sql`SELECT ${"abc"}::int`)).code).toBe("22P02");
    expect((await failure(sql`SELECT 1/0`)).code).toBe("22012");
  });

  it("RAISE with DETAIL, HINT and ERRCODE", async () => {
    const error = await failure(
      sql.query(`DO $$ BEGIN RAISE EXCEPTION 'custom failure' USING DETAIL = 'the detail', HINT = 'the hint', ERRCODE = 'P0042'; END $$`),
    );
    expect(error).toMatchObject({ message: "custom failure", code: "P0042", detail: "the detail", hint: "the hint" });
  });

  it("a query with several statements fails with 42601", async () => {
    const error = await failure(sql.query("SELECT 1; SELECT 2"));
    expect(error.code).toBe("42601");
    expect(error.message).toContain("cannot insert multiple commands into a prepared statement");
  });

  it("every error field is present, null when missing (raw body)", async () => {
    const response = await rawPost(JSON.stringify({ query: "SELECT * FROM nope_no_such_table", params: [] }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ["message", "code", "detail", "hint", "position", "internalPosition", "internalQuery", "severity", "where",
        "table", "column", "schema", "dataType", "constraint", "file", "line", "routine"].sort(),
    );
    expect(body).toMatchObject({ code: "42P01", detail: null, hint: null, position: "15" });
    expect(typeof body.line).toBe("string");
  });
});

describe("transactions", () => {
  it("returns results in order and honours per-query arrayMode", async () => {
    const results = await sql.transaction([sql`SELECT 1 AS n`, sql`SELECT ${"a"} AS s`]);
    expect(results).toEqual([[{ n: 1 }], [{ s: "a" }]]);
    const raw = await rawPost(JSON.stringify({ queries: [{ query: "SELECT 1 AS n", arrayMode: false }, { query: "SELECT 2 AS n" }] }), {
      "Neon-Array-Mode": "true",
    });
    const body = (await raw.json()) as { results: { rows: unknown[]; rowAsArray: boolean }[] };
    expect(body.results.map((r) => [r.rows, r.rowAsArray])).toEqual([[[{ n: "1" }], false], [[["2"]], true]]);
  });

  it("a failed transaction leaves nothing behind", async () => {
    const name = table("tx");
    await sql.query(`CREATE TABLE ${name} (x int)`);
    try {
      await expect(
        sql.transaction([sql.query(`INSERT INTO ${name} VALUES (1)`), sql.query(`INSERT INTO ${name} VALUES ('x')`)]),
      ).rejects.toMatchObject({ code: "22P02" });
      expect(await sql.query(`SELECT count(*)::int n FROM ${name}`)).toEqual([{ n: 0 }]);
    } finally {
      await sql.query(`DROP TABLE ${name}`);
    }
  });

  it("a write in a read-only transaction fails with 25006", async () => {
    const name = table("ro");
    await sql.query(`CREATE TABLE ${name} (x int)`);
    try {
      await expect(
        sql.transaction([sql.query(`INSERT INTO ${name} VALUES (1)`)], { readOnly: true }),
      ).rejects.toMatchObject({ code: "25006" });
    } finally {
      await sql.query(`DROP TABLE ${name}`);
    }
  });

  it("applies the isolation level", async () => {
    const [[row]] = (await sql.transaction([sql`SHOW transaction_isolation`], { isolationLevel: "Serializable" })) as [
      Record<string, unknown>[],
    ];
    expect(row).toEqual({ transaction_isolation: "serializable" });
  });

  it("a bad isolation level gets 400", async () => {
    const response = await rawPost(JSON.stringify({ queries: [] }), { "Neon-Batch-Isolation-Level": "Chaos" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe("invalid isolation level");
  });

  it("an empty batch works", async () => {
    expect(await sql.transaction([])).toEqual([]);
  });
});

describe("transport and HTTP errors", () => {
  it("15: parallel requests", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sql`SELECT ${i}::int AS i, pg_sleep(0.01)`));
    expect(results.map(([row]) => row?.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("16: a request with no Content-Type", async () => {
    const body = JSON.stringify({ query: "SELECT $1::int + 1 AS n", params: [41] });
    const response = await rawPost(body, { "Neon-Array-Mode": "true", "Neon-Raw-Text-Output": "true" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ rows: [["42"]], command: "SELECT", rowCount: 1, rowAsArray: true });
    // Without the array-mode header, rows are objects (as Neon's proxy does).
    expect(await (await rawPost(body)).json()).toMatchObject({ rows: [{ n: "42" }], rowAsArray: false });
  });

  it("refuses a missing connection string, bad JSON, other paths and methods", async () => {
    const noHeader = await fetch(server.url, { method: "POST", body: JSON.stringify({ query: "SELECT 1" }) });
    expect(noHeader.status).toBe(400);
    expect((await rawPost("{not json")).status).toBe(400);
    expect((await fetch(server.url.replace("/sql", "/other"), { method: "POST" })).status).toBe(404);
    expect((await fetch(server.url)).status).toBe(405);
  });
});
