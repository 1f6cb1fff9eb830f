import type { NeonQueryFunction } from "@neondatabase/serverless";

/**
 * Notes when a bench run starts, by the database's own clock (a remote one may disagree with
 * this machine's), and returns what removes the run's rows at its end: its products (every
 * one it creates is named `bench …`; their stats go with them) and its API keys (named
 * `bench…`), created since that start. On your own PostgreSQL (`DATABASE_URL`) a run would
 * otherwise leave some 100,000 rows behind, which slow every later whole-table job, and
 * keys with every scope. A failure to remove is reported, never thrown: the results stand.
 */
export async function benchDataRemover(sql: NeonQueryFunction<false, false>): Promise<() => Promise<void>> {
  const [row] = await sql`SELECT now()::text AS started`;
  const started = String(row?.started);
  return async () => {
    try {
      await sql`DELETE FROM products WHERE name LIKE 'bench %' AND created_at >= ${started}::timestamptz`;
      await sql`DELETE FROM api_keys WHERE name LIKE 'bench%' AND created_at >= ${started}::timestamptz`;
    } catch (error) {
      console.log(`could not remove the bench's rows: ${String(error)}`);
    }
  };
}
