/**
 * Runs after every `npm install` (the root `postinstall`). When the registry in use lacks
 * some platform's build of an optional dependency (seen here: workerd's macOS and Windows
 * binaries of the newest releases), npm leaves that package out of package-lock.json but
 * keeps the edge to it, and `npm ci` then refuses the lockfile as out of sync. This drops
 * exactly those dangling optional edges. With a complete registry there are none, and the
 * file is left untouched.
 */
import { readFile, writeFile } from "node:fs/promises";

interface LockPackage {
  optionalDependencies?: Record<string, string>;
}

const LOCKFILE = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(await readFile(LOCKFILE, "utf8").catch(() => "null")) as {
  packages?: Record<string, LockPackage>;
} | null;

if (lock?.packages) {
  const packages = lock.packages;
  const dropped: string[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      if (!resolvable(packages, path, name)) {
        delete entry.optionalDependencies?.[name];
        dropped.push(`${path || "(root)"} → ${name}`);
      }
    }
  }
  if (dropped.length > 0) {
    await writeFile(LOCKFILE, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(`prune-lockfile: dropped optional dependencies the registry does not have:\n  ${dropped.join("\n  ")}`);
  }
}

/** Node's resolution: the package's own node_modules, then each ancestor's. */
function resolvable(packages: Record<string, LockPackage>, from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    if (`${dir ? `${dir}/` : ""}node_modules/${name}` in packages) return true;
    if (!dir) return false;
    const parent = dir.lastIndexOf("/node_modules/");
    dir = parent === -1 ? "" : dir.slice(0, parent);
  }
}
