import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type ManagedServer } from "../stack/managed-server.ts";

export interface ReviewsServer extends ManagedServer {
  /** The REVIEWS_API_URL to give the Worker, e.g. http://127.0.0.1:8081. */
  url: string;
  /** Which instance this is ("reviews", "reviews2"): echoed answers and recordings name it. */
  name: string;
}

/**
 * A stand-in for the external services the Worker calls (the stack's "fake upstream"):
 *
 * - `GET /products/{id}/reviews` answers a few reviews derived from the id (the same
 *   every time), for GET /products/{id};
 * - `POST /webhooks/{inbox}` takes a webhook (the notify-webhook job), `GET /webhooks/{inbox}`
 *   lists what that inbox received, one entry per Idempotency-Key, with how many times each
 *   came. `?status=500` makes a POST answer that status instead, to exercise retries;
 *   `?redirect=/webhooks/other` answers 307 to that address, which a sender must not follow;
 * - for the HTTP client's tests: `/echo…` answers what it received (any method),
 *   `/etag/{id}` is a resource with an ETag that honours `If-None-Match`, `/stream` sends a
 *   large body slowly, and any route under `/recorded/{inbox}/…` is also recorded in that
 *   inbox (`GET /recordings/{inbox}`), which gives each test base URLs of its own.
 *
 * The stack's control endpoint can slow it, make it fail or stop it, which is what the
 * resilient HTTP client is there for. Several instances can run (the stack starts a second
 * one, `reviews2`, on demand); the recordings and the ETag resources are shared by all the
 * instances of the process, as replicas behind one database would share them.
 */
export async function startReviewsServer(options: { port?: number; host?: string; name?: string } = {}): Promise<ReviewsServer> {
  const name = options.name ?? "reviews";
  const server = await listen((req, res) => handle(name, req, res), options);
  return Object.assign(server, { url: `http://${server.host}:${server.port}`, name });
}

const AUTHORS = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret"];
const BODIES = ["Does what it says.", "Great value.", "Would buy again.", "Arrived late, works well.", "Solid."];
/** Largest request body the test routes read. */
const MAX_BODY_BYTES = 1024 * 1024;

function handle(instance: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://upstream");
  let path = url.pathname;
  const recordedIn = /^\/recorded\/([\w-]{1,100})(\/.*)?$/.exec(path);
  if (recordedIn) {
    path = recordedIn[2] ?? "/";
    record(recordedIn[1]!, instance, req, res, path, url.search);
  }
  res.setHeader("X-Upstream-Instance", instance);
  if (path === "/health") return send(res, 200, { status: "ok" });
  const recordings = /^\/recordings\/([\w-]{1,100})$/.exec(path)?.[1];
  if (recordings) return send(res, 200, { requests: inboxRecordings.get(recordings) ?? [] });
  const inbox = /^\/webhooks\/([\w-]{1,100})$/.exec(path)?.[1];
  if (inbox) return handleWebhook(req, res, inbox, url.searchParams);
  if (path === "/echo" || path.startsWith("/echo/")) return void handleEcho(instance, req, res, path, url);
  const resource = /^\/etag\/([\w-]{1,100})$/.exec(path)?.[1];
  if (resource) return void handleResource(req, res, resource, url.searchParams);
  if (path === "/stream") return handleStream(req, res, url.searchParams);
  const match = /^\/products\/([^/]+)\/reviews$/.exec(path);
  if (!match) return send(res, 404, { error: "not found" });
  if (req.method !== "GET") return send(res, 405, { error: "method not allowed" });
  const productId = decodeURIComponent(match[1]!);
  send(res, 200, { productId, reviews: reviewsFor(productId) });
}

interface Recording {
  instance: string;
  method: string;
  path: string;
  /** The query string as received, `?` included ("" when none). */
  query: string;
  headers: Record<string, string>;
  /** The status answered (null while the answer has not started). */
  readonly status: number | null;
}
const inboxRecordings = new Map<string, Recording[]>();

function record(inbox: string, instance: string, req: IncomingMessage, res: ServerResponse, path: string, query: string): void {
  const requests = inboxRecordings.get(inbox) ?? [];
  requests.push({
    instance,
    method: req.method ?? "GET",
    path,
    query,
    headers: headersOf(req),
    // Read when the recordings are listed: by then the answer has been sent.
    get status() {
      return res.headersSent ? res.statusCode : null;
    },
  });
  inboxRecordings.set(inbox, requests);
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

interface Delivery {
  key: string | null;
  count: number;
  body: unknown;
}
const inboxes = new Map<string, Delivery[]>();

function handleWebhook(req: IncomingMessage, res: ServerResponse, inbox: string, params: URLSearchParams): void {
  if (req.method === "GET") return send(res, 200, { deliveries: inboxes.get(inbox) ?? [] });
  if (req.method !== "POST") return send(res, 405, { error: "method not allowed" });
  const redirect = params.get("redirect");
  if (redirect !== null) {
    res.writeHead(307, { Location: redirect }).end();
    return;
  }
  const forcedStatus = params.get("status");
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const status = Number(forcedStatus ?? 204);
    if (status >= 300) return send(res, status, { error: "refused on purpose" });
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, { error: "not JSON" });
    }
    const key = typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : null;
    const deliveries = inboxes.get(inbox) ?? [];
    const seen = key === null ? undefined : deliveries.find((d) => d.key === key);
    if (seen) seen.count++;
    else deliveries.push({ key, count: 1, body });
    inboxes.set(inbox, deliveries);
    res.writeHead(204).end();
  });
}

const ECHO_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/**
 * Answers what it received: `{instance, method, path, query, params, headers, body}`.
 * HEAD gets the headers alone (`X-Echo-Method`), OPTIONS a 204 with `Allow`. `?status=N`
 * answers N instead (with `?retryAfter=S`, a `Retry-After`), e.g. a 404 or a 503.
 */
async function handleEcho(instance: string, req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
  const body = await readBody(req);
  if (body === undefined) return send(res, 413, { error: "body too large" });
  const forced = Number(url.searchParams.get("status") ?? 0);
  if (forced >= 300 && forced <= 599) {
    const retryAfter = url.searchParams.get("retryAfter");
    if (retryAfter !== null) res.setHeader("Retry-After", retryAfter);
    return send(res, forced, { error: "answered on purpose", instance });
  }
  res.setHeader("X-Echo-Method", req.method ?? "GET");
  if (req.method === "HEAD") {
    res.writeHead(200, { "Content-Type": "application/json" }).end();
    return;
  }
  if (req.method === "OPTIONS") {
    res.writeHead(204, { Allow: ECHO_METHODS }).end();
    return;
  }
  send(res, 200, {
    instance,
    method: req.method,
    path,
    query: url.search,
    params: [...url.searchParams],
    headers: headersOf(req),
    body: body.toString("utf8"),
  });
}

interface Resource {
  version: number;
  text: string;
}
const resources = new Map<string, Resource>();

/**
 * `/etag/{id}`: a JSON document `{id, version, text}` with `ETag: "v{version}"`. GET honours
 * `If-None-Match` (304, no body); PUT `{"text"}` replaces it (a new version, a new ETag).
 * Optional: `?maxAge=N` (`Cache-Control: max-age=N`), `?cacheControl=…` (as given),
 * `?vary=Header` (`Vary`).
 */
async function handleResource(req: IncomingMessage, res: ServerResponse, id: string, params: URLSearchParams): Promise<void> {
  const resource = resources.get(id) ?? { version: 1, text: "first" };
  resources.set(id, resource);
  if (req.method === "PUT") {
    const body = await readBody(req);
    let text: unknown;
    try {
      text = (JSON.parse(body?.toString("utf8") ?? "") as { text?: unknown }).text;
    } catch {
      text = undefined;
    }
    if (typeof text !== "string") return send(res, 400, { error: 'body: {"text": string}' });
    resource.version++;
    resource.text = text;
  } else if (req.method !== "GET" && req.method !== "HEAD") {
    return send(res, 405, { error: "method not allowed" });
  }
  const etag = `"v${resource.version}"`;
  res.setHeader("ETag", etag);
  const maxAge = params.get("maxAge");
  const cacheControl = params.get("cacheControl") ?? (maxAge === null ? null : `max-age=${maxAge}`);
  if (cacheControl !== null) res.setHeader("Cache-Control", cacheControl);
  const vary = params.get("vary");
  if (vary !== null) res.setHeader("Vary", vary);
  if (req.method !== "PUT" && matchesEtag(req.headers["if-none-match"], etag)) {
    res.writeHead(304).end();
    return;
  }
  send(res, 200, { id, version: resource.version, text: resource.text });
}

/** RFC 9110 weak comparison against an If-None-Match list (or `*`). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * `/stream?bytes=N&chunk=M&intervalMs=D`: N bytes (`0123456789` repeated), M at a time
 * (65536 by default), D ms apart (0); `&length=1` declares `Content-Length` first. Stops
 * writing as soon as the caller goes away.
 */
function handleStream(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
  const total = Math.max(0, Number(params.get("bytes") ?? 0));
  const chunk = Math.max(1, Number(params.get("chunk") ?? 65_536));
  const intervalMs = Math.max(0, Number(params.get("intervalMs") ?? 0));
  const headers: Record<string, string | number> = { "Content-Type": "application/octet-stream" };
  if (params.get("length") === "1") headers["Content-Length"] = total;
  res.writeHead(200, headers);
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  res.on("close", () => clearTimeout(timer));
  const next = (): void => {
    if (res.destroyed) return;
    if (sent >= total) {
      res.end();
      return;
    }
    const size = Math.min(chunk, total - sent);
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = 0x30 + ((sent + i) % 10);
    sent += size;
    res.write(bytes);
    timer = setTimeout(next, intervalMs);
  };
  if (req.method === "HEAD") res.end();
  else next();
}

/** The request body, or undefined past MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function reviewsFor(productId: string) {
  const seed = createHash("sha256").update(productId).digest();
  const count = seed[0]! % 4;
  return Array.from({ length: count }, (_, i) => ({
    id: `${productId.slice(0, 8)}-r${i + 1}`,
    rating: (seed[i + 1]! % 5) + 1,
    author: AUTHORS[seed[i + 5]! % AUTHORS.length]!,
    body: BODIES[seed[i + 9]! % BODIES.length]!,
  }));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
