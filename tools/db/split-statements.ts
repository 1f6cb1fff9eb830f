import { loadModule, parseSync } from "libpg-query";

/**
 * Splits a SQL script into its statements with Postgres's own parser (libpg_query, as
 * WebAssembly), so semicolons in strings, identifiers, dollar-quoted bodies and comments
 * are never mistaken for separators. Needed because Neon's HTTP API runs one statement per
 * query (the extended protocol refuses "SELECT 1; SELECT 2").
 */
export async function splitStatements(script: string): Promise<string[]> {
  await loadModule();
  const { stmts = [] } = parseSync(script);
  // The parser's locations count UTF-8 bytes, not JavaScript's UTF-16 units.
  const bytes = Buffer.from(script, "utf8");
  return stmts.map(({ stmt_location, stmt_len }) => {
    const start = stmt_location ?? 0;
    // The last statement has no length when no semicolon ends it.
    return bytes.subarray(start, stmt_len ? start + stmt_len : undefined).toString("utf8").trim();
  });
}
