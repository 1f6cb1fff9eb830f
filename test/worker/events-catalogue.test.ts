import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
// The Worker first: its routes extend zod for the docs before any schema they describe exists.
import { api, createProduct, expectProblem, sendJson } from "./helpers";
import { createTopic, subscribe, uniqueTopic } from "./events-helpers";
import { API_EVENT_TYPES, EVENT_CATALOGUE, EVENT_TYPES, InvalidEventError } from "../../src/events/catalogue";
import { EventTypeSchema } from "../../src/events/event";
import { publish, publishSoon } from "../../src/events/publish";

const post = (topic: string, body: unknown) => sendJson("POST", `/events/${topic}`, body);
const fields = (problem: { errors?: { field: string }[] }) => problem.errors?.map((error) => error.field);

/** A scope whose background work is kept, to show that nothing was handed to it. */
function recordingScope() {
  const background: Promise<unknown>[] = [];
  return { scope: { env, waitUntil: (promise: Promise<unknown>) => background.push(promise) }, background };
}

describe("the event catalogue", () => {
  it("names every type as an SSE event line allows, and says who publishes it", () => {
    expect(EVENT_TYPES).toEqual(
      expect.arrayContaining(["product.created", "product.updated", "product.deleted", "job.queued", "job.succeeded", "job.failed", "job.dead", "note.posted"]),
    );
    for (const type of EVENT_TYPES) {
      expect(EventTypeSchema.safeParse(type).success, type).toBe(true);
      expect(EVENT_CATALOGUE[type].description.length, type).toBeGreaterThan(10);
    }
    expect(API_EVENT_TYPES).toEqual(["note.posted"]);
  });

  it("publishes a valid event from the API, its data as the schema gives it", async () => {
    const topic = uniqueTopic();
    const response = await post(topic, { type: "note.posted", data: { text: "  Shipped at noon  ", author: "ops" } });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ id: 1, topic, type: "note.posted", source: "api", data: { text: "Shipped at noon", author: "ops" } });
  });

  it("refuses data its type's schema refuses: 400 naming each field, and publishes nothing", async () => {
    const topic = uniqueTopic();
    expect(fields(await expectProblem(await post(topic, { type: "note.posted", data: {} }), 400))).toEqual(["data.text"]);
    expect(fields(await expectProblem(await post(topic, { type: "note.posted", data: { text: "x".repeat(2_001) } }), 400))).toEqual(["data.text"]);
    expect(fields(await expectProblem(await post(topic, { type: "note.posted", data: { text: "hi", colour: "red" } }), 400))).toEqual(["data.colour"]);
    expect(fields(await expectProblem(await post(topic, { type: "note.posted" }), 400))).toEqual(["data"]);
    await expectProblem(await api(`/events/${topic}/stats`), 404);
  });

  it("refuses a type the catalogue lacks, naming the types it takes", async () => {
    const problem = await expectProblem(await post(uniqueTopic(), { type: "tick", data: {} }), 400);
    expect(fields(problem)).toEqual(["type"]);
    expect(problem.errors?.[0]?.message).toContain("note.posted");
  });

  it("refuses the app's own types from the API, so subscribers and handlers can trust them", async () => {
    const product = await createProduct();
    for (const [type, data] of [
      ["product.created", product],
      ["product.deleted", { id: product.id }],
      ["job.dead", { id: crypto.randomUUID(), name: "notify-webhook", status: "dead", attempts: 8 }],
    ] as const) {
      const problem = await expectProblem(await post("products", { type, data }), 400);
      expect(fields(problem), type).toEqual(["type"]);
      expect(problem.errors?.[0]?.message).toContain("published by the app itself");
    }
  });

  it("makes an invalid event from the app's own code a programming error, thrown where it is published", async () => {
    const { scope, background } = recordingScope();
    expect(() => publishSoon(scope, "products", { type: "product.deleted", data: { id: "not-a-uuid" } }, "test")).toThrow(InvalidEventError);
    // @ts-expect-error: the compiler refuses data of another type's shape.
    expect(() => publishSoon(scope, "products", { type: "product.deleted", data: { name: "x" } }, "test")).toThrow(/data\.id/);
    // @ts-expect-error: and a type that is not in the catalogue.
    expect(() => publishSoon(scope, "products", { type: "product.sold", data: {} }, "test")).toThrow(/not in the event catalogue/);
    expect(background).toEqual([]);

    const topic = uniqueTopic();
    // @ts-expect-error: as above.
    await expect(publish(env, topic, { type: "note.posted", data: { text: 42 } }, "test")).rejects.toThrow(InvalidEventError);
    await expectProblem(await api(`/events/${topic}/stats`), 404);
  });

  it("publishes exactly the catalogue's data: fields a type does not declare are left out", async () => {
    const topic = await createTopic();
    const subscriber = await subscribe(topic);
    const data = { id: crypto.randomUUID(), internalNote: "never published" };
    const event = await publish(env, topic, { type: "product.deleted", data }, "test");
    expect(event.data).toEqual({ id: data.id });
    const [received] = await subscriber.untilEvents(1);
    expect(received?.data).toEqual({ id: data.id });
    subscriber.close();
  });

  it("carries the product itself in the product events, as the API shows it", async () => {
    const subscriber = await subscribe("products", "types=product.created");
    const product = await createProduct();
    await subscriber.until(() => subscriber.events.some((e) => (e.data as { id?: string }).id === product.id));
    expect(subscriber.events.find((e) => (e.data as { id?: string }).id === product.id)?.data).toEqual(product);
    subscriber.close();
  });
});

interface SchemaObject {
  oneOf?: SchemaObject[];
  $ref?: string;
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
  properties?: Record<string, SchemaObject>;
  const?: unknown;
  enum?: unknown[];
  description?: string;
  required?: string[];
}

describe("the catalogue in /openapi.json", () => {
  it("documents every type: an Event per type, told apart by `type`, and what the API may publish", async () => {
    const document = await (await api("/openapi.json")).json<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: SchemaObject }> }; responses: Record<string, { content?: Record<string, { schema: SchemaObject }> }> }>>;
      components: { schemas: Record<string, SchemaObject> };
    }>();
    const schemas = document.components.schemas;
    const resolve = (schema: SchemaObject | undefined): SchemaObject | undefined => (schema?.$ref ? schemas[schema.$ref.replace("#/components/schemas/", "")] : schema);
    const typeOf = (schema: SchemaObject | undefined) => {
      const type = resolve(schema)?.properties?.type;
      return type?.const ?? type?.enum?.[0];
    };

    const event = schemas.Event;
    expect(event?.discriminator?.propertyName).toBe("type");
    expect(event?.oneOf?.map(typeOf).sort()).toEqual([...EVENT_TYPES].sort());
    const created = resolve(event?.oneOf?.find((option) => typeOf(option) === "product.created"));
    expect(created?.description).toBe(EVENT_CATALOGUE["product.created"].description);
    expect(Object.keys(resolve(created?.properties?.data)?.properties ?? {}).sort()).toEqual(["created_at", "id", "name", "price_cents", "stock", "updated_at"]);

    const newEvent = schemas.NewEvent;
    expect(newEvent?.oneOf?.map(typeOf)).toEqual(API_EVENT_TYPES);
    const publishRoute = document.paths["/events/{topic}"]?.post;
    expect(publishRoute?.requestBody?.content["application/json"]?.schema.$ref).toBe("#/components/schemas/NewEvent");
    expect(publishRoute?.responses["201"]?.content?.["application/json"]?.schema.$ref).toBe("#/components/schemas/Event");
  });
});
