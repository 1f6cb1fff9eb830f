import { mkdir } from "node:fs/promises";
import { messages, Mutex, PGlite, protocol } from "@electric-sql/pglite";
import type { Credentials, QueryResult, SqlBackend, SqlDatabase, SqlQuery, TransactionOptions } from "./backend.ts";
import { AuthenticationFailed, LOCAL_ROLE, parseCommandTag, SESSION_SETTINGS, transactionModes, unknownDatabase } from "./backend.ts";

const { serialize } = protocol;

/**
 * PGlite: Postgres compiled to WebAssembly, in this process. In memory, or persisted in
 * `dataDir`. It has no roles to log in as, so the server checks `credentials` itself (the
 * local stack's by default). One request at a time holds the engine, so concurrent requests
 * never interleave inside a batch.
 */
export async function createPgliteBackend(
  options: { dataDir?: string; credentials?: Credentials } = {},
): Promise<SqlBackend> {
  const credentials = options.credentials ?? LOCAL_ROLE;
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? "memory://");
  await db.exec(
    Object.entries(SESSION_SETTINGS)
      .map(([name, value]) => `SET ${name} TO '${value}';`)
      .join(" "),
  );
  // PGlite's own lock covers one protocol exchange; this one covers a whole request.
  const lock = new Mutex();

  // The wire protocol itself rather than `db.query()`, whose results keep only each field's
  // name and type: the row description also has its table, column, size and modifier. Text
  // in and out, as the Neon client sends and expects values.
  const exchange = async (message: Uint8Array, syncToFs: boolean) => {
    const result = await db.runExclusive(() => db.execProtocol(message, { throwOnError: false, syncToFs }));
    const error = result.messages.find((m) => m instanceof messages.DatabaseError);
    if (error) throw error;
    return result.messages;
  };

  const run = async (query: SqlQuery, syncToFs: boolean): Promise<QueryResult> => {
    const replies = await exchange(
      concat([
        serialize.parse({ text: query.text }),
        serialize.bind({ values: query.params }),
        serialize.describe({ type: "P" }),
        serialize.execute({}),
        serialize.sync(),
      ]),
      syncToFs,
    );
    const result: QueryResult = { fields: [], rows: [], command: "", rowCount: null };
    for (const reply of replies) {
      if (reply instanceof messages.RowDescriptionMessage) {
        result.fields = reply.fields.map(({ name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier }) => ({
          name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier,
        }));
      } else if (reply instanceof messages.DataRowMessage) {
        result.rows.push(reply.fields);
      } else if (reply instanceof messages.CommandCompleteMessage) {
        Object.assign(result, parseCommandTag(reply.text));
      }
    }
    return result;
  };

  const simple = (sql: string, syncToFs: boolean) => exchange(serialize.query(sql), syncToFs);

  const database: SqlDatabase = {
    query: (query) => lock.runExclusive(() => run(query, true)),
    transaction: (queries, transactionOptions: TransactionOptions) =>
      lock.runExclusive(async () => {
        await simple(`BEGIN ${transactionModes(transactionOptions)}`.trim(), false);
        try {
          const results: QueryResult[] = [];
          // In order, as the client sent them: later statements may depend on earlier ones.
          // eslint-disable-next-line no-await-in-loop
          for (const query of queries) results.push(await run(query, false));
          await simple("COMMIT", true);
          return results;
        } catch (error) {
          await simple("ROLLBACK", true).catch(() => undefined);
          throw error;
        }
      }),
  };

  return {
    name: options.dataDir ? `pglite (${options.dataDir})` : "pglite (in memory)",
    connect: (given) => {
      if (given.user !== credentials.user || given.password !== credentials.password) {
        return Promise.reject(new AuthenticationFailed(given.user));
      }
      if (given.database !== credentials.database) return Promise.reject(unknownDatabase(given.database));
      return Promise.resolve(database);
    },
    close: () => db.close(),
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
