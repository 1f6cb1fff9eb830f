import { createRouter } from "../router";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

const router = createRouter();
// First, so /users/{id} does not take "export" for an id. A plain route, described for the
// docs by hand: zod-openapi cannot type an NDJSON stream as a response.
router.get(routes.exportUsers.path, handlers.exportAll);
router.openAPIRegistry.registerPath(routes.exportUsers);

export const usersRouter = router
  .openapi(routes.listUsers, handlers.list)
  .openapi(routes.batchUsers, handlers.batch, (result, c) => {
    if (result.success) return;
    // Failures inside rows are the batch's 422; anything else the router's usual 400 (both throw).
    handlers.refuseInvalidRows(result.error, result.target);
    router.defaultHook?.(result, c);
  })
  .openapi(routes.getUser, handlers.get)
  .openapi(routes.createUser, handlers.create)
  .openapi(routes.updateUser, handlers.update)
  .openapi(routes.deleteUser, handlers.remove)
  .openapi(routes.usersDict, handlers.dict);
