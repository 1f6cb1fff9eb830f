import { createRouter } from "../router";
import * as handlers from "./alerts.handlers";
import * as routes from "./alerts.routes";

export const alertsRouter = createRouter().openapi(routes.listAlerts, handlers.list);
