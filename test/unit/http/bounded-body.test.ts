import { describe, expect, it } from "vitest";
import { boundedBody, declaredTooLarge, readBoundedText } from "../../../src/http/bounded-body";
import { isResponseTooLargeError } from "../../../src/http/errors";

const encoder = new TextEncoder();

/** A body that hands out `chunks` one read at a time, and notes whether it was cancelled. */
function source(chunks: string[], options: { hangAfter?: boolean } = {}) {
  const state = { cancelled: false as unknown, pulls: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls++;
        const next = chunks.shift();
        if (next !== undefined) controller.enqueue(encoder.encode(next));
        else if (!options.hangAfter) controller.close();
        else return new Promise<void>(() => undefined);
        return undefined;
      },
      cancel(reason) {
        state.cancelled = reason ?? true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("boundedBody", () => {
  it("passes a body under its cap through unchanged, and reports its end once", async () => {
    let ends = 0;
    const { stream } = source(["abc", "def"]);
    expect(await drain(boundedBody(stream, { maxBytes: 6, onEnd: () => ends++ }))).toBe("abcdef");
    expect(ends).toBe(1);
  });

  it("errors with ResponseTooLargeError as soon as the count passes the cap, and cancels the upstream", async () => {
    let ends = 0;
    const { stream, state } = source(["abcd", "efgh", "never read"]);
    const error = await drain(boundedBody(stream, { maxBytes: 6, onEnd: () => ends++ })).catch((e: unknown) => e);
    expect(isResponseTooLargeError(error)).toBe(true);
    expect(state.cancelled).toBeTruthy();
    expect(state.pulls).toBe(2);
    expect(ends).toBe(1);
  });

  it("reads nothing before the consumer asks (pull-based)", async () => {
    const { stream, state } = source(["a", "b"]);
    const bounded = boundedBody(stream);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.pulls).toBe(0);
    await bounded.cancel();
  });

  it("errors a read in progress with the signal's reason when it aborts, and cancels the upstream", async () => {
    const controller = new AbortController();
    let ends = 0;
    const { stream, state } = source(["first"], { hangAfter: true });
    const reader = boundedBody(stream, { signal: controller.signal, onEnd: () => ends++ }).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first");
    const pending = reader.read();
    controller.abort(new DOMException("Deadline of 50 ms exceeded", "TimeoutError"));
    await expect(pending).rejects.toMatchObject({ name: "TimeoutError" });
    expect(state.cancelled).toBeTruthy();
    expect(ends).toBe(1);
  });

  it("errors at once when the signal has already aborted", async () => {
    const { stream } = source(["a"]);
    await expect(drain(boundedBody(stream, { signal: AbortSignal.abort(new Error("gone")) }))).rejects.toThrow("gone");
  });

  it("passes a consumer's cancel on to the upstream and reports the end", async () => {
    let ends = 0;
    const { stream, state } = source(["a", "b"]);
    await boundedBody(stream, { onEnd: () => ends++ }).cancel("not needed");
    expect(state.cancelled).toBe("not needed");
    expect(ends).toBe(1);
  });
});

describe("readBoundedText and declaredTooLarge", () => {
  it("decodes UTF-8 split across chunks", async () => {
    const bytes = encoder.encode("café ✓");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    expect(await readBoundedText(stream, { maxBytes: bytes.byteLength })).toBe("café ✓");
    expect(await readBoundedText(null)).toBe("");
  });

  it("refuses a text over the cap", async () => {
    await expect(readBoundedText(source(["12345"]).stream, { maxBytes: 4 })).rejects.toMatchObject({ name: "ResponseTooLargeError" });
  });

  it("reads a declared Content-Length against the cap", () => {
    expect(declaredTooLarge(new Headers({ "Content-Length": "11" }), 10)).toBe(true);
    expect(declaredTooLarge(new Headers({ "Content-Length": "10" }), 10)).toBe(false);
    expect(declaredTooLarge(new Headers({ "Content-Length": "11" }), undefined)).toBe(false);
    expect(declaredTooLarge(new Headers({ "Content-Length": "lots" }), 10)).toBe(false);
    expect(declaredTooLarge(new Headers(), 10)).toBe(false);
  });
});
