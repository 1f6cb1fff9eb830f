import type { Rule } from "eslint";
import type { Node, ObjectExpression } from "estree";

/** True when `node` is an object literal with a `name` key (or a spread, which may carry it). */
function hasProperty(node: Node | undefined, name: string): boolean {
  if (node?.type !== "ObjectExpression") return false;
  return node.properties.some((p) => p.type === "SpreadElement" || (!p.computed && p.key.type === "Identifier" && p.key.name === name));
}

function propertyValue(node: ObjectExpression, name: string): Node | undefined {
  for (const p of node.properties) {
    if (p.type !== "SpreadElement" && !p.computed && p.key.type === "Identifier" && p.key.name === name) return p.value;
  }
  return undefined;
}

/**
 * Outbound I/O must carry an AbortSignal, so no call outlives its request's (or job's)
 * deadline: `fetch(url, { signal })`, `neon(url, { fetchOptions: { signal } })`,
 * `new Redis({ …, signal })`. An init passed as a variable cannot be checked: say why in an
 * eslint-disable comment.
 */
export const ioNeedsSignal: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "require an AbortSignal on outbound fetch, Neon and Redis calls" },
    messages: {
      fetch: "fetch() without `signal`: pass the request's (or job's) signal so the call has a deadline.",
      neon: "neon() without `fetchOptions: { signal }`: every query must be bounded by a deadline.",
      redis: "new Redis() without `signal`: every command must be bounded by a deadline.",
    },
    schema: [],
  },
  create(context) {
    return {
      CallExpression(node) {
        const callee = node.callee;
        const name = callee.type === "Identifier" ? callee.name : undefined;
        if (name === "fetch" && !hasProperty(node.arguments[1], "signal")) {
          context.report({ node, messageId: "fetch" });
        }
        if (name === "neon") {
          const options = node.arguments[1];
          const fetchOptions = options?.type === "ObjectExpression" ? propertyValue(options, "fetchOptions") : undefined;
          if (!hasProperty(fetchOptions, "signal")) context.report({ node, messageId: "neon" });
        }
      },
      NewExpression(node) {
        if (node.callee.type === "Identifier" && node.callee.name === "Redis" && !hasProperty(node.arguments[0], "signal")) {
          context.report({ node, messageId: "redis" });
        }
      },
    };
  },
};
