import { createRouter } from "../router";
import * as handlers from "./events.handlers";
import * as routes from "./events.routes";

const router = createRouter();
// A plain route, described for the docs by hand: its answer is a WebSocket or a stream.
router.get("/events/:topic", handlers.subscribe);
router.openAPIRegistry.registerPath(routes.subscribe);

export const eventsRouter = router.openapi(routes.publishEvent, handlers.publishToTopic).openapi(routes.topicStats, handlers.stats);
