import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type ManagedServer } from "../stack/managed-server.ts";
import { ExecAbortError, type RedisEngine } from "./engine.ts";
import { RedisError, Status, type Reply } from "./reply.ts";

export interface RedisRestServer extends ManagedServer {
  /** The UPSTASH_REDIS_REST_URL to hand the client, e.g. http://127.0.0.1:8079. */
  url: string;
  token: string;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * A local server speaking Upstash's Redis REST protocol (protocols.md, section B) in front
 * of a real Redis or the embedded engine, so `@upstash/redis` and `@upstash/ratelimit`
 * work offline exactly as against Upstash.
 */
export async function startRedisRestServer(options: {
  engine: RedisEngine;
  token: string;
  port?: number;
  host?: string;
}): Promise<RedisRestServer> {
  let syncToken = 0;
  const server = await listen(
    (req, res) => {
      // B6: an opaque, increasing read-your-writes token on every response.
      res.setHeader("upstash-sync-token", String(++syncToken));
      handle(options, req, res).catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else send(res, 500, { error: `ERR local Upstash server: ${error instanceof Error ? error.message : String(error)}` });
      });
    },
    { host: options.host, port: options.port },
  );
  return Object.assign(server, { url: `http://${server.host}:${server.port}`, token: options.token });
}

type Route = "command" | "pipeline" | "multi-exec";
const ROUTES: Record<string, Route> = { "/": "command", "/pipeline": "pipeline", "/multi-exec": "multi-exec" };

async function handle(
  { engine, token }: { engine: RedisEngine; token: string },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (path === "/health" && req.method === "GET") return send(res, 200, { status: "ok", engine: engine.name });
  const route = ROUTES[path.replace(/(.)\/$/, "$1")];
  if (!route) return send(res, 404, { error: "Not Found" });
  if (req.method !== "POST") return send(res, 405, { error: "Method Not Allowed" });
  if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: "Unauthorized" });

  const body = await readJson(req);
  const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  const encode = (reply: Reply) => encodeEntry(reply, base64);

  if (route === "command") {
    const args = toArgs(body);
    if (!args) return send(res, 400, { error: "ERR the body must be a JSON array of command arguments" });
    const reply = await engine.command(args);
    if (reply instanceof RedisError) return send(res, 400, { error: reply.message });
    return send(res, 200, encode(reply));
  }

  const commands = Array.isArray(body) ? body.map(toArgs) : [];
  if (!Array.isArray(body) || commands.some((args) => !args)) {
    return send(res, 400, { error: "ERR the body must be a JSON array of commands" });
  }
  const valid = commands as Buffer[][];
  if (route === "pipeline") {
    // In order, one entry per command; an error fails only its own entry (B5).
    const replies: Reply[] = [];
    // eslint-disable-next-line no-await-in-loop
    for (const args of valid) replies.push(await engine.command(args));
    return send(res, 200, replies.map(encode));
  }
  try {
    return send(res, 200, (await engine.multi(valid)).map(encode));
  } catch (error) {
    if (error instanceof ExecAbortError) return send(res, 400, { error: error.message });
    throw error;
  }
}

/** Command arguments as bytes; numbers and booleans arrive as JSON values (B2). */
function toArgs(value: unknown): Buffer[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const args: Buffer[] = [];
  for (const item of value) {
    if (typeof item === "string") args.push(Buffer.from(item, "utf8"));
    else if (typeof item === "number" || typeof item === "boolean") args.push(Buffer.from(String(item)));
    else return undefined;
  }
  return args;
}

/** `{"result": …}` or `{"error": …}`; errors are never encoded (B4). */
function encodeEntry(reply: Reply, base64: boolean): { result: unknown } | { error: string } {
  if (reply instanceof RedisError) return { error: reply.message };
  // A top-level OK may stay plain (the client knows it); everywhere else, encode (B4).
  if (reply instanceof Status && reply.text === "OK") return { result: "OK" };
  return { result: encodeValue(reply, base64) };
}

function encodeValue(reply: Reply, base64: boolean): unknown {
  if (reply === null || typeof reply === "number") return reply;
  if (reply instanceof Status) return base64 ? Buffer.from(reply.text).toString("base64") : reply.text;
  if (reply instanceof RedisError) return reply.message;
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString("base64") : reply.toString("utf8");
  return reply.map((item) => encodeValue(item, base64));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(json);
}
