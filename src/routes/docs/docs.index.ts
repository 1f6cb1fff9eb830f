import { Scalar } from "@scalar/hono-api-reference";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";

export const OPENAPI_PATH = "/openapi.json";

/**
 * Serves the OpenAPI 3.1 document, generated from the same zod schemas that validate
 * requests, and an interactive docs page (Scalar) that reads it.
 */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  app.doc31(OPENAPI_PATH, {
    openapi: "3.1.0",
    info: {
      title: "edgekit API",
      version: "0.1.0",
      description: "Edge-first API template on Cloudflare Workers. Every error is application/problem+json (RFC 9457).",
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "adminToken", { type: "http", scheme: "bearer" });
  app.get("/docs", Scalar({ url: OPENAPI_PATH, pageTitle: "edgekit API" }));
}
