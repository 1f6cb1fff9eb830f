import { createRouter } from "../router";
import * as handlers from "./products.handlers";
import * as routes from "./products.routes";

const router = createRouter();
// First, so /products/{id} does not take "export" for an id. A plain route, described for
// the docs by hand: zod-openapi cannot type an NDJSON stream as a response.
router.get(routes.exportProducts.path, handlers.exportAll);
router.openAPIRegistry.registerPath(routes.exportProducts);

export const productsRouter = router
  .openapi(routes.listProducts, handlers.list)
  .openapi(routes.batchProducts, handlers.batch)
  .openapi(routes.getProduct, handlers.get)
  .openapi(routes.createProduct, handlers.create)
  .openapi(routes.updateProduct, handlers.update)
  .openapi(routes.deleteProduct, handlers.remove);
