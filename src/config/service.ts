/**
 * The service's name, the one place it is spelled in the code: Redis key prefixes, problem
 * type URIs, metric names and the docs' title derive from it. `npm run rename -- <name>`
 * changes it here and in wrangler.toml (the Worker, queue, bucket and dataset names),
 * package.json and the README, in one step.
 */
export const SERVICE_NAME = "edgekit";

/** A Redis key under the service's namespace: `redisKey("v1", "cache", key)` → `edgekit:v1:cache:…`. */
export const redisKey = (...parts: string[]): string => [SERVICE_NAME, ...parts].join(":");

/** An RFC 9457 problem type URI: `problemType("validation")` → `urn:edgekit:problem:validation`. */
export const problemType = (slug: string): string => `urn:${SERVICE_NAME}:problem:${slug}`;

/** A Prometheus metric name: `metricName("http_requests_total")` → `edgekit_http_requests_total`. */
export const metricName = (name: string): string => `${SERVICE_NAME.replace(/[^a-zA-Z0-9_]/g, "_")}_${name}`;

/**
 * The dead-letter queue of each environment's jobs queue ends with this (wrangler.toml):
 * the Worker consumes both queues and tells them apart by it.
 */
export const DEAD_LETTER_SUFFIX = "-dead-letters";
