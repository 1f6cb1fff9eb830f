import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** Faults a test (or a demo) can put on a local server at run time. */
export interface Faults {
  /** Delay before each request is handled, in ms. */
  delayMs: number;
  /** Share of requests answered 503 instead of being handled, 0..1. */
  failureRate: number;
}

export interface ServerStats {
  requests: number;
  /** Requests whose client went away before the answer: the caller's deadline fired. */
  aborted: number;
  failed: number;
  /** Time from each request's arrival to its answer (or its client leaving), summed, in ms: what the server's callers waited on it, its queueing on a busy machine included. */
  busyMs: number;
}

/**
 * A local HTTP server that can be really stopped and started again on the same port (the
 * port then refuses connections, as a crashed dependency would), slowed and made to fail.
 * Every server of the local stack runs in one, so fault tests exercise the real thing.
 */
export interface ManagedServer {
  readonly host: string;
  readonly port: number;
  readonly running: boolean;
  readonly faults: Faults;
  readonly stats: ServerStats;
  setFaults(faults: Partial<Faults>): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const NO_FAULTS: Faults = { delayMs: 0, failureRate: 0 };

export async function listen(handler: RequestListener, options: { host?: string; port?: number } = {}): Promise<ManagedServer> {
  const host = options.host ?? "127.0.0.1";
  let faults: Faults = { ...NO_FAULTS };
  const stats: ServerStats = { requests: 0, aborted: 0, failed: 0, busyMs: 0 };
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    stats.requests++;
    const arrived = performance.now();
    res.on("close", () => {
      stats.busyMs += performance.now() - arrived;
      if (!res.writableFinished) stats.aborted++;
    });
    void withFaults(req, res, () => handler(req, res));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function withFaults(req: IncomingMessage, res: ServerResponse, run: () => void): Promise<void> {
    if (faults.delayMs > 0) {
      const gone = await sleepUnlessClosed(req, faults.delayMs);
      if (gone) return;
    }
    if (faults.failureRate > 0 && Math.random() < faults.failureRate) {
      stats.failed++;
      res.writeHead(503, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "injected failure", message: "injected failure" }));
      return;
    }
    run();
  }

  const bind = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  const unbind = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  await bind(options.port ?? 0);
  const { port } = server.address() as AddressInfo;

  return {
    host,
    port,
    get running() {
      return server.listening;
    },
    get faults() {
      return { ...faults };
    },
    stats,
    setFaults: (next) => {
      faults = { ...faults, ...next };
    },
    stop: unbind,
    start: () => (server.listening ? Promise.resolve() : bind(port)),
    close: async () => {
      faults = { ...NO_FAULTS };
      await unbind();
    },
  };
}

/** Waits `ms`; resolves true early if the client disconnects meanwhile. */
function sleepUnlessClosed(req: IncomingMessage, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.socket.off("close", onClose);
      resolve(false);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    req.socket.once("close", onClose);
  });
}
