/** What a client of the local stack needs: exactly the Worker's bindings for its servers. */
export interface StackEnv {
  DATABASE_URL: string;
  NEON_HTTP_ENDPOINT: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  /** The fake reviews service, an example external API behind the resilient HTTP client. */
  REVIEWS_API_URL: string;
}
