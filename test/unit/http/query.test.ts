import { describe, expect, it } from "vitest";
import { toSearchParams } from "../../../src/http/query";

describe("toSearchParams: a typed record as a query string", () => {
  it("repeats a name for each item of an array, in order", () => {
    expect(toSearchParams({ tag: ["a", "b", "c"] }).toString()).toBe("tag=a&tag=b&tag=c");
  });

  it("leaves undefined out, as a value and as a list item, and keeps the record's order", () => {
    expect(toSearchParams({ b: 2, skip: undefined, a: [1, undefined, 3] }).toString()).toBe("b=2&a=1&a=3");
  });

  it("writes numbers, booleans and bigints as their text, and keeps empty strings", () => {
    expect(toSearchParams({ n: 1.5, yes: true, no: false, big: 9007199254740993n, empty: "" }).toString()).toBe(
      "n=1.5&yes=true&no=false&big=9007199254740993&empty=",
    );
  });

  it("encodes every reserved character, so a value can never add a parameter of its own", () => {
    const query = toSearchParams({ q: "red & blue=1+2?#/%", "odd name": "é ✓" }).toString();
    expect(query).toBe("q=red+%26+blue%3D1%2B2%3F%23%2F%25&odd+name=%C3%A9+%E2%9C%93");
    expect([...new URLSearchParams(query)]).toEqual([
      ["q", "red & blue=1+2?#/%"],
      ["odd name", "é ✓"],
    ]);
  });

  it("refuses null, objects and numbers that are not finite (a TypeError naming the parameter)", () => {
    expect(() => toSearchParams({ page: Number.NaN })).toThrow(/"page" is not a finite number/);
    expect(() => toSearchParams({ page: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => toSearchParams(JSON.parse('{"x": null}') as Record<string, string>)).toThrow(/"x" must be/);
    expect(() => toSearchParams(JSON.parse('{"x": [{"a": 1}]}') as Record<string, string>)).toThrow(TypeError);
  });

  it("gives an empty query for an empty record", () => {
    expect(toSearchParams({}).toString()).toBe("");
  });
});
