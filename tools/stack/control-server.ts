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
 * where {server} is `neon` (the Postgres side), `redis` or `reviews`; and, once started,
 * each server of `onDemand` (`reviews2`, a second fake upstream): the first POST naming it
 * (usually `/start`) starts it on a free port, and from then on it is listed and takes
 * every action like the others. Until then the stack is exactly the three servers.
 */
export async function startControlServer(
  servers: Record<string, ManagedServer>,
  options: { port?: number; onDemand?: Record<string, () => Promise<ManagedServer>> } = {},
): Promise<ControlServer> {
  const live: Record<string, ManagedServer> = { ...servers };
  const starting = new Map<string, Promise<ManagedServer>>();
  const onDemand = options.onDemand ?? {};
  const started: ManagedServer[] = [];
  const startOnDemand = (name: string): Promise<ManagedServer> | undefined => {
    const start = Object.hasOwn(onDemand, name) ? onDemand[name] : undefined;
    if (!start) return undefined;
    let pending = starting.get(name);
    if (!pending) {
      pending = start().then((server) => {
        started.push(server);
        live[name] = server;
        return server;
      });
      // A failed start may be tried again.
      pending.catch(() => starting.delete(name));
      starting.set(name, pending);
    }
    return pending;
  };
  const demand: OnDemand = { names: Object.keys(onDemand), start: startOnDemand };
  const server = await listen((req, res) => void handle(live, demand, req, res), { host: "127.0.0.1", port: options.port });
  return {
    url: `http://127.0.0.1:${server.port}/control`,
    close: async () => {
      await server.close();
      await Promise.all(started.map((one) => one.close()));
    },
  };
}

const ACTIONS = new Set(["stop", "start", "faults", "reset"]);

/** The servers started by the first POST naming them. */
interface OnDemand {
  names: string[];
  start(name: string): Promise<ManagedServer> | undefined;
}

function describe(server: ManagedServer) {
  return {
    running: server.running,
    port: server.port,
    url: `http://${server.host}:${server.port}`,
    faults: server.faults,
    stats: { ...server.stats },
  };
}

async function handle(
  servers: Record<string, ManagedServer>,
  onDemand: OnDemand,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const [, root, name, action] = (req.url ?? "/").split("?")[0]!.split("/");
  if (root !== "control") return send(res, 404, { error: "not found" });
  if (!name) {
    return send(res, 200, Object.fromEntries(Object.entries(servers).map(([key, server]) => [key, describe(server)])));
  }
  let target = Object.hasOwn(servers, name) ? servers[name] : undefined;
  if (!target && req.method === "POST" && action && ACTIONS.has(action)) {
    try {
      target = await onDemand.start(name);
    } catch (error) {
      return send(res, 500, { error: `${name} did not start: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  if (!target) {
    const hint = onDemand.names.includes(name) ? ` (${name} starts on demand: POST /control/${name}/start)` : "";
    return send(res, 404, { error: `no server named ${name}; try ${Object.keys(servers).join(", ")}${hint}` });
  }
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
    Object.assign(target.stats, { requests: 0, aborted: 0, failed: 0, busyMs: 0 });
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
