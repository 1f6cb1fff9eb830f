/**
 * What the Neon HTTP server needs from a Postgres engine. Both backends run each query
 * through the extended protocol with text parameters and return Postgres's raw text output
 * (one statement per query, as on Neon); the server only shapes JSON.
 */
export interface SqlBackend {
  /** "pglite" or "postgres", for logs. */
  readonly name: string;
  /**
   * Checks the connection string's credentials, as Neon does before it runs anything, and
   * answers the database to run on. Throws `AuthenticationFailed` for a wrong user or
   * password, or Postgres's own connection error (a missing database: 3D000).
   */
  connect(credentials: Credentials): Promise<SqlDatabase>;
  close(): Promise<void>;
}

export interface SqlDatabase {
  query(query: SqlQuery): Promise<QueryResult>;
  /** Runs the queries in one transaction; the first error rolls it back and is thrown. */
  transaction(queries: SqlQuery[], options: TransactionOptions): Promise<QueryResult[]>;
}

/** The user, password and database of a request's `Neon-Connection-String`. */
export interface Credentials {
  user: string;
  password: string;
  database: string;
}

/**
 * The local stack's own role: the credentials of the DATABASE_URL it prints, accepted by
 * both backends (on Postgres it stands for the server's own DATABASE_URL).
 */
export const LOCAL_ROLE: Readonly<Credentials> = { user: "edgekit", password: "local", database: "edgekit" };

/**
 * A wrong user or password. Neon's proxy answers it before reaching Postgres, with a 400
 * whose `code` and `severity` are empty, and says the same for an unknown user.
 */
export class AuthenticationFailed extends Error {
  constructor(user: string) {
    super(`password authentication failed for user '${user}'`);
  }
}

/** An error as Postgres reports it, for the few the server raises itself. */
export class PostgresError extends Error {
  readonly code: string;
  readonly severity: string;

  constructor(message: string, code: string, severity = "ERROR") {
    super(message);
    this.code = code;
    this.severity = severity;
  }
}

/** Postgres's answer to a connection to a database that does not exist. */
export const unknownDatabase = (database: string) =>
  new PostgresError(`database "${database}" does not exist`, "3D000", "FATAL");

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

/** A column as Postgres's row description reports it (values are always text). */
export interface Field {
  name: string;
  /** The table's OID when the column is a plain table column, else 0. */
  tableID: number;
  /** The column's attribute number in that table, else 0. */
  columnID: number;
  dataTypeID: number;
  /** The type's `typlen`: 4 for int4, -1 for varlena types, -2 for C strings. */
  dataTypeSize: number;
  /** The type modifier (`atttypmod`), e.g. 14 for varchar(10); -1 when there is none. */
  dataTypeModifier: number;
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

/** Splits a command tag ("INSERT 0 2", "CREATE TABLE") into `command` and `rowCount` as Neon does. */
export function parseCommandTag(tag: string): Pick<QueryResult, "command" | "rowCount"> {
  const [command = "", ...rest] = tag.split(" ");
  const count = command === "INSERT" ? rest[1] : rest[0];
  return { command, rowCount: count !== undefined && /^\d+$/.test(count) ? Number(count) : null };
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

/** Session settings both backends pin so dates and times render the same on every server. */
export const SESSION_SETTINGS = { TimeZone: "UTC", DateStyle: "ISO" } as const;
