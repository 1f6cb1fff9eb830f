import { createRouter } from "../router";
import * as handlers from "./cache.handlers";
import * as routes from "./cache.routes";

export const cacheRouter = createRouter().openapi(routes.invalidateCache, handlers.invalidate).openapi(routes.getCacheStats, handlers.stats);
