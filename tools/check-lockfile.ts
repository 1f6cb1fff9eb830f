/**
 * `npm run check:lockfile` (run by CI): fails when package-lock.json lacks a package that
 * another one lists as an optional dependency. Platform binaries (workerd's, esbuild's,
 * rollup's…) are optional dependencies, and a lockfile made where the registry lacked some
 * platform's build leaves it out: `npm ci` then installs nothing for that platform, and
 * `wrangler dev` or the tests cannot start on a Mac or on Windows. It reads the file only.
 */
import { readFileSync } from "node:fs";

interface LockPackage {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(new URL("../package-lock.json", import.meta.url), "utf8")) as {
  packages: Record<string, LockPackage>;
};
const paths = new Set(Object.keys(lock.packages));

/** Where Node would find `name` from the package at `from`: its own node_modules, then each parent's. */
function resolves(from: string, name: string): boolean {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf("/node_modules/")))) {
    if (paths.has(`${dir ? `${dir}/` : ""}node_modules/${name}`)) return true;
    if (!dir.includes("node_modules/")) return paths.has(`node_modules/${name}`);
  }
}

const missing = Object.entries(lock.packages).flatMap(([path, entry]) =>
  Object.keys(entry.optionalDependencies ?? {})
    .filter((name) => !resolves(path, name))
    .map((name) => `${path || "(root)"} → ${name}`),
);

// The ones this project cannot run without, on each platform it supports.
const required = ["darwin-64", "darwin-arm64", "linux-64", "linux-arm64", "windows-64"].map((platform) => `@cloudflare/workerd-${platform}`);
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path.endsWith("node_modules/workerd")) continue;
  for (const name of required) if (!(name in (entry.optionalDependencies ?? {}))) missing.push(`${path} → ${name} (not even listed)`);
}

if (missing.length > 0) {
  console.error(`package-lock.json lacks ${String(missing.length)} platform package(s):\n  ${missing.join("\n  ")}`);
  console.error("Regenerate it where the registry has every platform's build: npm install --package-lock-only");
  process.exit(1);
}
const optional = Object.values(lock.packages).reduce((n, entry) => n + Object.keys(entry.optionalDependencies ?? {}).length, 0);
console.log(`package-lock.json: all ${String(optional)} optional dependencies present (workerd for macOS, Linux and Windows).`);
