import { createRouter } from "../router";
import * as handlers from "./health.handlers";
import * as routes from "./health.routes";

export const healthRouter = createRouter().openapi(routes.liveness, handlers.live).openapi(routes.readiness, handlers.ready);
