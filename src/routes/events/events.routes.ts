import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { API_EVENT_TYPES, EVENT_CATALOGUE, EVENT_TYPES, eventSchema, isEventType, publicationSchema, type EventType } from "../../events/catalogue";
import { TopicSchema } from "../../events/event";
import { authErrors, json, jsonBody, problem } from "../schemas";

const TopicParams = z.object({
  topic: TopicSchema.openapi({ param: { name: "topic", in: "path" }, example: "products" }),
});

/** `product.created` → `ProductCreated`: the names of the catalogue's types in /openapi.json. */
const schemaName = (type: EventType) =>
  type
    .split(/[._:-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

function nonEmpty<T>(items: T[]): [T, ...T[]] {
  const [first, ...rest] = items;
  if (first === undefined) throw new Error("The event catalogue is empty");
  return [first, ...rest];
}

/** Every catalogued event as subscribers receive it: one schema per type, told apart by `type`. */
const EventSchema = z
  .discriminatedUnion(
    "type",
    nonEmpty(EVENT_TYPES.map((type) => eventSchema(type).openapi(`${schemaName(type)}Event`, { description: EVENT_CATALOGUE[type].description }))),
  )
  .openapi("Event", {
    description: "An event as subscribers receive it (WebSocket frames, SSE `data:`) and handlers get it: `id` is monotonic per topic, `data` is typed by `type` (the event catalogue).",
  });

/**
 * What `POST /events/{topic}` takes: a type the API may publish, and its data. The types
 * only the app publishes (products, jobs) are refused, so subscribers and handlers can trust
 * that those happened.
 */
export const NewEventSchema = z
  .discriminatedUnion(
    "type",
    nonEmpty(API_EVENT_TYPES.map((type) => publicationSchema(type).openapi(`New${schemaName(type)}Event`, { description: EVENT_CATALOGUE[type].description }))),
    {
      error: (issue) => {
        // Typed as the union's own failure, but a body that is no object fails here too.
        const code: string = issue.code;
        if (code !== "invalid_union") return undefined;
        const type = typeof issue.input === "object" && issue.input !== null ? (issue.input as { type?: unknown }).type : undefined;
        if (typeof type === "string" && isEventType(type)) return `"${type}" is published by the app itself, never through the API`;
        return `not an event type the API publishes: one of ${API_EVENT_TYPES.join(", ")}`;
      },
    },
  )
  .openapi("NewEvent", { description: "An event to publish: `type` names an entry of the event catalogue that the API may publish, `data` fits its schema." });

const tags = ["events"];

export const subscribe = createRoute({
  method: "get",
  path: "/events/{topic}",
  tags,
  // Public topics (EVENT_PUBLIC_TOPICS) are open to anyone; every other topic needs the scope.
  security: security.optional("events:subscribe"),
  summary: "Subscribe to a topic: a WebSocket (Upgrade: websocket) or SSE (Accept: text/event-stream)",
  description:
    "Replays the events after `since` (or `Last-Event-ID`) from the topic's history, then sends new ones live, " +
    "without gaps or duplicates. Filters apply in the hub: `types=a,b` and `where=path=value` / `where=path!=value` " +
    "(repeatable, all must hold; e.g. `where=data.status=dead`). WebSocket frames are JSON: events have an `id`; " +
    '`{"control":"ready"}` follows the replay, `{"control":"gap"}` says the history no longer reaches `since`. ' +
    "Each event is an `Event`: its `data` is typed by its `type`, one schema per entry of the event catalogue. " +
    "A subscriber that falls too far behind is closed with code 4008. Topics listed in EVENT_PUBLIC_TOPICS are " +
    "open to anyone; every other topic needs a key with `events:subscribe`. A topic nobody has published to is a 404.",
  request: {
    params: TopicParams,
    query: z.object({
      since: z.coerce.number().int().min(0).optional().openapi({ param: { name: "since", in: "query" } }),
      types: z.string().max(1000).optional().openapi({ param: { name: "types", in: "query" }, example: "product.created,product.deleted" }),
      where: z.string().max(500).optional().openapi({ param: { name: "where", in: "query" }, example: "data.status=dead" }),
    }),
  },
  responses: {
    101: { description: "Switching to the WebSocket protocol" },
    200: { description: "An SSE stream", content: { "text/event-stream": { schema: z.string() } } },
    400: problem("Invalid topic, since or filter"),
    ...authErrors,
    404: problem("No such topic: nothing was ever published to it"),
    426: problem("Neither a WebSocket upgrade nor Accept: text/event-stream"),
  },
});

export const publishEvent = createRoute({
  method: "post",
  path: "/events/{topic}",
  tags,
  summary: "Publish an event to a topic (the first event creates the topic)",
  security: security.requires("events:publish"),
  request: { params: TopicParams, body: jsonBody(NewEventSchema) },
  responses: {
    201: json(EventSchema, "The event, numbered and delivered to the topic's subscribers (and to the Worker's handlers of its type)"),
    400: problem("Invalid topic, a type the API does not publish, or data its schema refuses"),
    ...authErrors,
    413: problem("Event too large"),
    503: problem("The topic's hub is unavailable"),
  },
});

export const topicStats = createRoute({
  method: "get",
  path: "/events/{topic}/stats",
  tags,
  summary: "Subscribers, events published and history size of a topic",
  security: security.optional("events:subscribe"),
  request: { params: TopicParams },
  responses: {
    200: json(
      z
        .object({
          topic: z.string(),
          subscribers: z.object({ websocket: z.number().int(), sse: z.number().int() }),
          published: z.number().int(),
          historySize: z.number().int(),
          lastEventId: z.number().int(),
        })
        .openapi("TopicStats"),
      "The topic's counters",
    ),
    400: problem("Invalid topic"),
    ...authErrors,
    404: problem("No such topic"),
  },
});
