import { describe, expect, it } from "vitest";
import { cacheKeyMaterial, carriesCredentials, freshnessOf, parseCacheControl, varyCovered } from "../../../src/http/cache-policy";
import { requestTarget } from "../../../src/http/request-url";

const headers = (init: Record<string, string> = {}) => new Headers(init);

describe("what the response cache may store, and for how long", () => {
  it("stores the cacheable statuses for the client's TTL, and nothing else", () => {
    for (const status of [200, 203, 204, 404, 410]) expect(freshnessOf(status, headers(), 60, [])).toBe(60);
    for (const status of [201, 206, 302, 400, 401, 403, 409, 429, 500, 503]) expect(freshnessOf(status, headers(), 60, [])).toBeUndefined();
  });

  it("obeys the upstream's Cache-Control: no-store and private never, max-age and s-maxage cap the TTL, no-cache revalidates", () => {
    expect(freshnessOf(200, headers({ "Cache-Control": "no-store" }), 60, [])).toBeUndefined();
    expect(freshnessOf(200, headers({ "Cache-Control": "private, max-age=30" }), 60, [])).toBeUndefined();
    expect(freshnessOf(200, headers({ "Cache-Control": "public, max-age=30" }), 60, [])).toBe(30);
    expect(freshnessOf(200, headers({ "Cache-Control": "max-age=600" }), 60, [])).toBe(60);
    expect(freshnessOf(200, headers({ "Cache-Control": "max-age=600, s-maxage=5" }), 60, [])).toBe(5);
    expect(freshnessOf(200, headers({ "Cache-Control": "no-cache" }), 60, [])).toBe(0);
    expect(parseCacheControl('max-age="12", bogus, max-age=x')).toMatchObject({ maxAge: 12, noStore: false });
  });

  it("stores a response that varies only on headers in the key (Accept-Encoding aside), never Vary: *", () => {
    expect(varyCovered(null, [])).toBe(true);
    expect(varyCovered("Accept-Encoding", [])).toBe(true);
    expect(varyCovered("accept-language, Accept-Encoding", ["Accept-Language"])).toBe(true);
    expect(varyCovered("Accept-Language", [])).toBe(false);
    expect(varyCovered("*", ["accept-language"])).toBe(false);
    expect(freshnessOf(200, headers({ Vary: "X-Tenant" }), 60, [])).toBeUndefined();
    expect(freshnessOf(200, headers({ Vary: "X-Tenant" }), 60, ["x-tenant"])).toBe(60);
  });
});

describe("requests that carry credentials", () => {
  const target = (path: string) => requestTarget(path);

  it.each([["Authorization"], ["Proxy-Authorization"], ["Cookie"], ["X-API-Key"], ["Api-Key"], ["X-Auth-Token"], ["X-Session-Id"]])(
    "are recognised by a %s header",
    (name) => {
      expect(carriesCredentials(headers({ [name]: "secret" }), target("/x"))).toBe(true);
    },
  );

  it.each([["api_key"], ["apikey"], ["access_token"], ["token"], ["X-Amz-Signature"]])("are recognised by a ?%s= parameter", (name) => {
    expect(carriesCredentials(headers(), target(`/x?${name}=secret`))).toBe(true);
  });

  it("are not claimed for ordinary headers and parameters", () => {
    expect(carriesCredentials(headers({ Accept: "application/json", "Accept-Language": "fr" }), target("/x?author=ada&page=2"))).toBe(false);
  });
});

describe("cache keys", () => {
  const base = ["https://b.example", "https://a.example"];

  it("are the same for the same request, whatever the order of the base URLs", () => {
    const one = cacheKeyMaterial(base, requestTarget("/x?a=1"), [], headers());
    const two = cacheKeyMaterial([...base].reverse(), requestTarget("x?a=1"), [], headers());
    expect(one).toBe(two);
  });

  it("differ by service, path, query and the value of each keyed header (absent and empty apart)", () => {
    const key = (b: string[], path: string, h: Record<string, string> = {}) => cacheKeyMaterial(b, requestTarget(path), ["Accept-Language"], headers(h));
    const keys = [
      key(base, "/x"),
      key(["https://c.example"], "/x"),
      key(base, "/y"),
      key(base, "/x?a=1"),
      key(base, "/x?a=2"),
      key(base, "/x", { "Accept-Language": "" }),
      key(base, "/x", { "Accept-Language": "fr" }),
      key(base, "/x", { "Accept-Language": "de" }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    // A header that is not keyed changes nothing.
    expect(key(base, "/x", { "X-Other": "1" })).toBe(key(base, "/x"));
  });
});
