import { z } from "zod";
import { JOB_STATUSES } from "../data/jobs";

/**
 * Who may publish an event type: `app` — the Worker's own code only (product writes, the
 * jobs consumer), so a subscriber or a handler can trust that it happened; `api` — also
 * callers of `POST /events/{topic}` with `events:publish`.
 */
export type Publisher = "app" | "api";

/** One entry of the catalogue: what an event of this type means and carries. */
export interface EventTypeDefinition<Data extends z.ZodType = z.ZodType> {
  /** What happened, for the docs (`/openapi.json`) and the code that subscribes. */
  description: string;
  /** Its `data`. Subscribers and handlers get the schema's output: undeclared fields are left out. */
  data: Data;
  publishedBy: Publisher;
  /** The topic the app publishes it on, when it does (a type is not bound to one topic). */
  topic?: string;
}

const define = <Data extends z.ZodType>(definition: EventTypeDefinition<Data>): EventTypeDefinition<Data> => definition;

/** A product as `product.created` and `product.updated` carry it (the API's product, without reviews). */
const ProductData = z.object({
  id: z.uuid(),
  name: z.string(),
  price_cents: z.number().int(),
  stock: z.number().int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

/** A job's status change, as every `job.*` event carries it. */
const JobStatusData = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  attempts: z.number().int().min(0),
  /** Why the attempt failed (`job.failed`, `job.dead`). */
  error: z.string().optional(),
});

/**
 * Every event type the app knows, in one place: what it means, the schema of its `data`, and
 * who may publish it. An event is checked against its entry whenever it is published: from
 * `POST /events/{topic}` a type that is not here, or data its schema refuses, is a 400; from
 * the app's own code it is a programming error (`InvalidEventError`, thrown at once, so a
 * test that takes the path fails). `/openapi.json` documents the catalogue, and Worker-side
 * handlers (`onEvent`, see handlers.ts) subscribe to its types.
 *
 * To add a type, add an entry: a name `<thing>.<what-happened>` (letters, digits, `.`, `_`,
 * `:`, `-`), a description, a zod schema for `data` (strict, for types the API may publish,
 * so a typo in a field is refused rather than dropped) and who publishes it. `note.posted`
 * below is such an example.
 */
export const EVENT_CATALOGUE = {
  "product.created": define({
    description: "A product was created (POST /products). Carries the product.",
    data: ProductData,
    publishedBy: "app",
    topic: "products",
  }),
  "product.updated": define({
    description: "A product was changed (PATCH /products/{id}). Carries the product as it is now.",
    data: ProductData,
    publishedBy: "app",
    topic: "products",
  }),
  "product.deleted": define({
    description: "A product was deleted (DELETE /products/{id}). Carries its id.",
    data: z.object({ id: z.uuid() }),
    publishedBy: "app",
    topic: "products",
  }),
  "job.queued": define({
    description: "A job was recorded and sent to the queue (enqueued, adopted from another producer, or replayed).",
    data: JobStatusData,
    publishedBy: "app",
    topic: "jobs",
  }),
  "job.succeeded": define({
    description: "A job's attempt succeeded.",
    data: JobStatusData,
    publishedBy: "app",
    topic: "jobs",
  }),
  "job.failed": define({
    description: "A job's attempt failed; it is retried with backoff unless it was its last (then `job.dead` follows).",
    data: JobStatusData,
    publishedBy: "app",
    topic: "jobs",
  }),
  "job.dead": define({
    description: "A job ran out of attempts, or failed for good, and was dead-lettered; POST /jobs/{id}/retry replays it.",
    data: JobStatusData,
    publishedBy: "app",
    topic: "jobs",
  }),
  // An example of an app's own type, published by clients: copy it to add yours.
  "note.posted": define({
    description: "A note someone posted to a topic (an example of an app's own event type, published through the API).",
    data: z.strictObject({
      text: z.string().trim().min(1).max(2_000),
      author: z.string().trim().min(1).max(100).optional(),
    }),
    publishedBy: "api",
  }),
};

type Catalogue = typeof EVENT_CATALOGUE;

/** The name of a catalogued event type. */
export type EventType = keyof Catalogue;

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

/** The types `POST /events/{topic}` accepts. */
export const API_EVENT_TYPES = EVENT_TYPES.filter((type) => EVENT_CATALOGUE[type].publishedBy === "api");

/** The data a publisher passes for a type (the schema's input: defaults may be left out). */
export type EventDataInput<T extends EventType> = z.input<Catalogue[T]["data"]>;

/** The data subscribers and handlers receive for a type. */
export type EventData<T extends EventType> = z.output<Catalogue[T]["data"]>;

/** What code publishes: a catalogued type and its data, checked by the compiler and again when published. */
export type Publication = { [T in EventType]: { type: T; data: EventDataInput<T> } }[EventType];

/** A publication that passed its schema: the data as subscribers will receive it. */
export type CheckedPublication<T extends EventType = EventType> = { [U in T]: { type: U; data: EventData<U> } }[T];

/** A numbered event of a catalogued type, as the hub delivers it and a handler receives it. */
export type CatalogueEvent<T extends EventType = EventType> = {
  [U in T]: {
    /** Monotonic per topic, from 1. */
    id: number;
    topic: string;
    type: U;
    /** ISO 8601, when the hub accepted it. */
    time: string;
    data: EventData<U>;
    /** Who published it: `api`, `products`, `jobs`… */
    source: string;
  };
}[T];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, type);
}

/** An event the catalogue refuses, published by the app's own code: a bug, never the caller's fault. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
  constructor(
    message: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(issues.length > 0 ? `${message} ${issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ")}` : message);
  }
}

/**
 * Checks a publication against its type's entry and returns the data subscribers will get;
 * throws InvalidEventError for a type the catalogue lacks or data its schema refuses.
 */
export function checkPublication(publication: { type: string; data?: unknown }): CheckedPublication {
  const { type } = publication;
  if (!isEventType(type)) throw new InvalidEventError(`"${type}" is not in the event catalogue.`);
  const parsed = EVENT_CATALOGUE[type].data.safeParse(publication.data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ field: ["data", ...issue.path.map(String)].join("."), message: issue.message }));
    throw new InvalidEventError(`The data of a "${type}" event does not fit the catalogue.`, issues);
  }
  // The schema chosen by `type` produced this data, so the pair is of one type.
  return { type, data: parsed.data } as CheckedPublication;
}

/** The schema of a numbered event of one type, as subscribers and handlers receive it. */
export function eventSchema<T extends EventType>(type: T) {
  return z.strictObject({
    id: z.number().int().min(1),
    topic: z.string(),
    type: z.literal(type),
    time: z.iso.datetime(),
    data: EVENT_CATALOGUE[type].data,
    source: z.string(),
  });
}

/** The schema of what a publisher sends for one type: `{ type, data }`. */
export function publicationSchema<T extends EventType>(type: T) {
  return z.strictObject({ type: z.literal(type), data: EVENT_CATALOGUE[type].data });
}
