import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type Faults, type ManagedServer } from "./managed-server.ts";

export interface ControlServer {
  /** e.g. http://127.0.0.1:8090/control */
  url: string;
  close(): Promise<void>;
}

/**
 * The stack's fault-injection endpoint, on loopback only, so tests running inside workerd
 * (and people at a demo) can stop, start, slow or fail each server for real:
 *
 *   GET  /control                      every server: running, faults, stats
 *   GET  /control/{server}
 *   POST /control/{server}/stop        the port refuses connections
 *   POST /control/{server}/start
 *   POST /control/{server}/faults      {"delayMs": 2000, "failureRate": 0.5}
 *   POST /control/{server}/reset       running, no faults, stats zeroed
 *
 * where {server} is `neon` (the Postgres side), `redis` or `reviews`.
 */
export async function startControlServer(
  servers: Record<string, ManagedServer>,
  options: { port?: number } = {},
): Promise<ControlServer> {
  const server = await listen((req, res) => void handle(servers, req, res), { host: "127.0.0.1", port: options.port });
  return { url: `http://127.0.0.1:${server.port}/control`, close: () => server.close() };
}

function describe(server: ManagedServer) {
  return { running: server.running, port: server.port, faults: server.faults, stats: { ...server.stats } };
}

async function handle(servers: Record<string, ManagedServer>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [, root, name, action] = (req.url ?? "/").split("?")[0]!.split("/");
  if (root !== "control") return send(res, 404, { error: "not found" });
  if (!name) {
    return send(res, 200, Object.fromEntries(Object.entries(servers).map(([key, server]) => [key, describe(server)])));
  }
  const target = servers[name];
  if (!target) return send(res, 404, { error: `no server named ${name}; try ${Object.keys(servers).join(", ")}` });
  if (!action) return send(res, 200, describe(target));
  if (req.method !== "POST") return send(res, 405, { error: "use POST" });

  if (action === "stop") await target.stop();
  else if (action === "start") await target.start();
  else if (action === "faults") {
    const faults = parseFaults(await readBody(req));
    if (!faults) return send(res, 400, { error: 'body: {"delayMs"?: number >= 0, "failureRate"?: 0..1}' });
    target.setFaults(faults);
  } else if (action === "reset") {
    target.setFaults({ delayMs: 0, failureRate: 0 });
    Object.assign(target.stats, { requests: 0, aborted: 0, failed: 0 });
    await target.start();
  } else return send(res, 404, { error: `unknown action ${action}` });
  send(res, 200, describe(target));
}

function parseFaults(body: string): Partial<Faults> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body || "{}");
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { delayMs, failureRate } = value as Record<string, unknown>;
  const faults: Partial<Faults> = {};
  if (delayMs !== undefined) {
    if (typeof delayMs !== "number" || delayMs < 0) return undefined;
    faults.delayMs = delayMs;
  }
  if (failureRate !== undefined) {
    if (typeof failureRate !== "number" || failureRate < 0 || failureRate > 1) return undefined;
    faults.failureRate = failureRate;
  }
  return faults;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
