import { createRouter } from "../router";
import * as handlers from "./metrics.handlers";
import * as routes from "./metrics.routes";

export const metricsRouter = createRouter().openapi(routes.getMetrics, handlers.show).openapi(routes.listSlowQueries, handlers.slowQueries);
