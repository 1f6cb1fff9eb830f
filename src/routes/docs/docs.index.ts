import { Scalar } from "@scalar/hono-api-reference";
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { security, SECURITY_SCHEMES } from "../../auth/access";
import { SERVICE_NAME } from "../../config/service";

export const OPENAPI_PATH = "/openapi.json";

const documentRoute = createRoute({
  method: "get",
  path: OPENAPI_PATH,
  tags: ["docs"],
  security: security.public(),
  summary: "This OpenAPI 3.1 document",
  responses: { 200: { description: "The document", content: { "application/json": { schema: z.looseObject({}) } } } },
});

const docsRoute = createRoute({
  method: "get",
  path: "/docs",
  tags: ["docs"],
  security: security.public(),
  summary: "Interactive API reference (reads /openapi.json)",
  responses: { 200: { description: "An HTML page", content: { "text/html": { schema: z.string() } } } },
});

/**
 * Serves the OpenAPI 3.1 document, generated from the same zod schemas that validate
 * requests (and holding each route's access rule, which `authorize` enforces), and an
 * interactive docs page (Scalar) that reads it.
 */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", SECURITY_SCHEMES.bearer, {
    type: "http",
    scheme: "bearer",
    description: "An API key (`ek_…`), or the break-glass ADMIN_TOKEN. Scopes are listed per operation.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", SECURITY_SCHEMES.header, {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "The same API key, in its own header.",
  });
  app.openAPIRegistry.registerPath(documentRoute);
  app.openAPIRegistry.registerPath(docsRoute);
  // Generated on the first request, then kept: the routes never change while an isolate lives.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get(OPENAPI_PATH, (c) =>
    c.json(
      (document ??= app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: {
          title: `${SERVICE_NAME} API`,
          version: "0.1.0",
          description:
            "Edge-first API template on Cloudflare Workers. Every error is application/problem+json (RFC 9457). " +
            "Product reads are public; every other operation names the API key scope it needs.",
        },
      })),
    ),
  );
  app.get("/docs", Scalar({ url: OPENAPI_PATH, pageTitle: `${SERVICE_NAME} API` }));
}
