import { methodNotAllowed } from "hono/method-not-allowed";
import { onError, problemResponse } from "./errors/on-error";
import { problems } from "./errors/problem";
import { bodySizeLimit } from "./middleware/body-size-limit";
import { deadline } from "./middleware/deadline";
import { dependencies } from "./middleware/dependencies";
import { httpCache } from "./middleware/http-cache";
import { idempotency } from "./middleware/idempotency";
import { rateLimit } from "./middleware/rate-limit";
import { mountDocs } from "./routes/docs/docs.index";
import { adminRouter } from "./routes/admin/admin.index";
import { cacheRouter } from "./routes/cache/cache.index";
import { healthRouter } from "./routes/health/health.index";
import { productsRouter } from "./routes/products/products.index";
import { usersRouter } from "./routes/users/users.index";
import { jobsRouter } from "./routes/jobs/jobs.index";
import { importsRouter } from "./routes/imports/imports.index";
import { eventsRouter } from "./routes/events/events.index";
import { metricsRouter } from "./routes/metrics/metrics.index";
import { alertsRouter } from "./routes/alerts/alerts.index";
import { consoleRouter } from "./routes/console/console.index";
import { observability } from "./middleware/observability";
import { authorize } from "./middleware/authorize";
import { corsPolicy } from "./middleware/cors-policy";
import { jsonGuard } from "./middleware/json-guard";
import { requestIds } from "./middleware/request-ids";
import { securityHeaders } from "./middleware/security-headers";
import { keysRouter } from "./routes/keys/keys.index";
import { cachePrefetch } from "./middleware/cache-prefetch";
import { pagePrefetchKey, productPrefetchKey } from "./routes/products/products.cache";
import { createRouter } from "./routes/router";

/** Builds the app: middleware in the order every request meets it, then the route groups. */
export function createApp() {
  const app = createRouter();

  app.use(requestIds());
  app.use(securityHeaders());
  app.use(corsPolicy());
  app.use(observability());
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) => problemResponse(c, problems.methodNotAllowed(allowed)),
    }),
  );
  // One time budget per request: the one its route declares (`budget(…)`), else the default.
  app.use(deadline(() => app.openAPIRegistry.definitions));
  // Imports stream files far larger than a JSON body into R2, under a limit of their own.
  app.use(bodySizeLimit({ exceptPath: "/imports" }));
  app.use(dependencies());
  // The cache entry a product read will want rides along the rate limiter's round trip.
  app.use("/products/:id", cachePrefetch(productPrefetchKey));
  app.use("/products", cachePrefetch(pagePrefetchKey));
  // Every API route is limited, by who the caller is (the limiter verifies API keys); the
  // health checks and the docs are not. ("/products/*" also matches "/products" itself.)
  app.use("/products/*", rateLimit("api"));
  app.use("/users/*", rateLimit("api"));
  app.use("/users-dict", rateLimit("api"));
  app.use("/events/*", rateLimit("api"));
  app.use("/admin/*", rateLimit("admin"));
  app.use("/metrics", rateLimit("admin"));
  app.use("/jobs/*", rateLimit("admin"));
  app.use("/imports", rateLimit("admin"));
  app.use("/cache/*", rateLimit("admin"));
  // The console's one read, polled every second, counts against the API budget (it
  // needs the admin scope all the same): the operator routes' tighter budget stays for
  // what the console's buttons do (breakers, retries), which go to those routes.
  app.use("/console/snapshot", rateLimit("api"));
  // Each route's access rule, from its OpenAPI definition; before anything acts on the request.
  app.use(authorize(() => app.openAPIRegistry.definitions));
  // Hostile JSON (too deep, text Postgres refuses) is a 400 before any route reads it.
  app.use(jsonGuard());
  app.use("/products/*", httpCache());
  app.use("/products/*", idempotency());
  app.use("/users/*", idempotency());

  // Chained, so the app's type carries every route: Hono's typed client (`hc<AppType>`) reads it.
  const routes = app
    .route("/", healthRouter)
    .route("/", productsRouter)
    .route("/", usersRouter)
    .route("/", adminRouter)
    .route("/", keysRouter)
    .route("/", cacheRouter)
    .route("/", jobsRouter)
    .route("/", importsRouter)
    .route("/", eventsRouter)
    .route("/", metricsRouter)
    .route("/", alertsRouter)
    .route("/", consoleRouter);
  mountDocs(app);

  app.notFound((c) => problemResponse(c, problems.notFound(`No route for ${c.req.method} ${c.req.path}.`)));
  app.onError(onError);
  return routes;
}

/**
 * The API's type, for Hono's typed client in another project or a test:
 *
 * @example
 * import { hc } from "hono/client";
 * import type { AppType } from "edgekit/src/app";
 * const api = hc<AppType>("https://api.example.com", { headers: { Authorization: `Bearer ${key}` } });
 * const page = await (await api.products.$get({ query: { limit: "20" } })).json();
 */
export type AppType = ReturnType<typeof createApp>;
