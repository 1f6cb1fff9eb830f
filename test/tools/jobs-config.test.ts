import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEAD_LETTER_QUEUE } from "../../src/jobs/queues.ts";

/** wrangler.toml's [[queues.consumers]] tables, read just enough to compare names. */
function consumers(toml: string): Record<string, string>[] {
  return toml
    .split("[[queues.consumers]]")
    .slice(1)
    .map((block) => block.split(/\n\[/)[0] ?? "")
    .map((block) => Object.fromEntries([...block.matchAll(/^(\w+)\s*=\s*"?([^"\n]*)"?/gm)].map((m) => [m[1], m[2]])));
}

describe("wrangler.toml and the code agree on the queues", () => {
  const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");

  it("names the dead-letter queue the Worker tells apart by name", () => {
    const [jobs, deadLetters] = consumers(toml);
    expect(jobs?.dead_letter_queue).toBe(DEAD_LETTER_QUEUE);
    expect(deadLetters?.queue).toBe(DEAD_LETTER_QUEUE);
  });

  it("sets every consumer setting explicitly (Miniflare's defaults differ from Cloudflare's)", () => {
    for (const consumer of consumers(toml)) {
      expect(Object.keys(consumer)).toEqual(expect.arrayContaining(["max_batch_size", "max_batch_timeout", "max_retries"]));
    }
  });
});
