import { z } from "zod";
import { defineJob } from "../define-job";

const Payload = z.strictObject({
  /** One product; without it, every product and the catalogue totals. */
  productId: z.uuid().optional(),
});

const Totals = z.object({
  product_count: z.number().int(),
  total_stock: z.coerce.number(),
  inventory_value_cents: z.coerce.number(),
  average_price_cents: z.number().int().nullable(),
});

/**
 * Recomputes product aggregates: per product its inventory value and price percentile,
 * and for the whole catalogue its totals. Each run is one statement that upserts, so a
 * repeated delivery writes the same rows again and nothing else.
 */
export const recomputeProductStats = defineJob(
  "recompute-product-stats",
  Payload,
  async ({ productId }, ctx) => {
    const only = productId ?? null;
    const rows = await ctx.db(
      (sql) => sql`
        WITH ranked AS (
          SELECT id, price_cents::bigint * stock AS inventory_value_cents,
                 coalesce(percent_rank() OVER (ORDER BY price_cents), 0) AS price_percentile
          FROM products
        ), per_product AS (
          INSERT INTO product_stats (product_id, inventory_value_cents, price_percentile, computed_at)
          SELECT id, inventory_value_cents, price_percentile, now() FROM ranked
          WHERE ${only}::uuid IS NULL OR id = ${only}::uuid
          ON CONFLICT (product_id) DO UPDATE SET
            inventory_value_cents = EXCLUDED.inventory_value_cents,
            price_percentile = EXCLUDED.price_percentile,
            computed_at = EXCLUDED.computed_at
          RETURNING product_id
        ), totals AS (
          SELECT count(*)::int AS product_count,
                 coalesce(sum(stock), 0)::bigint AS total_stock,
                 coalesce(sum(price_cents::bigint * stock), 0)::bigint AS inventory_value_cents,
                 round(avg(price_cents))::int AS average_price_cents
          FROM products
        ), catalog AS (
          INSERT INTO catalog_stats (id, product_count, total_stock, inventory_value_cents, average_price_cents, computed_at)
          SELECT true, product_count, total_stock, inventory_value_cents, average_price_cents, now() FROM totals
          WHERE ${only}::uuid IS NULL
          ON CONFLICT (id) DO UPDATE SET
            product_count = EXCLUDED.product_count,
            total_stock = EXCLUDED.total_stock,
            inventory_value_cents = EXCLUDED.inventory_value_cents,
            average_price_cents = EXCLUDED.average_price_cents,
            computed_at = EXCLUDED.computed_at
        )
        SELECT (SELECT count(*)::int FROM per_product) AS products_updated, totals.* FROM totals`,
      { idempotent: true },
    );
    const row = z.object({ products_updated: z.number().int() }).and(Totals).parse(rows[0]);
    const { products_updated: productsUpdated, ...totals } = row;
    return {
      productsUpdated,
      ...(productId === undefined
        ? {
            catalog: {
              productCount: totals.product_count,
              totalStock: totals.total_stock,
              inventoryValueCents: totals.inventory_value_cents,
              averagePriceCents: totals.average_price_cents,
            },
          }
        : {}),
    };
  },
  { maxAttempts: 5, timeoutMs: 30_000 },
);
