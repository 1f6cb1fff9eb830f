import { describe, expect, it } from "vitest";
import {
  httpStatusOf,
  isTransientError,
  parseRetryAfter,
  retryAfterOf,
  sqlStateOf,
} from "../../../src/resilience/classify";
import {
  AttemptTimeoutError,
  BrokenCircuitError,
  BulkheadRejectedError,
  DeadlineExceededError,
  HttpStatusError,
} from "../../../src/resilience/errors";
import { neonError } from "./helpers";

describe("isTransientError", () => {
  it.each([
    ["fetch's network failure in Node", new TypeError("fetch failed")],
    ["fetch's network failure in workerd", new TypeError("Network connection lost.")],
    ["a reset connection", new TypeError("Connection reset by peer")],
    ["HTTP 503", new HttpStatusError(503)],
    ["HTTP 502 as statusCode", Object.assign(new Error("bad gateway"), { statusCode: 502 })],
    ["HTTP 429", Object.assign(new Error("slow down"), { status: 429 })],
    ["HTTP 408", new HttpStatusError(408)],
    ["Neon's fetch failure", neonError("Error connecting to database: TypeError: fetch failed", { sourceError: new TypeError("fetch failed") })],
    ["Neon's HTTP 503", neonError("Server error (HTTP status 503): upstream unavailable")],
    ["SQLSTATE 08006 connection failure", neonError("connection failure", { code: "08006" })],
    ["SQLSTATE 53300 too many connections", neonError("too many connections", { code: "53300" })],
    ["SQLSTATE 57P01 admin shutdown", neonError("terminating connection", { code: "57P01" })],
    ["SQLSTATE 40001 serialization failure", neonError("could not serialize access", { code: "40001" })],
    ["SQLSTATE 40P01 deadlock", neonError("deadlock detected", { code: "40P01" })],
    ["an attempt timeout", new AttemptTimeoutError(100)],
    ["a TimeoutError raised inside an attempt", new DOMException("timed out", "TimeoutError")],
  ])("retries %s", (_name, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ["a unique violation (23505)", neonError("duplicate key value", { code: "23505" })],
    ["bad input syntax (22P02)", neonError("invalid input syntax for type uuid", { code: "22P02" })],
    ["a syntax error (42601)", neonError("syntax error at or near", { code: "42601" })],
    ["a missing table (42P01)", neonError("relation does not exist", { code: "42P01" })],
    ["a cancelled statement (57014)", neonError("canceling statement due to statement timeout", { code: "57014" })],
    ["Neon's fetch failure caused by an abort", neonError("Error connecting to database: AbortError", { sourceError: new DOMException("aborted", "AbortError") })],
    ["a Neon error of unknown kind", neonError("Neon internal error: unexpected result format")],
    ["Neon's HTTP 401", neonError("Server error (HTTP status 401): unauthorized")],
    ["HTTP 404", new HttpStatusError(404)],
    ["HTTP 400", Object.assign(new Error("bad request"), { status: 400 })],
    ["HTTP 501", new HttpStatusError(501)],
    ["an AbortError", new DOMException("The operation was aborted.", "AbortError")],
    ["a programming TypeError", new TypeError("x.map is not a function")],
    ["a property read on undefined", new TypeError("Cannot read properties of undefined (reading 'connection')")],
    ["an open circuit", new BrokenCircuitError("neon", 1_000)],
    ["a full bulkhead", new BulkheadRejectedError(1, 0)],
    ["a passed deadline", new DeadlineExceededError(0)],
    ["a plain Error", new Error("boom")],
    ["a string", "boom"],
    ["undefined", undefined],
  ])("does not retry %s", (_name, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

describe("error inspection", () => {
  it("finds SQLSTATEs only on database errors", () => {
    expect(sqlStateOf(neonError("x", { code: "23505" }))).toBe("23505");
    expect(sqlStateOf(Object.assign(new Error("pg"), { code: "42P01", severity: "ERROR" }))).toBe("42P01");
    // Node's EPIPE has five capital letters but is not a SQLSTATE.
    expect(sqlStateOf(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))).toBeUndefined();
    expect(sqlStateOf(neonError("x", { code: "not-a-state" }))).toBeUndefined();
  });

  it("reads HTTP statuses from fields and from Neon's message", () => {
    expect(httpStatusOf(new HttpStatusError(429))).toBe(429);
    expect(httpStatusOf({ statusCode: 502 })).toBe(502);
    expect(httpStatusOf({ status: "500" })).toBeUndefined();
    expect(httpStatusOf({ status: 1_000 })).toBeUndefined();
    expect(httpStatusOf(neonError("Server error (HTTP status 504): gateway timeout"))).toBe(504);
    expect(httpStatusOf(new Error("Server error (HTTP status 504)"))).toBeUndefined();
  });

  it("reads a usable retryAfterMs only", () => {
    expect(retryAfterOf(new HttpStatusError(503, { retryAfterMs: 1_200 }))).toBe(1_200);
    expect(retryAfterOf({ retryAfterMs: -1 })).toBeUndefined();
    expect(retryAfterOf({ retryAfterMs: Number.NaN })).toBeUndefined();
    expect(retryAfterOf(new Error("x"))).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("parses delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
  });

  it("parses an HTTP-date relative to now, never negative", () => {
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", now)).toBe(0);
  });

  it("returns undefined for absent or malformed values", () => {
    for (const value of [null, undefined, "", "soon", "1.5", "-3"]) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe("isTransientError: workerd's plain network errors", () => {
  it("counts workerd's plain `Error: Network connection lost.` as transient, not other plain errors", () => {
    expect(isTransientError(new Error("Network connection lost."))).toBe(true);
    expect(isTransientError(new Error("invalid state"))).toBe(false);
  });
});
