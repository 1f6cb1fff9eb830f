import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type ManagedServer } from "../stack/managed-server.ts";

export interface ReviewsServer extends ManagedServer {
  /** The REVIEWS_API_URL to give the Worker, e.g. http://127.0.0.1:8081. */
  url: string;
}

/**
 * A stand-in for the external services the Worker calls (the stack's "fake upstream"):
 *
 * - `GET /products/{id}/reviews` answers a few reviews derived from the id (the same
 *   every time), for GET /products/{id};
 * - `POST /webhooks/{inbox}` takes a webhook (the notify-webhook job), `GET /webhooks/{inbox}`
 *   lists what that inbox received, one entry per Idempotency-Key, with how many times each
 *   came. `?status=500` makes a POST answer that status instead, to exercise retries;
 *   `?redirect=/webhooks/other` answers 307 to that address, which a sender must not follow.
 *
 * The stack's control endpoint can slow it, make it fail or stop it, which is what the
 * resilient HTTP client is there for.
 */
export async function startReviewsServer(options: { port?: number; host?: string } = {}): Promise<ReviewsServer> {
  const server = await listen(handle, options);
  return Object.assign(server, { url: `http://${server.host}:${server.port}` });
}

const AUTHORS = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret"];
const BODIES = ["Does what it says.", "Great value.", "Would buy again.", "Arrived late, works well.", "Solid."];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://upstream");
  const path = url.pathname;
  if (path === "/health") return send(res, 200, { status: "ok" });
  const inbox = /^\/webhooks\/([\w-]{1,100})$/.exec(path)?.[1];
  if (inbox) return handleWebhook(req, res, inbox, url.searchParams);
  const match = /^\/products\/([^/]+)\/reviews$/.exec(path);
  if (!match) return send(res, 404, { error: "not found" });
  if (req.method !== "GET") return send(res, 405, { error: "method not allowed" });
  const productId = decodeURIComponent(match[1]!);
  send(res, 200, { productId, reviews: reviewsFor(productId) });
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
