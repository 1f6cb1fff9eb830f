import type { Credentials, IsolationLevel, QueryResult, SqlQuery } from "./backend.ts";
import { isIsolationLevel } from "./backend.ts";

/** A request the server refuses before any SQL runs (bad headers or body): 400, `code` "". */
export class BadRequest extends Error {}

export interface ParsedRequest {
  credentials: Credentials;
  queries: (SqlQuery & { arrayMode: boolean })[];
  /** A batch (`{"queries": [...]}`) runs in one transaction; a single query does not. */
  batch: boolean;
  isolationLevel?: IsolationLevel;
  readOnly: boolean;
  deferrable: boolean;
}

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

// Only the exact string "true" counts as true, as on Neon; anything else is false.
const flag = (headers: Headers, name: string) => header(headers, name) === "true";

/** Reads the Neon-* headers and the JSON body, parsed whatever the Content-Type: the client sends none. */
export function parseRequest(headers: Headers, body: string): ParsedRequest {
  const connectionString = header(headers, "Neon-Connection-String");
  if (!connectionString) throw new BadRequest("missing Neon-Connection-String header");
  const credentials = parseCredentials(connectionString);
  const isolation = header(headers, "Neon-Batch-Isolation-Level");
  if (isolation !== undefined && !isIsolationLevel(isolation)) throw new BadRequest("invalid isolation level");
  const arrayMode = flag(headers, "Neon-Array-Mode");

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequest("request body is not valid JSON");
  }
  if (!isRecord(json)) throw new BadRequest("request body must be a JSON object");

  const toQuery = (value: unknown) => parseQuery(value, arrayMode);
  if ("queries" in json) {
    if (!Array.isArray(json.queries)) throw new BadRequest('"queries" must be an array');
    return {
      credentials,
      queries: json.queries.map(toQuery),
      batch: true,
      isolationLevel: isolation,
      readOnly: flag(headers, "Neon-Batch-Read-Only"),
      deferrable: flag(headers, "Neon-Batch-Deferrable"),
    };
  }
  return { credentials, queries: [toQuery(json)], batch: false, readOnly: false, deferrable: false };
}

/**
 * The user, password and database of a connection string, refused with Neon's messages when
 * it is not a postgres:// URL with a user. The host is not read: every request reaches the
 * one backend the server was started with.
 */
function parseCredentials(connectionString: string): Credentials {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new BadRequest("invalid connection string: not a URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new BadRequest("incorrect scheme");
  const user = decode(url.username);
  if (!user) throw new BadRequest("missing username");
  return { user, password: decode(url.password), database: decode(url.pathname.slice(1).split("/")[0] ?? "") };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new BadRequest("invalid connection string: bad percent-encoding");
  }
}

function parseQuery(value: unknown, defaultArrayMode: boolean): SqlQuery & { arrayMode: boolean } {
  if (!isRecord(value) || typeof value.query !== "string") throw new BadRequest('each query needs a "query" string');
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw new BadRequest('"params" must be an array');
  const arrayMode = typeof value.arrayMode === "boolean" ? value.arrayMode : defaultArrayMode;
  return { text: value.query, params: params.map(toPgText), arrayMode };
}

/**
 * Neon's `json_to_pg_text`: strings as they are, arrays as Postgres array literals, other JSON
 * values as their JSON text. The client only sends strings and nulls; raw callers may not.
 */
export function toPgText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return toPgArray(value);
  return JSON.stringify(value);
}

function toPgArray(values: unknown[]): string {
  const items = values.map((item) => {
    if (item === null || item === undefined) return "NULL";
    if (Array.isArray(item)) return toPgArray(item);
    const text = typeof item === "string" ? item : JSON.stringify(item);
    return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}

/** One result in the shape the client expects: raw text values it parses itself, rows as arrays. */
export function resultJson(result: QueryResult, arrayMode: boolean) {
  // In Neon's order; `format` is always text, the only output the server gives.
  const fields = result.fields.map(({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier }) => ({
    name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier, format: "text",
  }));
  const rows = arrayMode
    ? result.rows
    : result.rows.map((row) => Object.fromEntries(fields.map((field, i) => [field.name, row[i] ?? null])));
  return { fields, rows, command: result.command, rowCount: result.rowCount, rowAsArray: arrayMode };
}

const ERROR_FIELDS = [
  "code", "detail", "hint", "position", "internalPosition", "internalQuery", "severity", "where",
  "table", "column", "schema", "dataType", "constraint", "file", "line", "routine",
] as const;

/**
 * The error body of a 400, which the client copies onto its NeonDbError as it does Neon's:
 * every field present, null when missing, positions and lines as strings. Errors that did
 * not come from Postgres (a refused request, a failed login) have `code` and `severity` "".
 */
export function errorJson(error: unknown): Record<string, string | null> {
  const source: Record<string, unknown> = isRecord(error) ? error : {};
  const body: Record<string, string | null> = {
    message: error instanceof Error ? error.message : String(error),
  };
  for (const field of ERROR_FIELDS) {
    const value = source[field];
    body[field] = typeof value === "string" || typeof value === "number" ? String(value) : null;
  }
  if (body.code === null) {
    body.code = "";
    body.severity ??= "";
  }
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
