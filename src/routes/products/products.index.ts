import { createRouter } from "../router";
import * as handlers from "./products.handlers";
import * as routes from "./products.routes";

export const productsRouter = createRouter()
  .openapi(routes.listProducts, handlers.list)
  .openapi(routes.batchProducts, handlers.batch)
  .openapi(routes.getProduct, handlers.get)
  .openapi(routes.createProduct, handlers.create)
  .openapi(routes.updateProduct, handlers.update)
  .openapi(routes.deleteProduct, handlers.remove);
