import { RequestTargetError } from "./errors";

/**
 * Checks a base URL once, when a client is made: http or https, no credentials (they would
 * be sent to every path and land in logs: use a header), no query or fragment (a path is
 * appended to it). A path in it is kept: `https://api.example.com/v2` prefixes every request.
 */
export function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RequestTargetError(`Not a valid base URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new RequestTargetError(`A base URL must be http or https: ${url.origin}`);
  if (url.username !== "" || url.password !== "") throw new RequestTargetError("A base URL must not carry credentials; send them in a header");
  if (url.search !== "" || url.hash !== "") throw new RequestTargetError(`A base URL must have no query or fragment: ${url.origin}${url.pathname}`);
  return url;
}

/** A request's target relative to its base URL: the path (no leading slash) and the query (`?…` or ""). */
export interface RequestTarget {
  path: string;
  search: string;
}

/**
 * Splits and checks a request's path (which may hold a query of its own) and appends
 * `query`. The path is always relative to the base URL, a leading `/` included (so
 * `/products/1` under `https://api.example.com/v2` is `/v2/products/1`); an absolute URL, a
 * scheme, a fragment or a backslash is refused here, and `..` above the base path when the
 * URL is built (`requestUrl`). A query already in the path is kept exactly as written, and
 * `query` is appended after it.
 *
 * Path segments that come from input must be encoded by the caller (`encodeURIComponent`):
 * a `/` or `?` inside an id would otherwise change the path.
 *
 * @example
 * requestTarget("/search?sort=new", new URLSearchParams({ q: "kettle" }));
 * // { path: "search", search: "?sort=new&q=kettle" }
 */
export function requestTarget(path: string, query?: URLSearchParams): RequestTarget {
  if (path.includes("#")) throw new RequestTargetError("A request path must not hold a fragment");
  const mark = path.indexOf("?");
  const rawPath = mark === -1 ? path : path.slice(0, mark);
  const own = mark === -1 ? "" : path.slice(mark + 1);
  if (/^[a-z][a-z\d+.-]*:/i.test(rawPath) || rawPath.includes("\\")) {
    throw new RequestTargetError("A request path must be relative to the base URL");
  }
  const added = query?.toString() ?? "";
  const search = [own, added].filter((part) => part !== "").join("&");
  return { path: rawPath.replace(/^\/+/, ""), search: search === "" ? "" : `?${search}` };
}

/**
 * The URL of `target` under `baseUrl` (from `parseBaseUrl`). Checked after the URL parser
 * has normalised it: same origin, and still under the base path, so no input turned into
 * a path (`%2e%2e/admin`, `..//other-host`) can reach anything the base URL does not cover.
 */
export function requestUrl(baseUrl: URL, target: RequestTarget): URL {
  const prefix = baseUrl.pathname.endsWith("/") ? baseUrl.pathname : `${baseUrl.pathname}/`;
  const url = new URL(`${prefix}${target.path}`, baseUrl.origin);
  url.search = target.search;
  if (url.origin !== baseUrl.origin || !`${url.pathname}/`.startsWith(prefix)) {
    throw new RequestTargetError("A request path must stay under its base URL");
  }
  return url;
}
