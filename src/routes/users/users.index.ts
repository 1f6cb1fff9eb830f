import { createRouter } from "../router";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

export const usersRouter = createRouter()
  .openapi(routes.listUsers, handlers.list)
  .openapi(routes.getUser, handlers.get)
  .openapi(routes.createUser, handlers.create)
  .openapi(routes.updateUser, handlers.update)
  .openapi(routes.deleteUser, handlers.remove)
  .openapi(routes.usersDict, handlers.dict);
