import { createRouter } from "../router";
import { live, ready } from "./health.handlers";
import { liveness, readiness } from "./health.routes";

export const healthRouter = createRouter().openapi(liveness, live).openapi(readiness, ready);
