import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { html } from "hono/html";
import type { AppEnv } from "../../app-env";
import { security, SECURITY_SCHEMES } from "../../auth/access";
import { SERVICE_NAME } from "../../config/service";

export const OPENAPI_PATH = "/openapi.json";

/** The API reference UI, a static file (tools/assets.ts copies it from @scalar/api-reference). */
export const SCALAR_BUNDLE_PATH = "/assets/scalar/standalone.js";

/**
 * What the docs page may load: its own origin only. Scripts from this origin alone (the
 * bundle; no inline script, no eval, no CDN); styles from this origin and inline, because the
 * UI injects its stylesheet and sets element styles at run time; images and fonts also as
 * `data:` URIs (icons inlined in the bundle); requests ("Try it") to this origin only.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The UI's settings, read by the bundle from `data-configuration`. Its default fonts come
 * from Scalar's servers: off, so the page needs no other origin (the system's fonts are used).
 */
const SCALAR_CONFIGURATION = {
  withDefaultFonts: false,
  hideClientButton: false,
  showDeveloperTools: "never",
  telemetry: false,
  agent: { disabled: true },
};

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
  summary: "Interactive API reference (reads /openapi.json); served with everything it needs, offline",
  responses: { 200: { description: "An HTML page", content: { "text/html": { schema: z.string() } } } },
});

/**
 * The docs page: the bundle finds the `#api-reference` element and renders the document at
 * its `data-url`. That element is a data block (`application/json`), never run, so the page
 * holds no inline script and `script-src 'self'` is the whole script policy.
 */
function docsPage() {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${SERVICE_NAME} API</title>
  </head>
  <body>
    <script id="api-reference" type="application/json" data-url="${OPENAPI_PATH}" data-configuration="${JSON.stringify(SCALAR_CONFIGURATION)}"></script>
    <script src="${SCALAR_BUNDLE_PATH}"></script>
  </body>
</html>`;
}

/**
 * Serves the OpenAPI 3.1 document, generated from the same zod schemas that validate
 * requests (and holding each route's access rule, which `authorize` enforces), and an
 * interactive docs page (Scalar) that reads it. The page's script is a static file of this
 * Worker (wrangler.toml `[assets]`), not a CDN's: the docs work offline and under a
 * Content-Security-Policy that allows this origin alone.
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
  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY);
    return c.html(docsPage());
  });
}
