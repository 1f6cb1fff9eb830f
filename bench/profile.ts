/**
 * `npm run bench:profile -- [path] [seconds]`: where a route's time goes inside the Worker.
 *
 * Starts the bench (bench/lib/setup.ts, unminified so functions keep their names), records
 * workerd's CPU profile through wrangler's inspector while autocannon drives `path` (default:
 * a cached product, the cache-hit scenario) at 10 connections, and prints the self time by
 * module (our folders, each npm package) and the hottest functions. The raw profile goes to
 * bench/out/profile.cpuprofile: open it in Chrome DevTools (Performance → Load profile).
 *
 * `(idle)` is time the isolate waited (on the local stack's servers, or for requests); the
 * rest is CPU the Worker spent. With API keys: `BENCH_PROFILE_KEY=1` sends an all-scopes key.
 */
import { writeFileSync } from "node:fs";
import { SCOPES } from "../src/auth/scopes.ts";
import { createApiKey } from "../tools/db/api-keys.ts";
import { benchDataRemover } from "./lib/cleanup.ts";
import { createSql } from "../tools/stack/local-sql.ts";
import { measure } from "./lib/load.ts";
import { OUT, startBench } from "./lib/setup.ts";

interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const [pathArgument, secondsArgument] = process.argv.slice(2);
const seconds = Number(secondsArgument ?? 8);

/** Line → module of an unminified esbuild bundle, from the `// path/to/module.ts` comment each module starts with. */
class ModuleMap {
  readonly #starts: { line: number; module: string }[] = [];

  constructor(source: string) {
    const lines = source.split("\n");
    for (let line = 0; line < lines.length; line++) {
      const match = /^\/\/ (\S+\.(?:[cm]?[jt]sx?|json))$/.exec(lines[line] ?? "");
      if (match?.[1]) this.#starts.push({ line, module: moduleName(match[1]) });
    }
  }

  at(line: number): string | undefined {
    let found: string | undefined;
    for (const start of this.#starts) {
      if (start.line > line) break;
      found = start.module;
    }
    return found;
  }
}

/** `node_modules/@upstash/redis/…` → `@upstash/redis`; `src/data/cache.ts` stays as it is. */
function moduleName(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? path.replace(/^(\.\.\/)+/, "");
}

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
class Inspector {
  #next = 0;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #listeners = new Map<string, (params: unknown) => void>();

  readonly #socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown };
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message.result);
      } else if (message.method) this.#listeners.get(message.method)?.(message.params);
    });
  }

  static async connect(httpUrl: string): Promise<Inspector> {
    const targets = (await (await fetch(`${httpUrl}/json`, { signal: AbortSignal.timeout(5_000) })).json()) as { webSocketDebuggerUrl?: string; title?: string }[];
    const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target at ${httpUrl}/json`);
    // The inspector proxy accepts local DevTools only: say so with an Origin (Node's WebSocket
    // takes headers beside the standard constructor's arguments).
    const socket = new WebSocket(url, { headers: { Origin: "http://localhost" } });
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return new Inspector(socket);
  }

  on(method: string, listener: (params: unknown) => void): void {
    this.#listeners.set(method, listener);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.#socket.close();
  }
}

async function main(): Promise<void> {
  const bench = await startBench({ minify: false });
  let removeBenchData: (() => Promise<void>) | undefined;
  try {
    const sql = createSql(bench.stack.env.DATABASE_URL, bench.stack.env.NEON_HTTP_ENDPOINT);
    removeBenchData = await benchDataRemover(sql);
    const [hot] = await sql`INSERT INTO products (name, price_cents, stock) VALUES ('bench profile', 100, 1) RETURNING id`;
    const path = pathArgument ?? `/products/${String(hot?.id)}`;
    const headers: Record<string, string> =
      process.env.BENCH_PROFILE_KEY === "1" ? { Authorization: `Bearer ${(await createApiKey(sql, { name: "bench: profile", scopes: SCOPES })).key}` } : {};
    const target = { request: () => ({ method: "GET" as const, path, headers }), expect: [200] };

    const inspector = await Inspector.connect(bench.worker.inspectorUrl);
    const scripts = new Map<string, string>();
    inspector.on("Debugger.scriptParsed", (params) => {
      const { scriptId, url } = params as { scriptId: string; url: string };
      scripts.set(scriptId, url);
    });
    await inspector.call("Debugger.enable");
    await measure(bench.worker.url, target, 2, 10); // warm-up: caches filled, code compiled
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: 1000 });
    await inspector.call("Profiler.start");
    const measured = await measure(bench.worker.url, target, seconds, 10);
    const { profile } = (await inspector.call("Profiler.stop")) as { profile: Profile };
    writeFileSync(`${OUT}/profile.cpuprofile`, JSON.stringify(profile));

    // Each sample's time, charged to the node it landed in (self time).
    const selfMs = new Map<number, number>();
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i] ?? 0;
      selfMs.set(id, (selfMs.get(id) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
    }
    const sources = new Map<string, ModuleMap>();
    const moduleOf = async (frame: CallFrame): Promise<string> => {
      if (!frame.url) return frame.functionName || "(native)";
      if (!sources.has(frame.scriptId)) {
        const { scriptSource } = (await inspector.call("Debugger.getScriptSource", { scriptId: frame.scriptId })) as { scriptSource: string };
        sources.set(frame.scriptId, new ModuleMap(scriptSource));
      }
      return sources.get(frame.scriptId)?.at(frame.lineNumber) ?? frame.url;
    };
    const byModule = new Map<string, number>();
    const byFunction = new Map<string, number>();
    for (const node of profile.nodes) {
      const ms = selfMs.get(node.id) ?? 0;
      if (ms === 0) continue;
      const module = await moduleOf(node.callFrame);
      byModule.set(module, (byModule.get(module) ?? 0) + ms);
      const name = `${node.callFrame.functionName || "(anonymous)"}  ${module}:${String(node.callFrame.lineNumber + 1)}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    }
    inspector.close();

    const total = [...byModule.values()].reduce((a, b) => a + b, 0);
    const idle = byModule.get("(idle)") ?? 0;
    const busy = total - idle;
    console.log(`\n${path}: ${String(measured.requests)} requests in ${String(seconds)} s (${measured.rps.toFixed(0)} req/s)`);
    console.log(`worker CPU: ${busy.toFixed(0)} ms of ${total.toFixed(0)} ms sampled (${((100 * busy) / total).toFixed(0)}% busy), ${(busy / Math.max(1, measured.requests)).toFixed(2)} ms per request\n`);
    const table = (title: string, rows: Map<string, number>, count: number) => {
      console.log(title);
      for (const [name, ms] of [...rows].filter(([key]) => key !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, count)) {
        console.log(`${((100 * ms) / busy).toFixed(1).padStart(6)}%  ${(ms / Math.max(1, measured.requests)).toFixed(3).padStart(7)} ms/req  ${name}`);
      }
      console.log("");
    };
    table("self time by module (share of the Worker's CPU)", byModule, 25);
    table("hottest functions", byFunction, 30);
    console.log(`profile: ${OUT}/profile.cpuprofile`);
  } finally {
    await removeBenchData?.();
    await bench.close();
  }
}

await main();
