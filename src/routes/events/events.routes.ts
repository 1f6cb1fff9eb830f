import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { PublishSchema, TopicSchema } from "../../events/event";
import { authErrors, json, jsonBody, problem } from "../schemas";

const TopicParams = z.object({
  topic: TopicSchema.openapi({ param: { name: "topic", in: "path" }, example: "products" }),
});

const EventSchema = z
  .object({
    id: z.number().int().openapi({ description: "Monotonic per topic" }),
    topic: z.string(),
    type: z.string().openapi({ example: "product.created" }),
    time: z.iso.datetime(),
    data: z.unknown(),
    source: z.string().openapi({ example: "api" }),
  })
  .openapi("Event");

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
  request: { params: TopicParams, body: jsonBody(PublishSchema.openapi("NewEvent")) },
  responses: {
    201: json(EventSchema, "The event, numbered and delivered to the topic's subscribers"),
    400: problem("Invalid topic or event"),
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
