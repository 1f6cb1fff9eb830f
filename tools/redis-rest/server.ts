import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type ManagedServer } from "../stack/managed-server.ts";
import { ExecAbortError, type PubSubEvent, type RedisEngine } from "./engine.ts";
import { RedisError, Status, type Reply } from "./reply.ts";
import { prepare, type Prepared } from "./upstash.ts";

export interface RedisRestServer extends ManagedServer {
  /** The UPSTASH_REDIS_REST_URL to hand the client, e.g. http://127.0.0.1:8079. */
  url: string;
  token: string;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * A local server speaking Upstash's Redis REST protocol (`/`, `/pipeline`, `/multi-exec`,
 * and the `/subscribe/…` and `/psubscribe/…` event streams) in front of a real Redis or the
 * embedded engine, so `@upstash/redis` and `@upstash/ratelimit` work offline exactly as
 * against Upstash.
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
      // Upstash's read-your-writes token: opaque and increasing, on every response. The
      // client sends the last one back; one server has nothing to sync, so it is ignored.
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
  const stream = /^\/(p?subscribe)(\/.*)?$/.exec(path);
  const route = stream ? undefined : ROUTES[path.replace(/(.)\/$/, "$1")];
  if (!route && !stream) return send(res, 404, { error: "Not Found" });
  if (req.method !== "POST" && !(stream && req.method === "GET")) return send(res, 405, { error: "Method Not Allowed" });
  if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: "Unauthorized" });
  if (stream) return subscribe(engine, stream[1] === "subscribe" ? "channels" : "patterns", stream[2] ?? "", req, res);

  const body = await readJson(req);
  const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  const encode = (reply: Reply) => encodeEntry(reply, base64);
  const finish = (prepared: Prepared, reply: Reply) => ("finish" in prepared && prepared.finish ? prepared.finish(reply) : reply);

  if (route === "command") {
    const args = toArgs(body);
    if (!args) return send(res, 400, { error: "ERR the body must be a JSON array of command arguments" });
    const prepared = await prepare(engine, args);
    const reply = "refused" in prepared ? prepared.refused : finish(prepared, await engine.command(prepared.args));
    if (reply instanceof RedisError) return send(res, 400, { error: reply.message });
    return send(res, 200, encode(reply));
  }

  const commands = Array.isArray(body) ? body.map(toArgs) : [];
  if (!Array.isArray(body) || commands.some((args) => !args)) {
    return send(res, 400, { error: "ERR the body must be a JSON array of commands" });
  }
  if (route === "pipeline") {
    // In order, one entry per command (each adapted just before it runs, so it sees what the
    // previous ones did); an error fails only its own entry, and the response is still a
    // 200, as Upstash answers a pipeline.
    const replies: Reply[] = [];
    for (const args of commands as Buffer[][]) {
      // eslint-disable-next-line no-await-in-loop
      const entry = await prepare(engine, args);
      // eslint-disable-next-line no-await-in-loop
      replies.push("refused" in entry ? entry.refused : finish(entry, await engine.command(entry.args)));
    }
    return send(res, 200, replies.map(encode));
  }
  const prepared: Prepared[] = [];
  // eslint-disable-next-line no-await-in-loop
  for (const args of commands as Buffer[][]) prepared.push(await prepare(engine, args));
  // A refused command is a queue-time error: the whole transaction is discarded.
  if (prepared.some((entry) => "refused" in entry)) return send(res, 400, { error: new ExecAbortError().message });
  const runnable = prepared as Extract<Prepared, { args: Buffer[] }>[];
  try {
    const replies = await engine.multi(runnable.map((entry) => entry.args));
    return send(res, 200, replies.map((reply, i) => encode(finish(runnable[i]!, reply))));
  } catch (error) {
    if (error instanceof ExecAbortError) return send(res, 400, { error: error.message });
    throw error;
  }
}

/**
 * `/subscribe/<channel>[/<channel>…]` and `/psubscribe/<pattern>[/…]`, as Upstash streams
 * them (and @upstash/redis's Subscriber reads them): Server-Sent Events, one
 * `data: subscribe,<channel>,<count>` per name, then `data: message,<channel>,<message>`
 * (`data: pmessage,<pattern>,<channel>,<message>`) per publication, as UTF-8 text, until the
 * client goes away. The client does not encode the names in the path; whatever it (or
 * fetch) percent-encodes is decoded.
 */
async function subscribe(
  engine: RedisEngine,
  mode: "channels" | "patterns",
  rest: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const names = rest.split("/").filter(Boolean).map((segment) => Buffer.from(decodePathSegment(segment), "utf8"));
  if (names.length === 0) {
    return send(res, 400, { error: `ERR wrong number of arguments for '${mode === "channels" ? "subscribe" : "psubscribe"}' command` });
  }
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
  res.flushHeaders();
  // The client may leave at any time, even before the subscription is in place.
  const stream = { open: true };
  res.on("close", () => {
    stream.open = false;
  });
  const write = (event: PubSubEvent) => {
    if (stream.open) res.write(formatEvent(event));
  };
  const subscription = await engine.subscribe(mode, names, write);
  if (!stream.open) return subscription.close();
  res.on("close", () => void subscription.close());
  req.resume();
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** One event; a message with line breaks spans several `data:` lines, as SSE requires. */
function formatEvent(event: PubSubEvent): string {
  const utf8 = (data: Buffer) => data.toString("utf8");
  const fields =
    event.kind === "message"
      ? ["message", utf8(event.channel), utf8(event.message)]
      : event.kind === "pmessage"
        ? ["pmessage", utf8(event.pattern), utf8(event.channel), utf8(event.message)]
        : [event.kind, utf8(event.name), String(event.count)];
  return `${fields.join(",").split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join("\n")}\n\n`;
}

/** Command arguments as bytes; the client sends numbers and booleans as JSON values, not strings. */
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

/** `{"result": …}` or `{"error": …}`; error texts stay plain even in base64 mode, as on Upstash. */
function encodeEntry(reply: Reply, base64: boolean): { result: unknown } | { error: string } {
  if (reply instanceof RedisError) return { error: reply.message };
  // A top-level OK may stay plain (the client knows it); everywhere else, encode: the client
  // base64-decodes every string inside an array, so a plain "OK" there would come out garbled.
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
