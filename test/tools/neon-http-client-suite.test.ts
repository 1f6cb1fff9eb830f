import { randomUUID } from "node:crypto";
import { neon, neonConfig, NeonDbError, type FieldDef } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createBackendFromEnv,
  LOCAL_ROLE,
  startNeonHttpServer,
  type NeonHttpServer,
  type SqlBackend,
} from "../../tools/neon-http/index.ts";

// What neondatabase/serverless's own test suite checks against Neon, carried over: every
// field as Postgres's row description reports it (a representative set of that suite's sample
// queries, plus type modifiers and table columns), results identical to the wire protocol,
// and credentials refused as Neon refuses them. On PGlite, or on the real Postgres named by
// DATABASE_URL, where a direct `pg` query is the reference.
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const CONNECTION = `postgres://${LOCAL_ROLE.user}:${LOCAL_ROLE.password}@localhost/${LOCAL_ROLE.database}`;
const full = { fullResults: true, arrayMode: true } as const;
// Values as Postgres's text, so rows compare with pg's byte for byte.
const raw = { getTypeParser: () => (value: string) => value };

let backend: SqlBackend;
let server: NeonHttpServer;
let sql: ReturnType<typeof neon<false, false>>;
let direct: pg.Client | undefined;

beforeAll(async () => {
  backend = await createBackendFromEnv({ DATABASE_URL });
  server = await startNeonHttpServer({ backend });
  neonConfig.fetchEndpoint = () => server.url;
  sql = neon(CONNECTION);
  if (DATABASE_URL) {
    // The settings the server pins, so dates render the same on both sides.
    direct = new pg.Client({ connectionString: DATABASE_URL, options: "-c TimeZone=UTC -c DateStyle=ISO" });
    await direct.connect();
  }
});

afterAll(async () => {
  await direct?.end();
  await server.close();
  await backend.close();
});

const table = (label: string) => `t_${label}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

/** A field as Postgres describes it; only plain table columns have a table and column. */
const field = (name: string, dataTypeID: number, dataTypeSize: number, dataTypeModifier = -1, tableID = 0, columnID = 0): FieldDef => ({
  name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format: "text",
});

const now = new Date();

/** The suite's sample queries (one per type it covers), with the fields Postgres reports for them. */
const SAMPLES: { query: string; params: unknown[]; fields: FieldDef[] }[] = [
  { query: "SELECT $1 AS int_uncast", params: [1], fields: [field("int_uncast", 25, -1)] },
  { query: "SELECT $1::int AS int", params: [-1], fields: [field("int", 23, 4)] },
  { query: "SELECT $1::int8 AS int8num", params: [1], fields: [field("int8num", 20, 8)] },
  { query: "SELECT $1::decimal AS decimalnum", params: [-1], fields: [field("decimalnum", 1700, -1)] },
  { query: "SELECT $1::real AS pi", params: [Math.PI], fields: [field("pi", 700, 4)] },
  { query: "SELECT $1::double precision AS pi", params: [Math.PI], fields: [field("pi", 701, 8)] },
  { query: "SELECT $1::int4range AS int4range", params: ["[1,4)"], fields: [field("int4range", 3904, -1)] },
  { query: "SELECT $1::timestamptz AS timestamptznow", params: [now], fields: [field("timestamptznow", 1184, 8)] },
  { query: "SELECT $1::timestamp AS timestampnow", params: [now], fields: [field("timestampnow", 1114, 8)] },
  { query: "SELECT $1::timetz AS timetz", params: ["16:17:18+01:00"], fields: [field("timetz", 1266, 12)] },
  { query: "SELECT $1::time AS time", params: ["17:18:19"], fields: [field("time", 1083, 8)] },
  { query: "SELECT $1::date AS datenow", params: [now], fields: [field("datenow", 1082, 4)] },
  { query: "SELECT $1::macaddr AS macaddr", params: ["11:22:33:44:55:66"], fields: [field("macaddr", 829, 6)] },
  { query: "SELECT $1::bytea AS bytea", params: ["\\xDEADBEEF"], fields: [field("bytea", 17, -1)] },
  { query: "SELECT $1::point AS point", params: ["(2, 3)"], fields: [field("point", 600, 16)] },
  { query: "SELECT $1::circle AS circle", params: ["<(2, 3), 1>"], fields: [field("circle", 718, 24)] },
  { query: "SELECT $1::cidr AS cidr", params: ["10.10.10.0/24"], fields: [field("cidr", 650, -1)] },
  { query: "SELECT $1::boolean AS bool", params: [true], fields: [field("bool", 16, 1)] },
  { query: "SELECT $1::int[] AS arrnum", params: [[1, 2, 3]], fields: [field("arrnum", 1007, -1)] },
  { query: "SELECT $1::macaddr[] AS arrmacaddr", params: [["11:22:33:44:55:66"]], fields: [field("arrmacaddr", 1040, -1)] },
  { query: "SELECT $1::jsonb AS jsonb_obj", params: [{ x: "y" }], fields: [field("jsonb_obj", 3802, -1)] },
  { query: "SELECT $1::json AS json_obj", params: [{ x: "y" }], fields: [field("json_obj", 114, -1)] },
  { query: "SELECT null AS null", params: [], fields: [field("null", 25, -1)] },
  { query: "SELECT 123 AS num", params: [], fields: [field("num", 23, 4)] },
  { query: "SELECT $1 || ' ' || $2 AS greeting", params: ["hello", "world"], fields: [field("greeting", 25, -1)] },
  {
    query: "SELECT $1 AS one, 'raw' AS raw, $2 AS x, $3 AS date",
    params: [1, "x", now],
    fields: [field("one", 25, -1), field("raw", 25, -1), field("x", 25, -1), field("date", 25, -1)],
  },
  {
    // Type modifiers: varchar(n) is n + 4, numeric(p, s) is (p << 16 | s) + 4, time(p) is p.
    query: "SELECT 'x'::varchar(10) AS v, 1.5::numeric(5,2) AS n, 'ab'::char(4) AS c, '12:00'::time(3) AS t",
    params: [],
    fields: [field("v", 1043, -1, 14), field("n", 1700, -1, 327686), field("c", 1042, -1, 8), field("t", 1083, 8, 3)],
  },
  {
    // Catalogue columns: pg_class is table 1259 on every server.
    query: "SELECT relname, relnamespace FROM pg_class WHERE relname = 'pg_class'",
    params: [],
    fields: [field("relname", 19, 64, -1, 1259, 2), field("relnamespace", 26, 4, -1, 1259, 3)],
  },
];

describe("fields: the row description, as Postgres reports it", () => {
  it.each(SAMPLES)("$query", async ({ query, params, fields }) => {
    const result = await sql.query(query, params, full);
    if (direct) {
      const reference = await direct.query({ text: query, values: params, rowMode: "array" });
      expect(result.fields).toEqual(reference.fields.map((f) => ({ ...f })));
    } else {
      expect(result.fields).toEqual(fields);
    }
  });

  it("a table's columns carry its OID and their attribute numbers, as the catalogue has them", async () => {
    const name = table("fields");
    await sql.query(`CREATE TABLE ${name} (id int4 PRIMARY KEY, label varchar(10), price numeric(5,2), note text)`);
    try {
      const query = `SELECT price, id, label, note, id + 1 AS next FROM ${name}`;
      const { fields } = await sql.query(query, [], full);
      const columns = await sql.query(
        `SELECT attname, attrelid, attnum, atttypid, typlen, atttypmod FROM pg_attribute
         JOIN pg_type ON pg_type.oid = atttypid WHERE attrelid = $1::regclass AND attnum > 0`,
        [name],
      );
      const described = (column: string) => {
        const c = columns.find((row) => row.attname === column)!;
        return field(column, c.atttypid as number, c.typlen as number, c.atttypmod as number, c.attrelid as number, c.attnum as number);
      };
      expect(fields).toEqual([described("price"), described("id"), described("label"), described("note"), field("next", 23, 4)]);
      expect(fields[1]).toMatchObject({ columnID: 1, dataTypeSize: 4 });
      expect(fields[0]?.tableID).toBeGreaterThan(0);
      if (direct) expect(fields).toEqual((await direct.query({ text: query, rowMode: "array" })).fields.map((f) => ({ ...f })));
    } finally {
      await sql.query(`DROP TABLE ${name}`);
    }
  });

  it("the raw body lists them in Neon's order, with format text", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "Neon-Connection-String": CONNECTION },
      body: JSON.stringify({ query: "SELECT 1::int4 AS a" }),
    });
    const body = (await response.json()) as { fields: Record<string, unknown>[] };
    expect(Object.keys(body.fields[0]!)).toEqual(["name", "dataTypeID", "tableID", "columnID", "dataTypeSize", "dataTypeModifier", "format"]);
  });
});

// Registered on the backend each belongs to (CI runs both passes), never reported as skipped.
if (DATABASE_URL) describe("results: identical to the wire protocol (Postgres)", () => {
  it.each(SAMPLES)("$query", async ({ query, params }) => {
    const result = await sql.query(query, params, { ...full, types: raw });
    const reference = await direct!.query({ text: query, values: params, rowMode: "array", types: raw });
    expect({ fields: result.fields, rows: result.rows, command: result.command, rowCount: result.rowCount }).toEqual({
      fields: reference.fields.map((f) => ({ ...f })),
      rows: reference.rows,
      command: reference.command,
      rowCount: reference.rowCount,
    });
  });
});

describe("credentials: checked as Neon checks them", () => {
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NeonDbError);
    return error as NeonDbError;
  };
  const refused = (user: string) => ({ message: `password authentication failed for user '${user}'`, code: "", severity: "" });

  it("a wrong user fails before anything runs", async () => {
    const wrongUser = neon(CONNECTION.replace("//", "//x"));
    expect(await failure(wrongUser`SELECT ${1}::int AS one`)).toMatchObject(refused(`x${LOCAL_ROLE.user}`));
  });

  it("a wrong or missing password fails the same way, batches included", async () => {
    const wrongPassword = neon(CONNECTION.replace("@", "x@"));
    expect(await failure(wrongPassword`SELECT ${1}::int AS one`)).toMatchObject(refused(LOCAL_ROLE.user));
    expect(await failure(wrongPassword.transaction([wrongPassword`SELECT 1`]))).toMatchObject(refused(LOCAL_ROLE.user));
    const noPassword = neon(CONNECTION.replace(`:${LOCAL_ROLE.password}@`, "@"));
    expect(await failure(noPassword`SELECT 1`)).toMatchObject(refused(LOCAL_ROLE.user));
  });

  it("the body is Neon's: 400, every error field, code and severity empty", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "Neon-Connection-String": CONNECTION.replace("@", "x@") },
      body: JSON.stringify({ query: "SELECT 1" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      ...refused(LOCAL_ROLE.user),
      detail: null, hint: null, position: null, internalPosition: null, internalQuery: null, where: null,
      table: null, column: null, schema: null, dataType: null, constraint: null, file: null, line: null, routine: null,
    });
  });

  it("a database that does not exist fails with 3D000, as Postgres says at login", async () => {
    const error = await failure(neon(CONNECTION.replace(/\/\w+$/, "/nope"))`SELECT 1`);
    expect(error).toMatchObject({ message: 'database "nope" does not exist', code: "3D000", severity: "FATAL" });
  });

  it("refuses connection strings Neon refuses: not a URL, another scheme, no user", async () => {
    const post = (connection: string) =>
      fetch(server.url, { method: "POST", headers: { "Neon-Connection-String": connection }, body: '{"query":"SELECT 1"}' });
    for (const [connection, message] of [
      ["not a url", "invalid connection string: not a URL"],
      ["mysql://edgekit:local@localhost/edgekit", "incorrect scheme"],
      ["postgres://localhost/edgekit", "missing username"],
    ]) {
      const response = await post(connection!);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ message, code: "", severity: "" });
    }
  });

  if (DATABASE_URL) it("on Postgres, any other user logs in as the connection string says", async () => {
    const real = new URL(DATABASE_URL);
    // The server's own user, at the local server's address instead of the real one's.
    const own = `postgres://${real.username}${real.password ? `:${real.password}` : ""}@localhost${real.pathname}`;
    expect(await neon(own)`SELECT current_user AS "user"`).toEqual([{ user: decodeURIComponent(real.username) }]);
    // A role Postgres does not know: its refusal, answered as Neon answers it.
    const unknown = own.replace("//", "//nobody_");
    expect(await failure(neon(unknown)`SELECT 1`)).toMatchObject(refused(`nobody_${decodeURIComponent(real.username)}`));
    // A real user and a database that does not exist: Postgres's own error, every field.
    const error = await failure(neon(own.replace(/\/[^/]+$/, "/nope_no_such_db"))`SELECT 1`);
    expect(error).toMatchObject({ code: "3D000", severity: "FATAL", routine: expect.any(String) });
  });
});
