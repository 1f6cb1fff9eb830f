import type { Rule } from "eslint";

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
        const callee = node.callee;
        if (
          callee.type !== "MemberExpression" ||
          callee.object.type !== "Identifier" ||
          callee.object.name !== "Promise" ||
          callee.property.type !== "Identifier" ||
          !["all", "allSettled"].includes(callee.property.name)
        ) {
          return;
        }
        const [argument] = node.arguments;
        if (!argument || argument.type === "ArrayExpression") return;
        if (
          argument.type === "CallExpression" &&
          argument.callee.type === "MemberExpression" &&
          argument.callee.object.type === "Identifier" &&
          /^[A-Z][A-Z0-9_]*$/.test(argument.callee.object.name)
        ) {
          return;
        }
        context.report({ node, messageId: "unbounded", data: { method: callee.property.name } });
      },
    };
  },
};
