import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEAD_LETTER_SUFFIX } from "../../src/config/service.ts";
import { readWranglerConfig } from "../../tools/wrangler-config.ts";

const { environments } = readWranglerConfig();
const [top] = environments;
const names = (list: { binding?: string; name?: string }[]) => list.map((item) => item.binding ?? item.name).sort();

describe("wrangler.toml: every environment is complete, and agrees with the code", () => {
  it("has the top level, staging and production", () => {
    expect(environments.map((e) => e.env)).toEqual([undefined, "staging", "production"]);
  });

  for (const environment of environments) {
    const label = environment.env ?? "top level";

    it(`${label}: a jobs queue, its dead-letter queue (named so the Worker can tell it apart), every consumer setting explicit`, () => {
      const [jobs, deadLetters, ...rest] = environment.queueConsumers;
      expect(rest).toEqual([]);
      expect(jobs?.dead_letter_queue).toBe(`${jobs?.queue ?? ""}${DEAD_LETTER_SUFFIX}`);
      expect(deadLetters?.queue).toBe(jobs?.dead_letter_queue);
      expect(jobs?.queue.endsWith(DEAD_LETTER_SUFFIX)).toBe(false);
      for (const consumer of environment.queueConsumers) {
        // Miniflare's local defaults differ from Cloudflare's.
        expect(Object.keys(consumer)).toEqual(expect.arrayContaining(["max_batch_size", "max_batch_timeout", "max_retries"]));
      }
      expect(environment.queueProducers.map((p) => [p.binding, p.queue]).sort()).toEqual(
        [
          ["JOBS", jobs?.queue],
          ["JOBS_DEAD_LETTERS", deadLetters?.queue],
        ].sort(),
      );
    });

    it(`${label}: every binding and every var of the top level (none is inherited)`, () => {
      if (!top) throw new Error("no top level");
      expect(names(environment.durableObjects)).toEqual(names(top.durableObjects));
      expect(names(environment.r2Buckets)).toEqual(names(top.r2Buckets));
      expect(names(environment.analyticsDatasets)).toEqual(names(top.analyticsDatasets));
      expect(Object.keys(environment.vars).sort()).toEqual(Object.keys(top.vars).sort());
    });
  }

  it("gives each environment its own queues, bucket and dataset", () => {
    const resources = environments.flatMap((e) => [
      ...e.queueConsumers.map((c) => c.queue),
      ...e.r2Buckets.map((b) => b.bucket_name),
      ...e.analyticsDatasets.map((d) => d.dataset),
    ]);
    expect(new Set(resources).size).toBe(resources.length);
  });
});

describe("wrangler.toml [alias]: the zod locale trim still applies", () => {
  // wrangler matches an alias against the import specifier as written. If zod renames or moves
  // its locale index, the alias silently stops applying and the bundle grows by a quarter.
  const { raw } = readWranglerConfig();
  const alias = (raw.alias ?? {}) as Record<string, string>;

  it("points zod's locale import at a module that exists", () => {
    expect(alias).toEqual({ "../locales/index.js": "./src/zod-locales.ts" });
    expect(existsSync(new URL("../../src/zod-locales.ts", import.meta.url))).toBe(true);
  });

  it("matches the specifier zod imports its locales with", () => {
    const zodEntry = createRequire(import.meta.url).resolve("zod/v4");
    const external = readFileSync(join(dirname(zodEntry), "classic", "external.js"), "utf8");
    expect(external).toContain('export * as locales from "../locales/index.js"');
  });

  it("keeps English, the default zod installs", async () => {
    const locales = await import("../../src/zod-locales.ts");
    expect(Object.keys(locales)).toEqual(["en"]);
    expect(typeof locales.en).toBe("function");
  });
});
