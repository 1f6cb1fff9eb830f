import pg from "pg";
import type { QueryResult, SqlBackend, SqlQuery, TransactionOptions } from "./backend.ts";
import { SESSION_SETTINGS, transactionModes } from "./backend.ts";

/** A real Postgres server through node-postgres, for CI and for users who run one (A8). */
export async function createPgBackend(options: { connectionString: string }): Promise<SqlBackend> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 10,
    // Pinned per connection so every session renders values the same way (A4).
    options: Object.entries(SESSION_SETTINGS)
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(" "),
  });
  // An idle client's network error must not crash the stack; the next query reports it.
  pool.on("error", () => undefined);
  await pool.query("SELECT 1"); // fail fast on a wrong DATABASE_URL

  const run = async (client: pg.Pool | pg.PoolClient, query: SqlQuery): Promise<QueryResult> => {
    const config: pg.QueryArrayConfig & { queryMode: "extended" } = {
      text: query.text,
      values: query.params,
      rowMode: "array",
      // Raw text out: the client parses values itself (A5).
      types: { getTypeParser: () => (value: string) => value },
      // Even without parameters: the simple protocol would accept several statements (A4).
      // (node-postgres supports it; @types/pg does not list it yet.)
      queryMode: "extended",
    };
    const result = await client.query<(string | null)[]>(config);
    return {
      fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
      rows: result.rows,
      command: result.command,
      rowCount: result.rowCount,
    };
  };

  return {
    name: "postgres",
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
    close: () => pool.end(),
  };
}
