import type { HubEvent } from "./event";

/** One condition on a field of the event, by dotted path (e.g. `data.status`). */
export interface FieldCondition {
  path: string[];
  op: "=" | "!=";
  value: string;
}

/** What a subscriber wants: some event types only, and conditions that must all hold. */
export interface SubscriptionFilter {
  types: string[];
  where: FieldCondition[];
}

export class FilterSyntaxError extends Error {
  override readonly name = "FilterSyntaxError";
}

const MAX_CONDITIONS = 10;

/**
 * Reads `?types=a,b` and any number of `?where=path=value` / `?where=path!=value` from a
 * subscribe URL. A value is compared with the field's JSON text for non-strings, so
 * `where=data.stock=0` and `where=data.active=true` work too.
 *
 * @example
 * parseFilter(new URLSearchParams("types=job.succeeded,job.dead&where=data.name=import-products"))
 */
export function parseFilter(params: URLSearchParams): SubscriptionFilter {
  const types = (params.get("types") ?? "")
    .split(",")
    .map((type) => type.trim())
    .filter((type) => type !== "");
  const conditions = params.getAll("where");
  if (conditions.length > MAX_CONDITIONS) throw new FilterSyntaxError(`at most ${String(MAX_CONDITIONS)} where conditions`);
  const where = conditions.map((text) => {
    const match = /^([A-Za-z_][\w]*(?:\.[\w]+)*)(!=|=)(.*)$/.exec(text);
    if (!match) throw new FilterSyntaxError(`"${text}" is not path=value or path!=value (e.g. data.status=dead)`);
    const [, path = "", op, value = ""] = match;
    return { path: path.split("."), op: op === "!=" ? "!=" : "=", value } satisfies FieldCondition;
  });
  return { types, where };
}

/** True when `event` passes `filter`. */
export function matches(event: HubEvent, filter: SubscriptionFilter): boolean {
  if (filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  return filter.where.every((condition) => {
    const equal = textOf(fieldAt(event, condition.path)) === condition.value;
    return condition.op === "=" ? equal : !equal;
  });
}

function fieldAt(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function textOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}
