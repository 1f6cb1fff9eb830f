import { importProducts } from "../../jobs/definitions/import-products";
import { recomputeProductStats } from "../../jobs/definitions/recompute-product-stats";
import { onEvent } from "../on-event";

/**
 * After a product import succeeds, recomputes the catalogue's statistics: an import adds
 * many products at once, which leaves every product's price percentile and the catalogue's
 * totals out of date. The work is the `recompute-product-stats` job's (every product and
 * the totals), run as this handler's job; it is one statement that upserts, so a repeated
 * delivery writes the same rows again. Other jobs' successes make no job (`when`).
 */
export const statsAfterImport = onEvent(
  "job.succeeded",
  "stats-after-import",
  (_event, ctx) => recomputeProductStats.handler({}, ctx),
  { when: (event) => event.data.name === importProducts.name, maxAttempts: 5, timeoutMs: 30_000 },
);
