import { describe, expect, it } from "vitest";
import type { HubEvent } from "../../../src/events/event";
import { FilterSyntaxError, matches, parseFilter } from "../../../src/events/subscription-filter";

const event = (type: string, data: unknown): HubEvent => ({ id: 1, topic: "t", type, time: "", data, source: "test" });
const filter = (query: string) => parseFilter(new URLSearchParams(query));

describe("subscription filters", () => {
  it("keeps every event without conditions", () => {
    expect(matches(event("a", null), filter(""))).toBe(true);
  });

  it("keeps only the listed types", () => {
    const f = filter("types=a, b");
    expect(["a", "b", "c"].map((type) => matches(event(type, null), f))).toEqual([true, true, false]);
  });

  it("compares fields by dotted path, strings as text and the rest as JSON", () => {
    const data = { status: "dead", job: { attempts: 3, ok: false }, tags: ["x"] };
    expect(matches(event("a", data), filter("where=data.status=dead"))).toBe(true);
    expect(matches(event("a", data), filter("where=data.job.attempts=3&where=data.job.ok=false"))).toBe(true);
    expect(matches(event("a", data), filter("where=data.status!=dead"))).toBe(false);
    expect(matches(event("a", data), filter("where=data.missing!=x"))).toBe(true);
    expect(matches(event("a", data), filter("where=data.missing=x"))).toBe(false);
    expect(matches(event("a", data), filter("where=type=a"))).toBe(true);
  });

  it("refuses what it cannot read, and more than ten conditions", () => {
    expect(() => filter("where=nonsense")).toThrow(FilterSyntaxError);
    expect(() => filter("where=.x=1")).toThrow(FilterSyntaxError);
    expect(() => filter(Array.from({ length: 11 }, () => "where=a=1").join("&"))).toThrow(FilterSyntaxError);
  });
});
