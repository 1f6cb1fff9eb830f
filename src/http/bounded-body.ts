import { abortReason, raceAbort } from "../resilience";
import { ResponseTooLargeError } from "./errors";

export interface BodyBounds {
  /** More bytes than this errors the stream with a `ResponseTooLargeError`. None: no cap. */
  maxBytes?: number | undefined;
  /**
   * The call's signal: when it aborts (its deadline, the caller gone) the stream errors with
   * its reason at once, a read in progress included, and the upstream body is cancelled.
   */
  signal?: AbortSignal | undefined;
  /** Called once when the stream ends in any way (read to the end, errored, cancelled). */
  onEnd?: (() => void) | undefined;
}

/**
 * `body` as a stream that enforces `bounds`: each read is bound to the signal, and the
 * bytes are counted as they pass, so a body is refused past its cap without ever being held
 * whole. Pull-based: nothing is read from the upstream before the consumer asks, so a slow
 * consumer slows the upstream down instead of filling memory.
 *
 * @example
 * const body = boundedBody(response.body, { maxBytes: 1_048_576, signal });
 * return new Response(body, { headers: { "Content-Type": "application/octet-stream" } });
 */
export function boundedBody(body: ReadableStream<Uint8Array>, bounds: BodyBounds = {}): ReadableStream<Uint8Array> {
  const { maxBytes, signal, onEnd } = bounds;
  const reader = body.getReader();
  let received = 0;
  let ended = false;
  let stop: ((error: Error) => void) | undefined;

  // Read through a function: the stream's callbacks change it across awaits.
  const finished = (): boolean => ended;
  const end = (): void => {
    if (ended) return;
    ended = true;
    signal?.removeEventListener("abort", onAbort);
    onEnd?.();
  };
  function onAbort(): void {
    if (signal) stop?.(abortReason(signal));
  }

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stop = (error) => {
          if (ended) return;
          controller.error(error);
          reader.cancel(error).catch(() => undefined);
          end();
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        if (ended) return;
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await raceAbort(reader.read(), signal);
        } catch (error) {
          stop?.(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (finished()) return;
        if (chunk.done) {
          controller.close();
          end();
          return;
        }
        received += chunk.value.byteLength;
        if (maxBytes !== undefined && received > maxBytes) {
          stop?.(new ResponseTooLargeError(maxBytes));
          return;
        }
        controller.enqueue(chunk.value);
      },
      async cancel(reason) {
        end();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Reads a whole body as UTF-8 text within `bounds` (see `boundedBody`); a body over
 * `maxBytes` is refused as soon as the count passes it.
 */
export async function readBoundedText(body: ReadableStream<Uint8Array> | null, bounds: BodyBounds = {}): Promise<string> {
  if (body === null) return "";
  const reader = boundedBody(body, bounds).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    // One chunk after the other: each read waits for the bytes before it.
    // eslint-disable-next-line no-await-in-loop
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

/** True when a declared `Content-Length` already says the body is over `maxBytes`. */
export function declaredTooLarge(headers: Headers, maxBytes: number | undefined): boolean {
  if (maxBytes === undefined) return false;
  const declared = headers.get("Content-Length");
  return declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes;
}
