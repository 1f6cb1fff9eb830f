import { createRouter } from "../router";
import { check } from "./health.handlers";
import { health } from "./health.routes";

export const healthRouter = createRouter().openapi(health, check);
