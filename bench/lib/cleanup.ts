import type { NeonQueryFunction } from "@neondatabase/serverless";

/**
 * Removes what a bench run wrote to the database: its products (every one it creates is
 * named `bench …`; their stats go with them) and its API keys (named `bench…`). On your own
 * PostgreSQL (`DATABASE_URL`) a run would otherwise leave some 100,000 rows behind, which
 * slow every later whole-table job, and keys with every scope. Only rows created since the
 * run started are touched.
 */
export async function removeBenchData(sql: NeonQueryFunction<false, false>, since: Date): Promise<void> {
  await sql`DELETE FROM products WHERE name LIKE 'bench %' AND created_at >= ${since}`;
  await sql`DELETE FROM api_keys WHERE name LIKE 'bench%' AND created_at >= ${since}`;
}
