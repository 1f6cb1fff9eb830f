import pg from "pg";
import type { Credentials, QueryResult, SqlBackend, SqlDatabase, SqlQuery, TransactionOptions } from "./backend.ts";
import { AuthenticationFailed, LOCAL_ROLE, SESSION_SETTINGS, transactionModes, unknownDatabase } from "./backend.ts";

/**
 * A real Postgres server through node-postgres, for CI and for users who run one.
 *
 * The local stack's role (`credentials`, checked here as PGlite checks it) runs on
 * `connectionString` itself, so the stack's printed DATABASE_URL works whatever the server's
 * roles. Any other user logs in to the same server with the connection string's own user,
 * password and database, and Postgres decides: its refusal is answered as Neon answers a
 * wrong password.
 */
export async function createPgBackend(options: { connectionString: string; credentials?: Credentials }): Promise<SqlBackend> {
  const localRole = options.credentials ?? LOCAL_ROLE;
  const pool = createPool(options.connectionString);
  await pool.query("SELECT 1"); // fail fast on a wrong DATABASE_URL
  const local = databaseOn(pool);

  // One pool per set of credentials Postgres accepted; a refused set leaves none behind.
  const others = new Map<string, Promise<pg.Pool>>();
  const passThrough = (credentials: Credentials): Promise<pg.Pool> => {
    const key = JSON.stringify([credentials.user, credentials.password, credentials.database]);
    let entry = others.get(key);
    if (!entry) {
      entry = openPool(options.connectionString, credentials);
      others.set(key, entry);
      void entry.catch(() => others.delete(key));
    }
    return entry;
  };

  return {
    name: "postgres",
    connect: async (credentials) => {
      if (credentials.user === localRole.user) {
        if (credentials.password !== localRole.password) throw new AuthenticationFailed(credentials.user);
        if (credentials.database !== localRole.database) throw unknownDatabase(credentials.database);
        return local;
      }
      return databaseOn(await passThrough(credentials));
    },
    close: async () => {
      const opened = await Promise.allSettled(others.values());
      await Promise.all(opened.flatMap((entry) => (entry.status === "fulfilled" ? [entry.value.end()] : [])));
      await pool.end();
    },
  };
}

function createPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Pinned per connection so every session renders values the same way, whatever the
    // server's defaults.
    options: Object.entries(SESSION_SETTINGS)
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(" "),
  });
  // An idle client's network error must not crash the stack; the next query reports it.
  pool.on("error", () => undefined);
  return pool;
}

/** A pool logged in as `credentials` on `base`'s server, once Postgres has accepted them. */
async function openPool(base: string, credentials: Credentials): Promise<pg.Pool> {
  const url = URL.canParse(base) ? new URL(base) : undefined;
  // Without a host (a Unix socket in the query string) the URL cannot carry another user:
  // refuse rather than run as DATABASE_URL's own.
  if (!url?.host) throw new AuthenticationFailed(credentials.user);
  // Query parameters would win over the URL's user and password.
  url.searchParams.delete("user");
  url.searchParams.delete("password");
  url.username = encodeURIComponent(credentials.user);
  url.password = encodeURIComponent(credentials.password);
  url.pathname = `/${encodeURIComponent(credentials.database)}`;
  const pool = createPool(url.href);
  try {
    (await pool.connect()).release();
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    // 28000 (no such role, or no pg_hba.conf entry) and 28P01 (wrong password): Neon's
    // proxy answers both the same way.
    if (isRecord(error) && typeof error.code === "string" && error.code.startsWith("28")) {
      throw new AuthenticationFailed(credentials.user);
    }
    throw error;
  }
}

function databaseOn(pool: pg.Pool): SqlDatabase {
  return {
    query: (query) => run(pool, query),
    transaction: async (queries, transactionOptions: TransactionOptions) => {
      const client = await pool.connect();
      try {
        await client.query(`BEGIN ${transactionModes(transactionOptions)}`.trim());
        const results: QueryResult[] = [];
        // eslint-disable-next-line no-await-in-loop
        for (const query of queries) results.push(await run(client, query));
        await client.query("COMMIT");
        return results;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

async function run(client: pg.Pool | pg.PoolClient, query: SqlQuery): Promise<QueryResult> {
  const config: pg.QueryArrayConfig & { queryMode: "extended" } = {
    text: query.text,
    values: query.params,
    rowMode: "array",
    // Raw text out: the Neon client parses values itself, by type.
    types: { getTypeParser: () => (value: string) => value },
    // Even without parameters: the simple protocol would accept several statements, which
    // Neon refuses (42601).
    // (node-postgres supports it; @types/pg does not list it yet.)
    queryMode: "extended",
  };
  const result = await client.query<(string | null)[]>(config);
  return {
    // The row description as Postgres sent it.
    fields: result.fields.map(({ name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier }) => ({
      name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier,
    })),
    rows: result.rows,
    command: result.command,
    rowCount: result.rowCount,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
