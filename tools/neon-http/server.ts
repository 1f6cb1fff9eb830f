import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type ManagedServer } from "../stack/managed-server.ts";
import type { SqlBackend } from "./backend.ts";
import { BadRequest, errorJson, parseRequest, resultJson } from "./protocol.ts";

export interface NeonHttpServer extends ManagedServer {
  /** The endpoint to give `neonConfig.fetchEndpoint`, e.g. http://127.0.0.1:4444/sql. */
  url: string;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * A local server speaking Neon's SQL-over-HTTP protocol (`POST /sql`, as `neon()` calls it)
 * in front of a real Postgres engine, so `neon()` works offline exactly as against Neon.
 */
export async function startNeonHttpServer(options: {
  backend: SqlBackend;
  port?: number;
  host?: string;
}): Promise<NeonHttpServer> {
  const { backend } = options;
  const server = await listen(
    (req, res) => {
      handle(backend, req, res).catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else send(res, 500, { ...errorJson(error), message: "internal error in the local Neon server" });
      });
    },
    { host: options.host, port: options.port },
  );
  return Object.assign(server, { url: `http://${server.host}:${server.port}/sql` });
}

async function handle(backend: SqlBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/health" && req.method === "GET") return send(res, 200, { status: "ok", backend: backend.name });
  if (path !== "/sql") return send(res, 404, { ...errorJson("not found"), message: "not found" });
  if (req.method !== "POST") return send(res, 405, { ...errorJson("method not allowed") });

  const body = await readBody(req);
  if (body === undefined) return send(res, 413, errorJson("request body too large"));

  let request;
  try {
    request = parseRequest(req.headers, body);
  } catch (error) {
    if (error instanceof BadRequest) return send(res, 400, errorJson(error));
    throw error;
  }

  try {
    // A wrong user or password fails here, before anything runs, as on Neon (the body has
    // an empty `code` and `severity`).
    const database = await backend.connect(request.credentials);
    if (!request.batch) {
      const [query] = request.queries;
      if (!query) throw new BadRequest("no query");
      return send(res, 200, resultJson(await database.query(query), query.arrayMode));
    }
    if (request.queries.length === 0) return send(res, 200, { results: [] });
    const results = await database.transaction(request.queries, request);
    return send(res, 200, { results: results.map((result, i) => resultJson(result, request.queries[i]?.arrayMode ?? true)) });
  } catch (error) {
    // The database's own errors, as Neon answers them (400, the Postgres error fields), and
    // nothing half done: a batch was rolled back and only its first error comes back.
    return send(res, 400, errorJson(error));
  }
}

/** The body as text, or undefined when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body); // before writeHead: a failure here can still become a 500
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(json);
}
