import type { Rule } from "eslint";
import { memberCall } from "./ast.ts";

/**
 * `Promise.all` (or `allSettled`) over a computed array starts every call at once, however
 * many items come in: a request with 1,000 ids would open 1,000 subrequests (Workers allow
 * 6 at a time and cap the total). Use `mapConcurrent(items, limit, fn, signal)`. A literal
 * list (`Promise.all([a, b])`) and `CONSTANT.map(…)` over a module constant in
 * UPPER_SNAKE_CASE (bounded by the code itself) are fine.
 */
export const boundedPromiseAll: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "require mapConcurrent instead of Promise.all over an unbounded array" },
    messages: {
      unbounded: "Promise.{{method}} over a computed array is unbounded: use mapConcurrent(items, limit, fn, signal).",
    },
    schema: [],
  },
  create(context) {
    return {
      CallExpression(node) {
        const call = memberCall(node);
        if (call?.object !== "Promise" || !["all", "allSettled"].includes(call.method)) return;
        const [argument] = node.arguments;
        if (!argument || argument.type === "ArrayExpression") return;
        const mapped = argument.type === "CallExpression" ? memberCall(argument) : undefined;
        if (mapped && /^[A-Z][A-Z0-9_]*$/.test(mapped.object)) return;
        context.report({ node, messageId: "unbounded", data: { method: call.method } });
      },
    };
  },
};
