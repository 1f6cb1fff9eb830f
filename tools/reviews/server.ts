import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type ManagedServer } from "../stack/managed-server.ts";

export interface ReviewsServer extends ManagedServer {
  /** The REVIEWS_API_URL to give the Worker, e.g. http://127.0.0.1:8081. */
  url: string;
}

/**
 * A stand-in for an external reviews service: `GET /products/{id}/reviews` answers a few
 * reviews derived from the id (the same every time). The stack's control endpoint can slow
 * it, make it fail or stop it, which is what the resilient HTTP client is there for.
 */
export async function startReviewsServer(options: { port?: number; host?: string } = {}): Promise<ReviewsServer> {
  const server = await listen(handle, options);
  return Object.assign(server, { url: `http://${server.host}:${server.port}` });
}

const AUTHORS = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret"];
const BODIES = ["Does what it says.", "Great value.", "Would buy again.", "Arrived late, works well.", "Solid."];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (path === "/health") return send(res, 200, { status: "ok" });
  const match = /^\/products\/([^/]+)\/reviews$/.exec(path);
  if (!match) return send(res, 404, { error: "not found" });
  if (req.method !== "GET") return send(res, 405, { error: "method not allowed" });
  const productId = decodeURIComponent(match[1]!);
  send(res, 200, { productId, reviews: reviewsFor(productId) });
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
