/** Keys whose values are never logged, whatever they hold. */
const SECRET_KEY = /authorization|cookie|token|secret|password|api[-_]?key|database_url|connection/i;
/** Credentials inside URLs: `scheme://user:password@host` keeps only the scheme and host. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(:[^\s/@]*)?@/gi;
/** Bearer tokens in free text (the scheme is case-insensitive). */
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi;
/** API keys in free text: their visible prefix stays, their secret goes. */
const API_KEY = /\b(ek_[0-9a-z]{8})_[0-9A-Za-z]{32}\b/g;

/**
 * A copy of `value` safe to log: values under secret-looking keys are replaced, and
 * credentials in URLs and bearer tokens are cut out of every string, however deep.
 *
 * @example
 * redact({ url: "postgres://app:hunter2@db/x", token: "abc" }) // { url: "postgres://[redacted]@db/x", token: "[redacted]" }
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") {
    return value.replace(URL_CREDENTIALS, "$1[redacted]@").replace(BEARER, "Bearer [redacted]").replace(API_KEY, "$1_[redacted]");
  }
  if (typeof value !== "object" || value === null || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? "[redacted]" : redact(item, depth + 1)]),
  );
}
