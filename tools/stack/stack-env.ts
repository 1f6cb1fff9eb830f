/** What a client of the local stack needs: exactly the Worker's bindings for its servers. */
export interface StackEnv {
  DATABASE_URL: string;
  NEON_HTTP_ENDPOINT: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  /** The fake reviews service, an example external API behind the resilient HTTP client. */
  REVIEWS_API_URL: string;
  /**
   * The same server's origin, which also holds the webhook inboxes: the one address the
   * outbound URL policy lets a webhook reach locally (it refuses loopback otherwise).
   */
  OUTBOUND_DEV_ALLOWED_ORIGINS: string;
}
