import { describe, expect, it } from "vitest";
import { isRequestTargetError } from "../../../src/http/errors";
import { mayRepeat } from "../../../src/http/methods";
import { parseBaseUrl, requestTarget, requestUrl } from "../../../src/http/request-url";

const urlOf = (base: string, path: string, query?: Record<string, string>) =>
  requestUrl(parseBaseUrl(base), requestTarget(path, query && new URLSearchParams(query))).href;

const refusal = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe("request URLs: a path always stays under its base URL", () => {
  it("joins a path under the base URL's own path, a leading slash or not", () => {
    expect(urlOf("https://api.example.com", "/products/1")).toBe("https://api.example.com/products/1");
    expect(urlOf("https://api.example.com/v2", "/products/1")).toBe("https://api.example.com/v2/products/1");
    expect(urlOf("https://api.example.com/v2/", "products/1")).toBe("https://api.example.com/v2/products/1");
    expect(urlOf("https://api.example.com/v2", "")).toBe("https://api.example.com/v2/");
  });

  it("keeps a query written in the path as it is, and appends the query parameters after it", () => {
    expect(urlOf("https://api.example.com", "/search?sort=new&raw=a%20b", { q: "red kettle" })).toBe(
      "https://api.example.com/search?sort=new&raw=a%20b&q=red+kettle",
    );
    expect(urlOf("https://api.example.com", "/search", { q: "x" })).toBe("https://api.example.com/search?q=x");
  });

  it("keeps percent-encoded path segments as they are (no double encoding)", () => {
    expect(urlOf("https://api.example.com", `/products/${encodeURIComponent("a/b c")}/reviews`)).toBe(
      "https://api.example.com/products/a%2Fb%20c/reviews",
    );
  });

  it.each([
    ["an absolute URL", "https://evil.example/x"],
    ["another scheme", "javascript:alert(1)"],
    ["a backslash (read as a slash by URL parsers)", "/\\evil.example/x"],
    ["a fragment", "/a#b"],
  ])("refuses %s before anything is sent", (_, path) => {
    expect(isRequestTargetError(refusal(() => urlOf("https://api.example.com/v2", path)))).toBe(true);
  });

  it("leaves a query alone: a backslash or a colon in it is a value, not a way out", () => {
    expect(urlOf("https://api.example.com", "/x?path=a\\b&next=https://example.com/")).toBe(
      "https://api.example.com/x?path=a\\b&next=https://example.com/",
    );
  });

  it("turns a protocol-relative path into a path under the base URL, never another host", () => {
    expect(urlOf("https://api.example.com", "//evil.example/x")).toBe("https://api.example.com/evil.example/x");
  });

  it.each([["../admin"], ["%2e%2e/admin"], ["/x/../../admin"], [".%2E/admin"]])("refuses %s, which climbs above the base path", (path) => {
    expect(isRequestTargetError(refusal(() => urlOf("https://api.example.com/v2", path)))).toBe(true);
  });

  it("lets dot segments that stay under the base path through, normalised", () => {
    expect(urlOf("https://api.example.com/v2", "a/../b")).toBe("https://api.example.com/v2/b");
  });

  it.each([
    ["not a URL", "nope"],
    ["not http", "ftp://files.example.com"],
    ["credentials", "https://user:secret@api.example.com"],
    ["a query", "https://api.example.com/?key=1"],
    ["a fragment", "https://api.example.com/#top"],
  ])("refuses a base URL with %s", (_, base) => {
    expect(isRequestTargetError(refusal(() => parseBaseUrl(base)))).toBe(true);
  });
});

describe("which requests may repeat (retries, failover)", () => {
  it("the idempotent methods always; POST and PATCH only with an Idempotency-Key", () => {
    for (const method of ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"] as const) expect(mayRepeat(method)).toBe(true);
    for (const method of ["POST", "PATCH"] as const) {
      expect(mayRepeat(method)).toBe(false);
      expect(mayRepeat(method, "")).toBe(false);
      expect(mayRepeat(method, "job-42")).toBe(true);
    }
  });
});
