import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { readConfig } from "../config/config";
import type { HubEvent } from "../events/event";
import { matches, parseFilter, type SubscriptionFilter } from "../events/subscription-filter";

/**
 * A WebSocket subscriber whose unsent bytes pass this is closed (code 4008), not waited for,
 * where the runtime reports `bufferedAmount` (workerd does not yet: cloudflare/workerd#988;
 * until then the acknowledgement window below does the job).
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** An SSE subscriber with this many events not yet taken is closed the same way. */
export const MAX_QUEUED_SSE_EVENTS = 256;
/** Set by the Worker (never by a client) on a subscription to a topic the app declares. */
export const HUB_DECLARED_HEADER = "X-Edgekit-Topic-Declared";
/** Close code for a subscriber that cannot keep up (4000–4999: for applications). */
export const SLOW_SUBSCRIBER_CLOSE_CODE = 4008;
/** Largest frame a client may send (they only send pings). */
const MAX_CLIENT_FRAME_BYTES = 4096;
/** An SSE comment this often keeps proxies from closing an idle stream. */
const SSE_HEARTBEAT_MS = 25_000;

/** What each WebSocket carries through hibernation (`serializeAttachment`). */
interface Attachment {
  filter: SubscriptionFilter;
}

interface SseSubscriber {
  controller: ReadableStreamDefaultController<Uint8Array>;
  filter: SubscriptionFilter;
}

export interface PublishInput {
  topic: string;
  type: string;
  data: unknown;
  source: string;
}

export interface HubStats {
  /** False until the first event: such a hub holds nothing, and is not a topic yet. */
  exists: boolean;
  topic: string | null;
  subscribers: { websocket: number; sse: number };
  published: number;
  historySize: number;
  lastEventId: number;
}

/** Frames that are not events carry `control` instead of an `id`. */
type ControlFrame =
  | { control: "ready"; lastEventId: number }
  | { control: "gap"; oldestAvailableId: number; requestedSince: number }
  | { control: "pong" }
  | { control: "error"; error: string };

const encoder = new TextEncoder();

/**
 * One topic's event hub: it numbers events, keeps the last `EVENT_HISTORY_SIZE` in its
 * SQLite storage, and fans them out to WebSocket and SSE subscribers, filtered here, before
 * sending. WebSockets use the hibernation API: an idle topic is evicted from memory and
 * costs nothing, and each socket's filter lives in its attachment, so subscriptions survive
 * hibernation and eviction. A subscriber that cannot keep up is closed with a clear code
 * instead of slowing the topic: publishing never waits on a subscriber. WebSocket clients
 * acknowledge what they have processed (`{"type":"ack","id":N}`, e.g. every 100 events);
 * one with `EVENT_MAX_UNACKED` events unacknowledged is closed with code 4008.
 *
 * Replays are gap-free and duplicate-free because they happen in the same synchronous turn
 * as registering the subscriber: no publish can run in between (storage is synchronous
 * SQLite, and the object is single-threaded).
 *
 * A topic exists from its first published event: only then does the hub write storage. A
 * hub woken by a subscriber or a stats call for a topic nobody published to writes nothing
 * and says so, so guessing topic names creates no objects with storage.
 */
export class EventHubObject extends DurableObject<Bindings> {
  readonly #sse = new Set<SseSubscriber>();
  /**
   * Per WebSocket, the ids sent and not yet acknowledged (`{"type":"ack","id":N}`). After
   * hibernation it starts empty: the topic was idle, so nothing was in flight.
   */
  readonly #unacked = new Map<WebSocket, number[]>();
  /** Each socket's filter, read from its attachment once per wake-up rather than per event. */
  readonly #filters = new Map<WebSocket, SubscriptionFilter | null>();
  /** The topic's counters, read from storage once per wake-up; storage is written with each event. */
  #lastId: number;
  #published: number;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Whether the topic's tables exist (written by its first publish). */
  #exists: boolean;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.#exists = ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length > 0;
    this.#lastId = this.#exists ? this.#counter("last_id") : 0;
    this.#published = this.#exists ? this.#counter("published") : 0;
  }

  #create(): void {
    if (this.#exists) return;
    this.ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS events (
      id INTEGER PRIMARY KEY, type TEXT NOT NULL, time TEXT NOT NULL, data TEXT NOT NULL, source TEXT NOT NULL)`);
    this.ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.#exists = true;
  }

  /**
   * Numbers, stores and sends events, in order (one, or a job consumer's batch): one round
   * trip and one storage commit for all. Returns them as subscribers see them.
   */
  publishMany(inputs: PublishInput[]): HubEvent[] {
    if (inputs.length === 0) return [];
    this.#create();
    const sql = this.ctx.storage.sql;
    const time = new Date().toISOString();
    const first = this.#lastId + 1;
    const events = inputs.map((input, i): HubEvent => ({ id: first + i, topic: input.topic, type: input.type, time, data: input.data, source: input.source }));
    const last = events.at(-1);
    if (!last) return [];
    // One statement for the whole batch, a row per element of one JSON parameter (a job
    // consumer's batch is 100 events). No await between these writes: they commit together.
    sql.exec(
      `INSERT INTO events (id, type, time, data, source)
       SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?)`,
      JSON.stringify(events.map((event) => [event.id, event.type, event.time, JSON.stringify(event.data), event.source])),
    );
    // Trimmed each time the numbering passes a multiple of 64 (replays never read past the
    // bound, so it is exact for readers).
    const trimAt = last.id - (last.id % 64);
    if (trimAt >= first) sql.exec("DELETE FROM events WHERE id <= ?", trimAt - this.#historySize());
    this.#lastId = last.id;
    this.#published += events.length;
    sql.exec(
      `INSERT INTO meta (key, value) VALUES ('last_id', ?), ('published', ?), ('topic', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      String(last.id),
      String(this.#published),
      last.topic,
    );
    // The sockets once per batch, not once per event; one closed as too slow leaves the list.
    const sockets = this.ctx.getWebSockets();
    for (const event of events) this.#broadcast(event, sockets);
    return events;
  }

  stats(): HubStats {
    const subscribers = { websocket: this.ctx.getWebSockets().length, sse: this.#sse.size };
    if (!this.#exists) return { exists: false, topic: null, subscribers, published: 0, historySize: 0, lastEventId: 0 };
    const [row] = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM events WHERE id > ?", this.#lastId - this.#historySize())
      .toArray();
    return {
      exists: true,
      topic: this.#meta("topic"),
      subscribers,
      published: this.#published,
      historySize: row?.n ?? 0,
      lastEventId: this.#lastId,
    };
  }

  /**
   * A new subscriber (the Worker has validated the topic and filter, and checked access): a
   * WebSocket when the request asks for an upgrade, otherwise an SSE stream. `since` (or
   * `Last-Event-ID`) replays what came after that id first. A topic nobody published to is
   * a 404, unless the Worker says it is declared (`HUB_DECLARED_HEADER`): the app's own
   * topics may be followed before their first event.
   */
  override fetch(request: Request): Response {
    if (!this.#exists && request.headers.get(HUB_DECLARED_HEADER) !== "true") return new Response(null, { status: 404 });
    const url = new URL(request.url);
    const filter = parseFilter(url.searchParams);
    const since = Number(url.searchParams.get("since") ?? request.headers.get("Last-Event-ID") ?? Number.NaN);
    return request.headers.get("Upgrade")?.toLowerCase() === "websocket"
      ? this.#acceptWebSocket(filter, since)
      : this.#openEventStream(filter, since);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const size = typeof message === "string" ? encoder.encode(message).byteLength : message.byteLength;
    if (size > MAX_CLIENT_FRAME_BYTES) return sendControl(ws, { control: "error", error: `frames are at most ${String(MAX_CLIENT_FRAME_BYTES)} bytes` });
    if (typeof message !== "string") return sendControl(ws, { control: "error", error: "send text frames (JSON)" });
    let frame: unknown;
    try {
      frame = JSON.parse(message);
    } catch {
      return sendControl(ws, { control: "error", error: "not JSON" });
    }
    const { type, id } = (typeof frame === "object" && frame !== null ? frame : {}) as { type?: unknown; id?: unknown };
    if (type === "ping") return sendControl(ws, { control: "pong" });
    if (type === "ack" && typeof id === "number") {
      const unacked = this.#unacked.get(ws);
      while (unacked?.length && (unacked[0] ?? Infinity) <= id) unacked.shift();
      return;
    }
    sendControl(ws, { control: "error", error: 'unknown frame: send {"type":"ack","id":<last event id>} or {"type":"ping"}' });
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.#unacked.delete(ws);
    this.#filters.delete(ws);
    // Complete the closing handshake (the client started it).
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  #acceptWebSocket(filter: SubscriptionFilter, since: number): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ filter } satisfies Attachment);
    for (const frame of this.#replay(filter, since)) server.send(frame.json);
    return new Response(null, { status: 101, webSocket: client });
  }

  #openEventStream(filter: SubscriptionFilter, since: number): Response {
    let subscriber: SseSubscriber | undefined;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          subscriber = { controller, filter };
          controller.enqueue(encoder.encode(": subscribed\n\n"));
          for (const frame of this.#replay(filter, since)) controller.enqueue(sseBytes(frame));
          this.#sse.add(subscriber);
          this.#keepSseAlive();
        },
        cancel: () => {
          if (subscriber) this.#sse.delete(subscriber);
          this.#keepSseAlive();
        },
      },
      // Counted in events: desiredSize says how far behind the client is.
      new CountQueuingStrategy({ highWaterMark: 0 }),
    );
    return new Response(stream, {
      headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
    });
  }

  /** The frames that bring a new subscriber up to date, then `ready`. */
  #replay(filter: SubscriptionFilter, since: number): Frame[] {
    const frames: Frame[] = [];
    if (this.#exists && Number.isInteger(since) && since >= 0) {
      const rows = this.ctx.storage.sql
        .exec<{ id: number; type: string; time: string; data: string; source: string }>(
          "SELECT id, type, time, data, source FROM events WHERE id > ? ORDER BY id",
          Math.max(since, this.#lastId - this.#historySize()),
        )
        .toArray();
      const oldest = rows[0]?.id;
      // Events after `since` were dropped from the bounded history: say so, then send the rest.
      if (oldest !== undefined && oldest > since + 1) {
        frames.push(controlFrame({ control: "gap", oldestAvailableId: oldest, requestedSince: since }));
      }
      const topic = this.#meta("topic") ?? "";
      for (const row of rows) {
        const event: HubEvent = { id: row.id, topic, type: row.type, time: row.time, data: JSON.parse(row.data) as unknown, source: row.source };
        if (matches(event, filter)) frames.push(eventFrame(event));
      }
    }
    frames.push(controlFrame({ control: "ready", lastEventId: this.#lastId }));
    return frames;
  }

  #broadcast(event: HubEvent, sockets: WebSocket[]): void {
    const frame = eventFrame(event);
    let sse: Uint8Array | undefined; // encoded once, for the first SSE subscriber that wants it
    const window = this.#maxUnacked();
    for (let i = 0; i < sockets.length; i++) {
      const ws = sockets[i] as WebSocket;
      let filter = this.#filters.get(ws);
      if (filter === undefined) {
        filter = (ws.deserializeAttachment() as Attachment | null)?.filter ?? null;
        this.#filters.set(ws, filter);
      }
      if (!filter || !matches(event, filter)) continue;
      let unacked = this.#unacked.get(ws);
      if (!unacked) this.#unacked.set(ws, (unacked = []));
      // `bufferedAmount` is undefined where the runtime does not track it.
      const buffered = (ws as { bufferedAmount?: number }).bufferedAmount ?? 0;
      if (unacked.length >= window || buffered > MAX_BUFFERED_BYTES) {
        this.#unacked.delete(ws);
        this.#filters.delete(ws);
        sockets.splice(i--, 1);
        ws.close(SLOW_SUBSCRIBER_CLOSE_CODE, `subscriber too slow: ${String(unacked.length)} events unacknowledged`);
        continue;
      }
      try {
        ws.send(frame.json);
        unacked.push(event.id);
      } catch {
        // Closing or closed: the hibernation API drops it from getWebSockets().
      }
    }
    for (const subscriber of this.#sse) {
      if (!matches(event, subscriber.filter)) continue;
      const { controller } = subscriber;
      if ((controller.desiredSize ?? 0) < -MAX_QUEUED_SSE_EVENTS) {
        this.#sse.delete(subscriber);
        controller.enqueue(encoder.encode(`event: hub.closed\ndata: ${JSON.stringify({ code: SLOW_SUBSCRIBER_CLOSE_CODE, reason: "subscriber too slow" })}\n\n`));
        controller.close();
        continue;
      }
      sse ??= sseBytes(frame);
      controller.enqueue(sse);
    }
    this.#keepSseAlive();
  }

  /** A heartbeat only while SSE subscribers exist: a timer keeps the object from hibernating. */
  #keepSseAlive(): void {
    if (this.#sse.size > 0 && this.#heartbeat === undefined) {
      this.#heartbeat = setInterval(() => {
        for (const subscriber of this.#sse) subscriber.controller.enqueue(encoder.encode(": heartbeat\n\n"));
      }, SSE_HEARTBEAT_MS);
    } else if (this.#sse.size === 0 && this.#heartbeat !== undefined) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }

  /** Events a WebSocket subscriber may have unacknowledged before it is closed as too slow. */
  #maxUnacked(): number {
    return readConfig(this.env).EVENT_MAX_UNACKED;
  }

  #historySize(): number {
    return readConfig(this.env).EVENT_HISTORY_SIZE;
  }

  #meta(key: string): string | null {
    const [row] = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray();
    return row?.value ?? null;
  }

  #counter(key: string): number {
    return Number(this.#meta(key) ?? 0);
  }
}

/** One message to a subscriber: its JSON (a WebSocket frame), and its SSE id and event name. */
interface Frame {
  json: string;
  id?: number;
  name: string;
}

const eventFrame = (event: HubEvent): Frame => ({ json: JSON.stringify(event), id: event.id, name: event.type });
const controlFrame = (frame: ControlFrame): Frame => ({ json: JSON.stringify(frame), name: `hub.${frame.control}` });

function sendControl(ws: WebSocket, frame: ControlFrame): void {
  ws.send(JSON.stringify(frame));
}

/**
 * A frame as an SSE message: `id` (events only, so Last-Event-ID resumes), `event`, `data`.
 * Every field is made a single line first: types are validated on the way in, and JSON
 * escapes line breaks, but a frame must be unforgeable whatever reached the hub (SSE ends a
 * field at CR, LF or CRLF).
 */
function sseBytes(frame: Frame): Uint8Array {
  const id = frame.id === undefined ? "" : `id: ${String(frame.id)}\n`;
  return encoder.encode(`${id}event: ${sseField(frame.name)}\ndata: ${sseField(frame.json)}\n\n`);
}

const sseField = (value: string) => value.replace(/[\r\n]/g, " ");
