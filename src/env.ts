/**
 * Bindings that exist only in development and tests. Production never sets them, so the
 * code paths they enable (local endpoints) are never taken there.
 */
export interface DevBindings {
  /** The local Neon SQL-over-HTTP endpoint started by `npm run stack`. */
  NEON_HTTP_ENDPOINT?: string;
}

/**
 * The Worker's bindings: `Env` as `wrangler types` generates it from wrangler.toml
 * (worker-configuration.d.ts), plus the development-only ones. The bottom of the layers:
 * this file imports nothing.
 */
export type Bindings = Env & DevBindings;
