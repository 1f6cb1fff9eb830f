import { SCOPES, type Scope } from "./scopes";

/**
 * Who may call a route, declared once in its OpenAPI definition (`security`), so
 * /openapi.json documents exactly what the `authorize` middleware enforces:
 *
 * - `public` — anyone (`security: []`);
 * - `scope` — an API key with that scope (or the break-glass admin token);
 * - `optional` — anyone may try; the handler decides per resource (e.g. public topics),
 *   and a caller that presents a key with the scope gets more.
 */
export type Access = { kind: "public" } | { kind: "scope"; scope: Scope } | { kind: "optional"; scope: Scope };

/** One OpenAPI security requirement: scheme name → scopes (role names, for non-OAuth schemes). */
export type SecurityRequirement = Record<string, string[]>;

/** The two ways to present a key, as OpenAPI security schemes (registered with the docs). */
export const SECURITY_SCHEMES = {
  /** `Authorization: Bearer <key>` (the scheme name is case-insensitive, RFC 9110). */
  bearer: "apiKey",
  /** `X-API-Key: <key>`. */
  header: "apiKeyHeader",
} as const;

const either = (scope: Scope): SecurityRequirement[] => [{ [SECURITY_SCHEMES.bearer]: [scope] }, { [SECURITY_SCHEMES.header]: [scope] }];

/**
 * The `security` member of a route definition.
 *
 * @example
 * createRoute({ method: "post", path: "/products", security: security.requires("products:write"), … })
 */
export const security = {
  public: (): SecurityRequirement[] => [],
  requires: either,
  /** `{}` first: OpenAPI's way of saying that anonymous calls are allowed too. */
  optional: (scope: Scope): SecurityRequirement[] => [{}, ...either(scope)],
};

/**
 * Reads a route's `security` back into its access rule; undefined when the route declares
 * none or something this app does not issue (such a route is refused, never left open).
 */
export function accessFrom(requirements: SecurityRequirement[] | undefined): Access | undefined {
  if (requirements === undefined) return undefined;
  if (requirements.length === 0) return { kind: "public" };
  const anonymous = requirements.some((requirement) => Object.keys(requirement).length === 0);
  const scopes = new Set(requirements.flatMap((requirement) => Object.values(requirement).flat()));
  const [scope] = [...scopes];
  if (scopes.size !== 1 || !isScope(scope)) return undefined;
  return anonymous ? { kind: "optional", scope } : { kind: "scope", scope };
}

const isScope = (value: string | undefined): value is Scope => (SCOPES as readonly (string | undefined)[]).includes(value);
