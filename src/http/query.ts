/** One query value: sent as its string form (`true`, `42`, `9007199254740993`). */
export type QueryScalar = string | number | boolean | bigint;
/** A value, a list (the name repeated, in order), or `undefined` (left out). */
export type QueryValue = QueryScalar | undefined | readonly (QueryScalar | undefined)[];
export type QueryParams = Readonly<Record<string, QueryValue>>;

/**
 * A typed record as URLSearchParams: arrays repeat the name (`?tag=a&tag=b`), `undefined`
 * leaves a name (or a list item) out, names keep the record's order. Serialised, every
 * character outside the unreserved set is percent-encoded (the WHATWG
 * application/x-www-form-urlencoded rules that URLSearchParams and HTML forms follow: a
 * space is `+`, a `+` is `%2B`, `&` and `=` in values are escaped), so a value can never
 * add a parameter of its own.
 *
 * Anything else throws a TypeError: `null` (say `undefined`, or `""` for an empty value),
 * objects, and numbers that are not finite (`NaN` would be sent as the text "NaN").
 *
 * @example
 * toSearchParams({ q: "red & blue", tag: ["a", "b"], page: 2, draft: undefined }).toString();
 * // "q=red+%26+blue&tag=a&tag=b&page=2"
 */
export function toSearchParams(params: QueryParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    const values: readonly unknown[] = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item === undefined) continue;
      search.append(name, scalarText(name, item));
    }
  }
  return search;
}

function scalarText(name: string, value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
    case "bigint":
      return String(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`Query parameter "${name}" is not a finite number`);
      return String(value);
    default:
      throw new TypeError(`Query parameter "${name}" must be a string, number, boolean or bigint (or undefined to leave it out)`);
  }
}
