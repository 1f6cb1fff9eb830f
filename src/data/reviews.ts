import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { dependencyPolicies } from "../config/dependencies";
import { scopeOf } from "../dependencies/scope";
import { ResilientHttpClient } from "../http/resilient-client";

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
 * Reviews for a product from the reviews service: optional enrichment, so it gets a small
 * budget of its own and never fails the request. Slow, failing or behind an open breaker:
 * no reviews, and `degraded` says so.
 */
export async function reviewsFor(c: Context<AppEnv>, productId: string): Promise<Enrichment> {
  const baseUrl = c.env.REVIEWS_API_URL;
  if (!baseUrl) return { reviews: [], degraded: false };
  const client = new ResilientHttpClient(scopeOf(c), { dependency: "reviews", baseUrls: baseUrl.split(",") });
  // A little over one attempt's timeout: a slow service costs one attempt, never two.
  const budgetMs = dependencyPolicies(c.env).reviews.timeoutMs + 200;
  try {
    const body = await client.getJson(`/products/${encodeURIComponent(productId)}/reviews`, ReviewsResponse, { budgetMs });
    return { reviews: body.reviews, degraded: false };
  } catch (error) {
    // The request itself is out of time: that is not ours to hide.
    if (c.var.signal.aborted) throw error;
    return { reviews: [], degraded: true };
  }
}
