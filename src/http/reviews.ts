import { z } from "zod";
import { readConfig } from "../config/config";
import { dependencyPolicies } from "../config/dependencies";
import type { DependencyScope } from "../dependencies/scope";
import { ResilientHttpClient } from "./resilient-client";

/** A review as the reviews service sends it, and as `GET /products/{id}` passes it on. */
export const ReviewSchema = z.object({
  id: z.string(),
  rating: z.number().int().min(1).max(5),
  author: z.string(),
  body: z.string(),
});
export type Review = z.infer<typeof ReviewSchema>;

const ReviewsResponse = z.object({ reviews: z.array(ReviewSchema) });

export interface Enrichment {
  reviews: Review[];
  /** True when the reviews service could not answer in time: the reviews are left out. */
  degraded: boolean;
}

/**
 * The reviews service (an external HTTP API, `REVIEWS_API_URL`): reviews for a product, as
 * optional enrichment, so it gets a small budget of its own and never fails the caller.
 * Slow, failing or behind an open breaker: no reviews, and `degraded` says so. Several base
 * URLs share the load round-robin and fail over; `REVIEWS_API_KEY`, when set, goes with
 * every request as `Authorization: Bearer <key>`.
 */
export async function reviewsFor(scope: DependencyScope, productId: string): Promise<Enrichment> {
  const config = readConfig(scope.env);
  const baseUrls = config.REVIEWS_API_URL;
  if (baseUrls.length === 0) return { reviews: [], degraded: false };
  const headers = config.REVIEWS_API_KEY === undefined ? undefined : { Authorization: `Bearer ${config.REVIEWS_API_KEY}` };
  const client = new ResilientHttpClient(scope, { dependency: "reviews", baseUrls, headers });
  // A little over one attempt's timeout: a slow service costs one attempt, never two.
  const budgetMs = dependencyPolicies(scope.env).reviews.timeoutMs + 200;
  try {
    const body = await client.get(`/products/${encodeURIComponent(productId)}/reviews`, ReviewsResponse, { budgetMs });
    return { reviews: body.reviews, degraded: false };
  } catch (error) {
    // The caller itself is out of time: that is not ours to hide.
    if (scope.signal.aborted) throw error;
    return { reviews: [], degraded: true };
  }
}
