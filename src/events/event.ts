import { z } from "zod";

/**
 * Topic names: lower-case letters, digits and `.`, `_`, `-`, 1–100 characters, starting with
 * a letter or digit (e.g. `products`, `job-<uuid>`). One Durable Object serves each topic.
 */
export const TopicSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a topic is 1–100 characters: a-z, 0-9, '.', '_' or '-', starting with a letter or digit");

/**
 * Event types: letters, digits and `.`, `_`, `:`, `-`, 1–100 characters (e.g.
 * `product.created`). No spaces or line breaks: a type is written into an SSE `event:`
 * line, where a line break would let a publisher forge frames for every subscriber.
 */
export const EventTypeSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, "an event type is 1–100 characters: letters, digits, '.', '_', ':' or '-'");

/**
 * An event as the hub stores and sends it, whatever its type. Every type the app publishes
 * is in the catalogue (catalogue.ts), which types `data` per type (`CatalogueEvent`).
 */
export interface HubEvent {
  /** Monotonic per topic, from 1: `?since=` and `Last-Event-ID` resume after one. */
  id: number;
  topic: string;
  type: string;
  /** ISO 8601, set by the hub when it accepted the event. */
  time: string;
  data: unknown;
  /** Who published it: `api` (POST /events/{topic}), `jobs`, `products`… */
  source: string;
}

/** Largest event the hub accepts, as JSON (history and every subscriber hold it). */
export const MAX_EVENT_BYTES = 64 * 1024;
