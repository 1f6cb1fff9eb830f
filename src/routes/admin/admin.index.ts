import { createRouter } from "../router";
import * as handlers from "./admin.handlers";
import * as routes from "./admin.routes";

export const adminRouter = createRouter()
  .openapi(routes.listBreakers, handlers.list)
  .openapi(routes.actOnBreaker, handlers.act);
