import { ApiError } from "./api.js";
import type { TopicEvent } from "./types.js";

/** Waits this long before following again after the stream ended or failed. */
const RECONNECT_MS = 2_000;

export interface TailHandlers {
  onEvent(event: TopicEvent): void;
  /** The stream's state, for the page: following, reconnecting, or stopped with a reason. */
  onStatus(status: string): void;
}

/**
 * Follows a topic through the event hub's Server-Sent Events (`GET /events/{topic}` with
 * `Accept: text/event-stream`), read with fetch rather than EventSource: EventSource cannot
 * send the `Authorization` header that private topics need. It resumes after the last event
 * it got (`Last-Event-ID`), so a dropped connection loses nothing the topic's history holds.
 */
export class Tail {
  #controller: AbortController | undefined;
  readonly #key: string;
  readonly #handlers: TailHandlers;

  constructor(key: string, handlers: TailHandlers) {
    this.#key = key;
    this.#handlers = handlers;
  }

  /** Starts following `topic` (stopping any other), from after event `since`. */
  follow(topic: string, since: number): void {
    this.stop();
    const controller = new AbortController();
    this.#controller = controller;
    void this.#run(topic, since, controller.signal);
  }

  stop(): void {
    this.#controller?.abort();
    this.#controller = undefined;
  }

  /** Reads the stream until it ends or fails, then follows again after a pause, until stopped. */
  async #run(topic: string, since: number, signal: AbortSignal): Promise<void> {
    // A function, not a property read: the compiler cannot know an await may abort it.
    const stopped = () => signal.aborted;
    let last = since;
    while (!stopped()) {
      try {
        this.#handlers.onStatus("following");
        // eslint-disable-next-line no-await-in-loop -- one connection after the other: the next starts when this one ends
        await this.#read(topic, last, signal, (event) => {
          last = Math.max(last, event.id);
          this.#handlers.onEvent(event);
        });
        if (stopped()) return;
        this.#handlers.onStatus("the stream ended; following again…");
      } catch (error) {
        if (stopped()) return;
        if (error instanceof ApiError && error.status !== 429 && error.status < 500) {
          this.#handlers.onStatus(`stopped: ${error.message}`);
          return;
        }
        this.#handlers.onStatus("connection lost; following again…");
      }
      // eslint-disable-next-line no-await-in-loop -- the pause between two connections
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  async #read(topic: string, since: number, signal: AbortSignal, onEvent: (event: TopicEvent) => void): Promise<void> {
    const response = await fetch(`/events/${encodeURIComponent(topic)}?since=${String(since)}`, {
      headers: { Authorization: `Bearer ${this.#key}`, Accept: "text/event-stream" },
      credentials: "omit",
      mode: "same-origin",
      cache: "no-store",
      signal,
    });
    if (!response.ok || !response.body) {
      let detail = `${String(response.status)} ${response.statusText}`;
      try {
        const problem = (await response.json()) as { detail?: unknown };
        if (typeof problem.detail === "string") detail = problem.detail;
      } catch {
        // Not a problem document.
      }
      throw new ApiError(response.status, detail, undefined);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      // eslint-disable-next-line no-await-in-loop -- a stream is read one chunk after the other
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      // A message ends at a blank line (SSE allows CRLF, LF or CR line ends).
      const messages = buffer.split(/\r\n\r\n|\n\n|\r\r/);
      buffer = messages.pop() ?? "";
      for (const message of messages) {
        const event = parseMessage(message);
        if (event) onEvent(event);
      }
    }
  }
}

/** An SSE message's event, or undefined for the hub's control messages and heartbeats. */
function parseMessage(message: string): TopicEvent | undefined {
  let name = "message";
  const data: string[] = [];
  for (const line of message.split(/\r\n|\n|\r/)) {
    if (line.startsWith(":")) continue; // a comment: the heartbeat
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0 || name.startsWith("hub.")) return undefined;
  try {
    return JSON.parse(data.join("\n")) as TopicEvent;
  } catch {
    return undefined;
  }
}
