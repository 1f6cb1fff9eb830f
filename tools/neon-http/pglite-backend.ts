import { mkdir } from "node:fs/promises";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { QueryResult, SqlBackend, SqlQuery, TransactionOptions } from "./backend.ts";
import { SESSION_SETTINGS, transactionModes } from "./backend.ts";

/**
 * PGlite: Postgres compiled to WebAssembly, in this process. In memory, or persisted in
 * `dataDir`. PGlite runs one query at a time and `transaction()` holds its lock, so
 * concurrent requests never interleave inside a batch (A8).
 */
export async function createPgliteBackend(options: { dataDir?: string } = {}): Promise<SqlBackend> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? "memory://");
  await db.exec(
    Object.entries(SESSION_SETTINGS)
      .map(([name, value]) => `SET ${name} TO '${value}';`)
      .join(" "),
  );

  // Identity parsers for every type PGlite knows (arrays included) and identity serializers:
  // values travel as Postgres text both ways (A8). Without them int8 comes back as a number,
  // arrays as JS arrays, and a bytea parameter is refused.
  const queryOptions = {
    rowMode: "array" as const,
    parsers: Object.fromEntries(Object.keys(db.parsers).map((id) => [id, keep])),
    serializers: new Proxy({}, { get: () => keep }),
  };

  const run = async (target: PGlite | Transaction, query: SqlQuery): Promise<QueryResult> => {
    const result = await target.query<(string | null)[]>(query.text, query.params, queryOptions);
    return {
      fields: result.fields,
      rows: result.rows,
      command: result.command ?? "",
      rowCount: result.rowCount ?? null,
    };
  };

  return {
    name: options.dataDir ? `pglite (${options.dataDir})` : "pglite (in memory)",
    query: (query) => run(db, query),
    transaction: (queries, transactionOptions: TransactionOptions) =>
      db.transaction(async (tx) => {
        const modes = transactionModes(transactionOptions);
        if (modes) await tx.exec(`SET TRANSACTION ${modes}`);
        const results: QueryResult[] = [];
        // In order, as the client sent them: later statements may depend on earlier ones.
        // eslint-disable-next-line no-await-in-loop
        for (const query of queries) results.push(await run(tx, query));
        return results;
      }),
    close: () => db.close(),
  };
}

const keep = (value: unknown) => value;
