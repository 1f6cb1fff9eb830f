import { createRouter } from "../router";
import * as handlers from "./console.handlers";
import * as routes from "./console.routes";

export const consoleRouter = createRouter().openapi(routes.consolePage, handlers.page).openapi(routes.consoleSnapshot, handlers.snapshot);
