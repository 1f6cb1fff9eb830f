import type { Rule } from "eslint";
import { calleeName, memberCall } from "./ast.ts";
import type { Node } from "estree";

/** True when `node` contains a call of `.text()` (a request body read whole). */
function readsBodyText(node: Node): boolean {
  if (node.type === "AwaitExpression") return readsBodyText(node.argument);
  return (
    node.type === "CallExpression" &&
    node.callee.type === "MemberExpression" &&
    node.callee.property.type === "Identifier" &&
    node.callee.property.name === "text"
  );
}

/**
 * Route handlers must not block the isolate with synchronous CPU work: a `JSON.parse` of a
 * request body read whole (unbounded: let the route's zod validator parse it, after the body
 * size limit), or any `…Sync` call (`pbkdf2Sync`, `scryptSync`, …: use `crypto.subtle`,
 * which is asynchronous). One request's CPU time is every concurrent request's latency.
 */
export const noSyncHeavyInHandlers: Rule.RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "forbid synchronous CPU-heavy calls in route handlers" },
    messages: {
      parseBody: "JSON.parse of a request body read whole: validate it with the route's zod schema (size-limited) instead.",
      sync: "{{name}}() blocks the isolate: use an asynchronous API (e.g. crypto.subtle) in a route handler.",
    },
    schema: [],
  },
  create(context) {
    return {
      CallExpression(node) {
        const call = memberCall(node);
        if (
          call?.object === "JSON" &&
          call.method === "parse" &&
          node.arguments[0] &&
          node.arguments[0].type !== "SpreadElement" &&
          readsBodyText(node.arguments[0])
        ) {
          context.report({ node, messageId: "parseBody" });
          return;
        }
        const name = calleeName(node) ?? "";
        if (/^[a-z]\w*Sync$/.test(name)) context.report({ node, messageId: "sync", data: { name } });
      },
    };
  },
};
