/**
 * Hostile JSON, found before it does harm: nesting deep enough to overflow a recursive
 * parser, walker or serialiser down the line (zod, structured clone, Postgres' jsonb), and
 * text that Postgres refuses outright (a NUL character, SQLSTATE 22021 / 22P05; an unpaired
 * UTF-16 surrogate, which is not a Unicode scalar value and has no UTF-8 encoding). Both are
 * the client's fault and get a 400 naming the field, never a 500 or a stall. Nothing here
 * recurses, so no input can exhaust the stack.
 */

/** Deepest nesting accepted in a request body, an event or a job payload. */
export const MAX_JSON_DEPTH = 32;

/** A surrogate that is not one half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds a character no stored text may hold: a NUL, or a lone surrogate. */
export const hasInvalidText = (text: string): boolean => text.includes("\u0000") || LONE_SURROGATE.test(text);

/** The message a field with such text gets. */
export const INVALID_TEXT_MESSAGE = "must not contain NUL characters or unpaired surrogates";

/**
 * True when JSON text nests objects or arrays deeper than `maxDepth`, found by one pass over
 * the characters (brackets inside strings do not count), before anything parses it.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // a backslash escapes the next character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}

/** What is wrong with a JSON value, and where (a dotted path; `(root)` for the value itself). */
export interface JsonHazard {
  path: string;
  message: string;
}

/**
 * The first hazard in a parsed JSON value, in document order: a string (value or key) with
 * invalid text, or nesting past `maxDepth`. Walked with an explicit stack.
 */
export function findJsonHazard(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonHazard | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, path } = item;
    if (typeof current === "string") {
      if (hasInvalidText(current)) return { path: pathText(path), message: INVALID_TEXT_MESSAGE };
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (path.length >= maxDepth) return { path: pathText(path), message: `nested deeper than ${String(maxDepth)} levels` };
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((child: unknown, index) => [String(index), child])
      : Object.entries(current);
    for (const [key] of entries) {
      if (hasInvalidText(key)) return { path: pathText([...path, "(key)"]), message: INVALID_TEXT_MESSAGE };
    }
    // Reversed, so the stack hands them back in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] ?? ["", undefined];
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

const pathText = (path: string[]) => (path.length === 0 ? "(root)" : path.join("."));
