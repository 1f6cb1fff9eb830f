import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const copy = mkdtempSync(join(tmpdir(), "edgekit-rename-"));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** Runs a command in the copy, as `npm run` would (its node_modules/.bin first on PATH). */
const run = (command: string, args: string[]) =>
  execFileSync(command, args, {
    cwd: copy,
    encoding: "utf8",
    env: { ...process.env, PATH: `${join(copy, "node_modules/.bin")}:${process.env.PATH ?? ""}`, WRANGLER_SEND_METRICS: "false" },
  });

describe("npm run rename", () => {
  it("renames the service in one step, and the copy still type-checks and builds for every environment", () => {
    // The repository's tracked files, as a clone would have them, sharing this node_modules.
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
      .split("\0")
      .filter((file) => file && existsSync(join(root, file)));
    for (const file of files) cpSync(join(root, file), join(copy, file), { recursive: true });
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));

    const output = run("node", ["tools/rename.ts", "acme-orders"]);
    expect(output).toContain("Renamed edgekit → acme-orders");

    expect(readFileSync(join(copy, "src/config/service.ts"), "utf8")).toContain('SERVICE_NAME = "acme-orders"');
    expect(JSON.parse(readFileSync(join(copy, "package.json"), "utf8"))).toMatchObject({ name: "acme-orders" });
    expect(readFileSync(join(copy, "README.md"), "utf8")).toMatch(/^# acme-orders$/m);
    const toml = readFileSync(join(copy, "wrangler.toml"), "utf8");
    expect(toml).not.toMatch(/edgekit/);
    expect(toml).toContain('queue = "acme-orders-staging-jobs-dead-letters"');
    expect(toml).toContain('dataset = "acme_orders_production_requests"');

    run("npx", ["tsc", "-p", "tsconfig.json"]);
    // The static files wrangler.toml's [assets] names are generated, as `npm run deploy` does first.
    run("node", ["tools/assets.ts"]);
    for (const env of ["", "staging", "production"]) {
      const built = run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", join(copy, "dist", env || "top"), ...(env ? ["--env", env] : [])]);
      expect(built).toContain(env ? `acme-orders-${env}-jobs` : "acme-orders-jobs");
    }
  }, 180_000);
});
