import { RedisError, type Reply } from "../reply.ts";
import { bytes, parseCursor, parseInteger, SYNTAX, upper } from "./args.ts";
import { keyPatternMatcher } from "./glob.ts";

/**
 * HSCAN, SSCAN and ZSCAN. Redis answers a small collection (listpack or intset encoded) in
 * one page with cursor 0, whatever COUNT says; this engine does that at every size, which
 * the SCAN contract allows (COUNT is a hint, and every element is returned exactly once).
 *
 * `read` returns the elements, or undefined for a missing key (an empty page), and throws
 * WRONGTYPE; `pairs` says each entry is an element and its value (hash, sorted set), of
 * which MATCH tests only the element. The cursor is checked first, then the key, then the
 * options, in Redis's order.
 */
export function scanCollection(args: Buffer[], read: () => Buffer[][] | undefined): Reply {
  parseCursor(args[2]!);
  const entries = read();
  if (!entries) return [bytes("0"), []];
  let matches: ((element: Buffer) => boolean) | undefined;
  for (let i = 3; i < args.length; i += 2) {
    const option = upper(args[i]);
    const value = args[i + 1];
    if (option === "COUNT" && value) {
      if (parseInteger(value) < 1) throw new RedisError(SYNTAX);
    } else if (option === "MATCH" && value) {
      matches = keyPatternMatcher(value);
    } else {
      throw new RedisError(SYNTAX);
    }
  }
  const kept = matches ? entries.filter(([element]) => matches(element!)) : entries;
  return [bytes("0"), kept.flat()];
}
