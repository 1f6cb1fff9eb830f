import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { MAX_EVENT_BYTES, TopicSchema } from "../../events/event";
import { checkPublication } from "../../events/catalogue";
import { publishChecked } from "../../events/publish";
import { isDeclaredTopic, isPublicTopic } from "../../events/topics";
import { FilterSyntaxError, parseFilter } from "../../events/subscription-filter";
import { Problem, problems } from "../../errors/problem";
import { requireScope } from "../../middleware/authorize";
import { HUB_DECLARED_HEADER } from "../../objects/event-hub-object";
import { jsonBytes } from "../../util/json-bytes";
import { raceAbort } from "../../resilience";
import type { publishEvent, topicStats } from "./events.routes";

const hub = (c: Context<AppEnv>, topic: string) => c.env.EVENT_HUB.get(c.env.EVENT_HUB.idFromName(topic));
const noSuchTopic = (topic: string) => problems.notFound(`No topic "${topic}": nothing has been published to it.`);

/** Topics are private unless declared public (EVENT_PUBLIC_TOPICS). */
async function requireTopicAccess(c: Context<AppEnv>, topic: string): Promise<void> {
  if (!isPublicTopic(c.env, topic)) await requireScope(c, "events:subscribe");
}

/**
 * Hands a subscriber to the topic's hub: the WebSocket upgrade or the SSE stream is the
 * hub's own response. Topic, access and filter are checked here, so a bad request never
 * wakes a hub; a hub for a topic nobody published to answers 404 and writes nothing.
 */
export const subscribe = async (c: Context<AppEnv>): Promise<Response> => {
  const topic = TopicSchema.safeParse(c.req.param("topic"));
  if (!topic.success) throw problems.validation([{ in: "path", field: "topic", message: topic.error.issues[0]?.message ?? "invalid topic" }]);
  await requireTopicAccess(c, topic.data);
  const url = new URL(c.req.url);
  try {
    parseFilter(url.searchParams);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw problems.validation([{ in: "query", field: "where", message: error.message }]);
    throw error;
  }
  const since = url.searchParams.get("since") ?? c.req.header("Last-Event-ID");
  if (since !== undefined && !/^\d{1,15}$/.test(since)) {
    throw problems.validation([{ in: "query", field: "since", message: "an event id: a whole number ≥ 0" }]);
  }
  const websocket = c.req.header("Upgrade")?.toLowerCase() === "websocket";
  if (!websocket && !(c.req.header("Accept") ?? "").includes("text/event-stream")) {
    throw new Problem(
      { title: "Upgrade Required", status: 426, detail: "Open a WebSocket (Upgrade: websocket) or ask for SSE (Accept: text/event-stream)." },
      { headers: { Upgrade: "websocket" } },
    );
  }
  const forwarded = new Request(url, c.req.raw);
  // Only the Worker says whether a topic is declared; a client's header is dropped.
  forwarded.headers.delete(HUB_DECLARED_HEADER);
  if (isDeclaredTopic(c.env, topic.data)) forwarded.headers.set(HUB_DECLARED_HEADER, "true");
  // The subscription outlives the request's budget: the hub's response is the connection itself.
  const response = await hub(c, topic.data).fetch(forwarded);
  if (response.status === 404) throw noSuchTopic(topic.data);
  return response;
};

export const publishToTopic: RouteHandler<typeof publishEvent, AppEnv> = async (c) => {
  const { topic } = c.req.valid("param");
  const event = c.req.valid("json");
  const size = jsonBytes(event);
  if (size > MAX_EVENT_BYTES) {
    throw new Problem({ title: "Content Too Large", status: 413, detail: `An event is at most ${String(MAX_EVENT_BYTES)} bytes of JSON; this one is ${String(size)}.` });
  }
  // The route's schema is the catalogue's (the types the API publishes), so this check passes.
  const [published] = await publishChecked(c.env, topic, [checkPublication(event)], "api", c.get("signal"));
  if (!published) throw new Error("The hub numbered no event");
  return c.json(published, 201);
};

export const stats: RouteHandler<typeof topicStats, AppEnv> = async (c) => {
  const { topic } = c.req.valid("param");
  await requireTopicAccess(c, topic);
  const { exists, ...counters } = await raceAbort(hub(c, topic).stats(), c.get("signal"));
  if (!exists && !isDeclaredTopic(c.env, topic)) throw noSuchTopic(topic);
  return c.json({ ...counters, topic }, 200);
};
