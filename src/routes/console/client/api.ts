/**
 * How the console talks to the API, and how it holds the operator's key.
 *
 * The API's credentials are bearer tokens (API keys), and the console uses one as any client
 * does: the operator types it in, the page keeps it in this tab's `sessionStorage` and sends
 * it as `Authorization: Bearer <key>` with each call, to this origin only. Why not a session
 * cookie made at a login:
 *
 * - **No CSRF, by construction.** Nothing is sent by the browser on its own: a page on another
 *   site can make the browser send a cookie, but it cannot read this origin's storage nor set
 *   an `Authorization` header on a request here (that needs CORS, which the API grants no
 *   origin by default, and never with credentials). So the buttons (open a breaker, retry a
 *   job) need no CSRF token.
 * - **The API's own checks, unchanged.** Every call is verified like any other (scopes, the
 *   rate limits, revocation in force from the next request); there is no second kind of
 *   session to sign, expire and revoke.
 * - **Short-lived.** `sessionStorage` belongs to the tab and is cleared when it closes; other
 *   tabs and other sites never see it. "Forget the key" clears it at once.
 *
 * What it costs: script running in the page could read the key. The page's
 * Content-Security-Policy admits only this origin's own script (no inline script, no other
 * origin, no eval), and the page writes every value it shows as text, never as HTML.
 */

const KEY_STORAGE = "console.apiKey";
/** Every call gives up after this long: the console polls again soon anyway. */
const CALL_TIMEOUT_MS = 8_000;

export const keyStore = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string): void => sessionStorage.setItem(KEY_STORAGE, key),
  clear: (): void => sessionStorage.removeItem(KEY_STORAGE),
};

/** A call the API refused: its status, and the problem's `detail` (RFC 9457) when it sent one. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  /** Seconds to wait, from `Retry-After` (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, message: string, retryAfterSeconds: number | undefined) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

async function refusal(response: Response): Promise<ApiError> {
  let message = `${String(response.status)} ${response.statusText}`;
  try {
    const problem = (await response.json()) as { title?: unknown; detail?: unknown };
    if (typeof problem.detail === "string") message = problem.detail;
    else if (typeof problem.title === "string") message = problem.title;
  } catch {
    // Not JSON: the status line says enough.
  }
  const retryAfter = Number(response.headers.get("Retry-After") ?? "");
  return new ApiError(response.status, message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

/**
 * Calls the API with `key` and returns the parsed JSON; throws an ApiError for any answer
 * but a 2xx, and the fetch's own error when the API cannot be reached.
 */
export async function callApi<T>(path: string, key: string, init: { method?: "GET" | "POST"; signal?: AbortSignal } = {}): Promise<T> {
  const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]) : AbortSignal.timeout(CALL_TIMEOUT_MS);
  const response = await fetch(path, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${key}`, Accept: "application/json" },
    // Same origin only, and no cookie of any kind: the key is the whole credential.
    credentials: "omit",
    mode: "same-origin",
    cache: "no-store",
    signal,
  });
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as T;
}

/** A short message for an error of any kind, for the page. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) return "No answer in time.";
  if (error instanceof TypeError) return "The API cannot be reached.";
  return error instanceof Error ? error.message : String(error);
}
