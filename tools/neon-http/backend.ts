/**
 * What the Neon HTTP server needs from a Postgres engine. Both backends run each query
 * through the extended protocol with text parameters and return Postgres's raw text output
 * (protocols.md A4, A5, A8); the server only shapes JSON.
 */
export interface SqlBackend {
  /** "pglite" or "postgres", for logs. */
  readonly name: string;
  query(query: SqlQuery): Promise<QueryResult>;
  /** Runs the queries in one transaction; the first error rolls it back and is thrown. */
  transaction(queries: SqlQuery[], options: TransactionOptions): Promise<QueryResult[]>;
  close(): Promise<void>;
}

export interface SqlQuery {
  text: string;
  /** Text values or NULL: Postgres infers each parameter's type (OID 0). */
  params: (string | null)[];
}

export type IsolationLevel = "ReadUncommitted" | "ReadCommitted" | "RepeatableRead" | "Serializable";

export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly: boolean;
  deferrable: boolean;
}

export interface Field {
  name: string;
  dataTypeID: number;
}

export interface QueryResult {
  fields: Field[];
  /** Raw text values, NULL as null, in column order. */
  rows: (string | null)[][];
  /** The command tag's first word, e.g. "INSERT", "CREATE". */
  command: string;
  /** The tag's row count (the third word for INSERT, the second otherwise), or null. */
  rowCount: number | null;
}

const ISOLATION_SQL: Record<IsolationLevel, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/** The `SET TRANSACTION` (or `BEGIN`) modes for a batch, e.g. "ISOLATION LEVEL SERIALIZABLE, READ ONLY". */
export function transactionModes(options: TransactionOptions): string {
  const modes: string[] = [];
  if (options.isolationLevel) modes.push(`ISOLATION LEVEL ${ISOLATION_SQL[options.isolationLevel]}`);
  if (options.readOnly) modes.push("READ ONLY");
  if (options.deferrable) modes.push("DEFERRABLE");
  return modes.join(", ");
}

export const isIsolationLevel = (value: string): value is IsolationLevel => value in ISOLATION_SQL;

/** Session settings both backends pin so values render the same everywhere (A4). */
export const SESSION_SETTINGS = { TimeZone: "UTC", DateStyle: "ISO" } as const;
