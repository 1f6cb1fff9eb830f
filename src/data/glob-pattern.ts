/** Most `*` an invalidation pattern may hold: each one multiplies a glob matcher's work. */
export const MAX_PATTERN_WILDCARDS = 4;

/**
 * Why a Redis glob pattern (SCAN MATCH) is refused, or undefined when it is fine. Redis
 * accepts nearly anything, but clients should not: a reversed range (`[z-a]`) or an
 * unclosed class is almost surely a mistake, a trailing `\` escapes nothing, and many `*`
 * make every key cost more to match (exponentially so in naive matchers).
 */
export function globPatternProblem(pattern: string): string | undefined {
  let wildcards = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      if (i === pattern.length - 1) return "ends with an escape (\\) that escapes nothing";
      i++;
    } else if (ch === "*") {
      if (++wildcards > MAX_PATTERN_WILDCARDS) return `at most ${String(MAX_PATTERN_WILDCARDS)} '*' wildcards`;
    } else if (ch === "[") {
      const end = classEnd(pattern, i);
      if (end === undefined) return "a '[' class is never closed with ']'";
      const body = pattern.slice(i + 1, end).replace(/^\^/, "");
      if (body === "") return "an empty '[]' class matches nothing";
      for (const [, from, to] of body.matchAll(/(\\?.)-(\\?.)/gs)) {
        if ((from?.at(-1) ?? "") > (to?.at(-1) ?? "")) return `the range ${from ?? ""}-${to ?? ""} is reversed`;
      }
      i = end;
    }
  }
  return undefined;
}

/** Index of the `]` closing the class opened at `start` (escapes skipped), or undefined. */
function classEnd(pattern: string, start: number): number | undefined {
  for (let i = start + 1; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "]") return i;
  }
  return undefined;
}
