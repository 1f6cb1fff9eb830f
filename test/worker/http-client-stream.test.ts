import { afterEach, describe, expect, it } from "vitest";
import { isResponseTooLargeError } from "../../src/http/errors";
import { createDeadline, isHttpStatusError } from "../../src/resilience";
import { eventually, newInbox, recorded, resetUpstreams, reviewsClient, serverState, testScope, upstreams } from "./http-client-helpers";

// stream(): the body as a ReadableStream, read under the call's deadline and within
// maxBytes, against the fake upstream's `/stream?bytes=N&chunk=M&intervalMs=D` (N bytes of
// "0123456789…", M at a time, D ms apart). REVIEWS_TIMEOUT_MS (one attempt) is 800 ms.

afterEach(resetUpstreams);

async function setup(signal?: AbortSignal) {
  const { one } = await upstreams();
  const { scope } = testScope({}, signal);
  return reviewsClient(scope, { baseUrls: [recorded(one, newInbox())] });
}

/** Reads a stream to its end: the bytes received, and the error that ended it, if any. */
async function consume(body: ReadableStream<Uint8Array>): Promise<{ bytes: number; text: string; error: unknown }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes, text, error: undefined };
      bytes += value.byteLength;
      if (text.length < 64) text += decoder.decode(value);
    }
  } catch (error) {
    return { bytes, text, error };
  }
}

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe("stream(): the body as a stream", () => {
  it("hands over the headers at once and the whole of a large body, chunk by chunk", async () => {
    const client = await setup();
    const response = await client.stream("/stream", { query: { bytes: 3_000_000, chunk: 65_536 } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/octet-stream");
    const read = await consume(response.body);
    expect(read.error).toBeUndefined();
    expect(read.bytes).toBe(3_000_000);
    expect(read.text.startsWith("0123456789012345")).toBe(true);
  });

  it("is not cut by one attempt's timeout: the call's budget covers the body", async () => {
    const client = await setup();
    // Ten chunks 150 ms apart: longer than an attempt (800 ms), well within the budget.
    const response = await client.stream("/stream", { query: { bytes: 10_000, chunk: 1_000, intervalMs: 150 }, budgetMs: 10_000 });
    const read = await consume(response.body);
    expect(read.error).toBeUndefined();
    expect(read.bytes).toBe(10_000);
  });

  it("errors the stream with the deadline's TimeoutError when the body outlasts the budget, and the upstream sees the abort", async () => {
    const client = await setup();
    // A hundred chunks 100 ms apart (10 s) against a budget of 1 s.
    const response = await client.stream("/stream", { query: { bytes: 100_000, chunk: 1_000, intervalMs: 100 }, budgetMs: 1_000 });
    const read = await consume(response.body);
    expect(read.error).toMatchObject({ name: "TimeoutError" });
    expect(read.bytes).toBeGreaterThan(0);
    expect(read.bytes).toBeLessThan(100_000);
    await eventually(async () => (await serverState("reviews")).stats.aborted >= 1);
  });

  it("ends when the caller's own signal aborts (a request's deadline, a client gone)", async () => {
    const caller = new AbortController();
    const client = await setup(caller.signal);
    const response = await client.stream("/stream", { query: { bytes: 100_000, chunk: 1_000, intervalMs: 100 } });
    const reader = response.body.getReader();
    await reader.read();
    caller.abort(new DOMException("the client went away", "AbortError"));
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
    await eventually(async () => (await serverState("reviews")).stats.aborted >= 1);
  });

  it("errors the stream with ResponseTooLargeError once more than maxBytes arrived, and closes the upstream", async () => {
    const client = await setup();
    const response = await client.stream("/stream", { query: { bytes: 2_000_000, chunk: 16_384, intervalMs: 5 }, maxBytes: 100_000 });
    const read = await consume(response.body);
    expect(isResponseTooLargeError(read.error)).toBe(true);
    expect(read.bytes).toBeLessThanOrEqual(100_000);
    await eventually(async () => (await serverState("reviews")).stats.aborted >= 1);
  });

  it("refuses a declared Content-Length over maxBytes before reading anything", async () => {
    const client = await setup();
    const error = await failure(client.stream("/stream", { query: { bytes: 200_000, length: 1 }, maxBytes: 100_000 }));
    expect(isResponseTooLargeError(error)).toBe(true);
  });

  it("passes a consumer's cancel on to the upstream", async () => {
    const client = await setup();
    const response = await client.stream("/stream", { query: { bytes: 100_000, chunk: 1_000, intervalMs: 100 } });
    const reader = response.body.getReader();
    await reader.read();
    await reader.cancel("enough");
    await eventually(async () => (await serverState("reviews")).stats.aborted >= 1);
  });

  it("answers a non-2xx status with an HttpStatusError, nothing streamed", async () => {
    const client = await setup();
    const error = await failure(client.stream("/echo/x", { query: { status: 404 } }));
    expect(isHttpStatusError(error) && error.status).toBe(404);
  });

  it("streams a body that a POST answers too", async () => {
    const client = await setup(createDeadline(10_000).signal);
    const response = await client.stream("/echo/upload", { method: "POST", json: { hello: "world" } });
    const read = await consume(response.body);
    expect(read.error).toBeUndefined();
    expect(read.text).toContain('"method":"POST"');
  });
});
