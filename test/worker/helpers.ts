import { env, exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { expect, inject } from "vitest";
import worker from "../../src/index";
import type { Bindings } from "../../src/env";

const ORIGIN = "https://edgekit.test";

/** The API key the tests call with by default: every scope (made by test/global-setup.ts). */
export const TEST_KEY = inject("testApiKey");

/**
 * Who a test request is: an API key (the test key with every scope by default), or
 * `ANONYMOUS` for none. A request that sets `Authorization` or `X-API-Key` itself is sent as is.
 */
export const ANONYMOUS = null;
export type Caller = string | typeof ANONYMOUS;

function withCaller(init: RequestInit | undefined, as: Caller): RequestInit {
  const headers = new Headers(init?.headers);
  if (as !== ANONYMOUS && !headers.has("Authorization") && !headers.has("X-API-Key")) headers.set("Authorization", `Bearer ${as}`);
  return { ...init, headers };
}

/** Sends a request to the Worker under test, as a client would. */
export function api(path: string, init?: RequestInit, as: Caller = TEST_KEY): Promise<Response> {
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, withCaller(init, as)));
}

/** Sends JSON with the right Content-Type. */
export function sendJson(method: string, path: string, body: unknown, as: Caller = TEST_KEY): Promise<Response> {
  return api(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }, as);
}

/**
 * Sends a request to the Worker with some bindings replaced, e.g. a dependency pointed at a
 * port where nothing listens: the dependency really is down for that request only.
 */
export async function apiWithEnv(overrides: Partial<Bindings>, path: string, init?: RequestInit, as: Caller = TEST_KEY): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${ORIGIN}${path}`, withCaller(init, as)), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Bindings that send every database query to a closed port. */
export const DATABASE_DOWN: Partial<Bindings> = {
  DATABASE_URL: "postgres://edgekit:local@127.0.0.1:9/edgekit",
  NEON_HTTP_ENDPOINT: "http://127.0.0.1:9/sql",
};

/** Bindings that send every Redis command to a closed port. */
export const REDIS_DOWN: Partial<Bindings> = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" };

/** Requests a local server has answered so far, from the stack's control endpoint: the subrequest counter. */
export async function requestsTo(server: "neon" | "redis" | "reviews"): Promise<number> {
  const state = await (await fetch(`${inject("controlUrl")}/${server}`)).json<{ stats: { requests: number } }>();
  return state.stats.requests;
}

/** Creates an API key with these scopes through the API (as the test key, which has `admin`). */
export async function createKey(scopes: string[], fields: { name?: string; expiresInDays?: number } = {}): Promise<{ id: string; key: string; prefix: string }> {
  const response = await sendJson("POST", "/admin/keys", { name: fields.name ?? `test ${crypto.randomUUID()}`, scopes, ...fields });
  if (response.status !== 201) throw new Error(`key not created: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A product name no other test uses, so tests own their data. */
export const uniqueName = (label = "product") => `${label} ${crypto.randomUUID()}`;

export interface ProductJson {
  id: string;
  name: string;
  price_cents: number;
  stock: number;
  created_at: string;
  updated_at: string;
}

export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: { in: string; field: string; message: string }[];
  [extension: string]: unknown;
}

export async function createProduct(fields: Partial<ProductJson> = {}): Promise<ProductJson> {
  const response = await sendJson("POST", "/products", { name: uniqueName(), price_cents: 1000, stock: 3, ...fields });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Asserts the RFC 9457 shape and returns the body. */
export async function expectProblem(response: Response, status: number): Promise<ProblemJson> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as ProblemJson;
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(body.requestId).toBe(response.headers.get("X-Request-Id"));
  return body;
}
