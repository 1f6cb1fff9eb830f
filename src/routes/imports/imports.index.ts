import { createRouter } from "../router";
import * as handlers from "./imports.handlers";
import * as routes from "./imports.routes";

export const importsRouter = createRouter().openapi(routes.createImport, handlers.create);
