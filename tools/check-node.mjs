// Runs first in every npm script: one clear line when Node.js is too old, instead of the
// error the first TypeScript file would give ("Unknown file extension .ts"). Plain
// JavaScript, so that any Node.js can run it; the rest of the tooling is TypeScript, which
// Node runs directly from 22.18 on.
import { readFileSync } from "node:fs";

const read = (file) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
const wanted = JSON.parse(read("package.json")).engines.node; // e.g. ">=22.18.0"
const minimum = wanted.replace(/^>=\s*/, "").split(".").map(Number);
const found = process.versions.node.split(".").map(Number);
const older = minimum.findIndex((part, i) => (found[i] ?? 0) !== part);
if (older !== -1 && (found[older] ?? 0) < (minimum[older] ?? 0)) {
  const nvmrc = read(".nvmrc").trim();
  console.error(
    `edgekit needs Node.js ${wanted}; this is ${process.version}. .nvmrc says ${nvmrc}: run \`nvm use\` (or \`fnm use\`, \`volta install node@${nvmrc}\`), then try again.`,
  );
  process.exit(1);
}
