import type { CallExpression } from "estree";

/** `object.method(…)` with plain identifiers, e.g. `Promise.all(…)`; undefined otherwise. */
export function memberCall(node: CallExpression): { object: string; method: string } | undefined {
  const callee = node.callee;
  if (callee.type !== "MemberExpression" || callee.object.type !== "Identifier" || callee.property.type !== "Identifier") return undefined;
  return { object: callee.object.name, method: callee.property.name };
}

/** The called function's own name: `f` in `f(…)` and in `x.f(…)`. */
export function calleeName(node: CallExpression): string | undefined {
  const callee = node.callee;
  if (callee.type === "Identifier") return callee.name;
  if (callee.type === "MemberExpression" && callee.property.type === "Identifier") return callee.property.name;
  return undefined;
}

