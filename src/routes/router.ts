import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../app-env";
import { problems, type FieldError } from "../errors/problem";

/**
 * A router whose validation failures become one 400 problem naming every failing field,
 * instead of zod-openapi's default JSON. Every route group is built with it.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw problems.validation(fieldErrors(result.error, result.target));
    },
  });
}

const TARGET_NAMES: Record<string, string> = { json: "body", param: "path", query: "query", header: "header" };

function fieldErrors(error: ZodError, target: string): FieldError[] {
  return error.issues.map((issue) => {
    // An unknown key is reported on the object holding it; name the key itself.
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys.join(",")] : issue.path;
    return {
      in: TARGET_NAMES[target] ?? target,
      field: path.length > 0 ? path.join(".") : "(root)",
      message: issue.message,
    };
  });
}
