import { createRouter } from "../router";
import * as handlers from "./jobs.handlers";
import * as routes from "./jobs.routes";

export const jobsRouter = createRouter()
  .openapi(routes.createJob, handlers.create)
  .openapi(routes.listJobs, handlers.list)
  .openapi(routes.getJob, handlers.get)
  .openapi(routes.retryJob, handlers.retry);
