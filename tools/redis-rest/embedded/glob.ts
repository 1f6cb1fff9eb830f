import { text } from "./args.ts";

/**
 * Redis's glob patterns (MATCH, KEYS): `*`, `?`, `[abc]`, `[^a]`, `[a-z]` and `\` escapes,
 * as a RegExp over latin1 keys.
 */
export function globToRegExp(pattern: Buffer): RegExp {
  const source = text(pattern);
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === "*") out += "[\\s\\S]*";
    else if (ch === "?") out += "[\\s\\S]";
    else if (ch === "\\" && i + 1 < source.length) out += escape(source[++i]!);
    else if (ch === "[") {
      const end = source.indexOf("]", i + 2);
      if (end === -1) {
        out += escape(ch);
        continue;
      }
      let body = source.slice(i + 1, end);
      const negate = body.startsWith("^");
      if (negate) body = body.slice(1);
      const items = body.replace(/\\(.)/g, "$1").replace(/[\\\]^]/g, "\\$&");
      out += `[${negate ? "^" : ""}${items}]`;
      i = end;
    } else out += escape(ch);
  }
  return new RegExp(`^${out}$`);
}

const escape = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
