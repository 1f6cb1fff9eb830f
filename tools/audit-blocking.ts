/**
 * `npm run audit:blocking`: the blocking-operation audit, per route. Runs ESLint's
 * type-aware promise rules and the project's own (tools/eslint-rules/) over src/, then maps
 * each finding to the route whose handler holds it, so the report reads like a
 * `/check-blocking` endpoint: every route, its handler, and what in it could block, lose a
 * promise or wait without a deadline. Findings outside handlers (shared code) are listed
 * after. Exits 1 when anything is found, so CI can run it as well as `npm run lint`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { ESLint } from "eslint";

const ROOT = join(import.meta.dirname, "..");
const AUDIT_RULES = new Set([
  "@typescript-eslint/no-floating-promises",
  "@typescript-eslint/no-misused-promises",
  "@typescript-eslint/await-thenable",
  "no-await-in-loop",
  "edgekit/io-needs-signal",
  "edgekit/bounded-promise-all",
  "edgekit/no-sync-heavy-in-handlers",
]);

interface Finding {
  file: string;
  line: number;
  rule: string;
  message: string;
}

interface RouteEntry {
  method: string;
  path: string;
  handlerFile: string;
  handler: string;
  /** Lines [from, to] of the handler's declaration. */
  span: [number, number];
}

const eslint = new ESLint({ cwd: ROOT, flags: ["unstable_native_nodejs_ts_config"] });
const results = await eslint.lintFiles(["src/**/*.ts"]);
const findings: Finding[] = results.flatMap((result) =>
  result.messages
    .filter((m) => m.ruleId !== null && AUDIT_RULES.has(m.ruleId))
    .map((m) => ({ file: relative(ROOT, result.filePath), line: m.line, rule: m.ruleId ?? "", message: m.message })),
);

const routes = discoverRoutes();
const claimed = new Set<Finding>();
console.log("Blocking-operation audit (per route)\n");
for (const route of routes.toSorted((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
  const own = findings.filter((f) => f.file === route.handlerFile && f.line >= route.span[0] && f.line <= route.span[1]);
  own.forEach((f) => claimed.add(f));
  const verdict = own.length === 0 ? "ok" : `${String(own.length)} finding(s)`;
  console.log(`${route.method.padEnd(6)} ${route.path.padEnd(28)} ${`${route.handlerFile.replace("src/routes/", "")}#${route.handler}`.padEnd(48)} ${verdict}`);
  for (const f of own) console.log(`         ${f.file}:${String(f.line)}  ${f.rule}: ${f.message}`);
}
const shared = findings.filter((f) => !claimed.has(f));
console.log(`\nShared code (data/, dependencies/, jobs/, …): ${shared.length === 0 ? "ok" : `${String(shared.length)} finding(s)`}`);
for (const f of shared) console.log(`  ${f.file}:${String(f.line)}  ${f.rule}: ${f.message}`);
console.log(`\n${String(routes.length)} routes, ${String(results.length)} files, rules: ${[...AUDIT_RULES].join(", ")}`);
process.exitCode = findings.length > 0 ? 1 : 0;

/** Each route group's wiring: `.openapi(routes.X, handlers.Y)` or `.get(path, handlers.Y)`. */
function discoverRoutes(): RouteEntry[] {
  const entries: RouteEntry[] = [];
  const routesDir = join(ROOT, "src/routes");
  for (const group of readdirSync(routesDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const dir = join(routesDir, group.name);
    const files = readdirSync(dir);
    const index = files.find((f) => f.endsWith(".index.ts"));
    const handlersFile = files.find((f) => f.endsWith(".handlers.ts"));
    const routesFile = files.find((f) => f.endsWith(".routes.ts"));
    if (!index || !handlersFile || !routesFile) continue;
    const wiring = readFileSync(join(dir, index), "utf8");
    const definitions = routeDefinitions(readFileSync(join(dir, routesFile), "utf8"));
    const handlerSource = readFileSync(join(dir, handlersFile), "utf8");
    const spans = handlerSpans(handlerSource);
    for (const match of wiring.matchAll(/\.(openapi|get|post|patch|delete)\(\s*(?:routes\.(\w+)(?:\.path)?|"([^"]+)")\s*,\s*handlers\.(\w+)/g)) {
      const [, kind, routeName, literalPath, handler = ""] = match;
      const definition = routeName ? definitions.get(routeName) : undefined;
      const method = definition?.method ?? (kind === "openapi" ? "?" : (kind ?? "?")).toUpperCase();
      const path = definition?.path ?? (literalPath ?? "?").replace(/:(\w+)/g, "{$1}");
      const span = spans.get(handler);
      if (span) entries.push({ method, path, handlerFile: relative(ROOT, join(dir, handlersFile)), handler, span });
    }
  }
  return entries;
}

function routeDefinitions(source: string): Map<string, { method: string; path: string }> {
  const definitions = new Map<string, { method: string; path: string }>();
  for (const match of source.matchAll(/export const (\w+) = createRoute\(\{\s*method: "(\w+)",\s*path: "([^"]+)"/g)) {
    definitions.set(match[1] ?? "", { method: (match[2] ?? "").toUpperCase(), path: match[3] ?? "" });
  }
  return definitions;
}

/** The line span of each `export const name =` in a handlers file (to the next one). */
function handlerSpans(source: string): Map<string, [number, number]> {
  const lines = source.split("\n");
  const starts = lines.flatMap((line, i) => {
    const name = /^export (?:const|async function|function) (\w+)/.exec(line)?.[1];
    return name ? [{ name, line: i + 1 }] : [];
  });
  return new Map(starts.map((start, i) => [start.name, [start.line, (starts[i + 1]?.line ?? lines.length + 1) - 1]]));
}
