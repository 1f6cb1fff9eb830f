import { env } from "cloudflare:workers";
import { publishBatch } from "../../src/events/publish";
import { api, sendJson } from "./helpers";
import { ADMIN } from "./jobs-helpers";

export interface Frame {
  id?: number;
  type?: string;
  data?: unknown;
  topic?: string;
  source?: string;
  control?: string;
  [key: string]: unknown;
}

/** A WebSocket subscriber that keeps every frame it gets, in order. */
export class Subscriber {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;

  /** `autoAck`: acknowledge every 10 events, as a well-behaved client does. */
  constructor(
    readonly socket: WebSocket,
    autoAck = true,
  ) {
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as Frame;
      this.frames.push(frame);
      if (autoAck && frame.id !== undefined && frame.id % 10 === 0) socket.send(JSON.stringify({ type: "ack", id: frame.id }));
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
    });
  }

  /** The events received (control frames left out). */
  get events(): Frame[] {
    return this.frames.filter((frame) => frame.control === undefined);
  }

  /** Waits until `predicate` holds for the frames so far. */
  async until(predicate: (frames: Frame[]) => boolean, timeoutMs = 5_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (Date.now() > deadline) throw new Error(`timed out; frames so far: ${JSON.stringify(this.frames)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.frames;
  }

  untilEvents(count: number, timeoutMs?: number): Promise<Frame[]> {
    return this.until(() => this.events.length >= count, timeoutMs).then(() => this.events);
  }

  close(): void {
    this.socket.close(1000, "done");
  }
}

/** Opens a WebSocket subscription and waits for the hub's `ready` frame. */
export async function subscribe(topic: string, query = "", options: { accept?: boolean; autoAck?: boolean } = {}): Promise<Subscriber> {
  const response = await api(`/events/${topic}${query ? `?${query}` : ""}`, { headers: { Upgrade: "websocket" } });
  const socket = response.webSocket;
  if (response.status !== 101 || !socket) throw new Error(`no upgrade: ${String(response.status)} ${await response.text()}`);
  if (options.accept === false) return new Subscriber(socket, options.autoAck);
  socket.accept();
  const subscriber = new Subscriber(socket, options.autoAck);
  await subscriber.until((frames) => frames.some((frame) => frame.control === "ready"));
  return subscriber;
}

/**
 * Publishes one event straight to the topic's hub (source `test`), of any type: for tests of
 * the hub itself (numbering, filters, replay, backpressure), where the catalogue is beside
 * the point. The API's path, checked by the catalogue, is `postNote`.
 */
export async function publishEvent(topic: string, type: string, data: unknown = {}): Promise<Frame> {
  const [event] = await publishBatch(env, topic, [{ type, data }], "test");
  if (!event) throw new Error("the hub numbered no event");
  return event as unknown as Frame;
}

/** Publishes a `note.posted` event through `POST /events/{topic}` (the catalogue's example type). */
export async function postNote(topic: string, text: string): Promise<Frame> {
  const response = await api(`/events/${topic}`, {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "note.posted", data: { text } }),
  });
  if (response.status !== 201) throw new Error(`publish failed: ${String(response.status)} ${await response.text()}`);
  return response.json();
}

export const uniqueTopic = (label = "topic") => `${label}-${crypto.randomUUID()}`;

/**
 * A new topic, made to exist the only way one can: by a first event (`topic.created`, id
 * 1), published straight to its hub (no publisher could: it is no type of the catalogue).
 * Until then a subscription to it is a 404.
 */
export async function createTopic(label = "topic"): Promise<string> {
  const topic = uniqueTopic(label);
  await publishBatch(env, topic, [{ type: "topic.created", data: null }], "test");
  return topic;
}

export { sendJson };
