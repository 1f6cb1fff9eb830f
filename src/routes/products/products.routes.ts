import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { budget } from "../../middleware/deadline";
import { ReviewSchema } from "../../http/reviews";
import { authErrors, IdParams, json, jsonBody, PageQuery, problem, text, writeErrors } from "../schemas";

const ProductSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: "Espresso beans, 1 kg" }),
    price_cents: z.number().int().openapi({ example: 2490 }),
    stock: z.number().int().openapi({ example: 12 }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi("Product");

const Review = ReviewSchema.openapi("Review");

const ProductWithReviewsSchema = ProductSchema.extend({
  reviews: z.array(Review),
  degraded: z
    .array(z.enum(["reviews"]))
    .optional()
    .openapi({ description: "Parts left out because a dependency could not answer in time." }),
}).openapi("ProductWithReviews");

const name = text().trim().min(1).max(200);
const priceCents = z.number().int().min(0).max(2_147_483_647);
const stock = z.number().int().min(0).max(2_147_483_647);

const NewProductSchema = z
  .strictObject({ name, price_cents: priceCents, stock: stock.default(0) })
  .openapi("NewProduct");

const ProductChangesSchema = z
  .strictObject({ name: name.optional(), price_cents: priceCents.optional(), stock: stock.optional() })
  .refine((changes) => Object.keys(changes).length > 0, { message: "Give at least one field to change." })
  .openapi("ProductChanges");

const ProductPageSchema = z
  .object({
    items: z.array(ProductSchema),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last." }),
  })
  .openapi("ProductPage");

const tags = ["products"];
/**
 * The catalogue is public to read; changing it takes a key with `products:write`. Reads of
 * one product or one page have the short read budget; writes the standard one.
 */
const writes = { security: security.requires("products:write") };
const reads = { security: security.public() };

export const listProducts = createRoute({
  method: "get",
  path: "/products",
  tags,
  ...reads,
  ...budget("read"),
  summary: "List products, newest first (keyset pagination)",
  request: { query: PageQuery },
  responses: { 200: json(ProductPageSchema, "A page of products"), 400: problem("Invalid limit or cursor") },
});

export const exportProducts = createRoute({
  method: "get",
  path: "/products/export",
  tags,
  ...reads,
  // The time to start the stream; then each page has a budget of its own (see keysetExportStream).
  ...budget("long"),
  summary: "Every product as NDJSON, streamed (constant memory, stops when the client leaves)",
  responses: {
    200: {
      description: "One product per line, newest first",
      content: { "application/x-ndjson": { schema: z.string().openapi({ description: "Product objects, one per line" }) } },
    },
  },
});

export const getProduct = createRoute({
  method: "get",
  path: "/products/{id}",
  tags,
  ...reads,
  ...budget("read"),
  summary: "Get a product, with its reviews when the reviews service answers in time",
  request: { params: IdParams },
  responses: {
    200: json(ProductWithReviewsSchema, "The product; `degraded` (and `X-Degraded`) when reviews were left out"),
    400: problem("Invalid id"),
    404: problem("No such product"),
  },
});

export const createProduct = createRoute({
  method: "post",
  path: "/products",
  tags,
  ...writes,
  summary: "Create a product",
  request: { body: jsonBody(NewProductSchema) },
  responses: {
    201: json(ProductSchema, "Created; `Location` names the new product"),
    ...writeErrors("A product with this name exists"),
  },
});

export const updateProduct = createRoute({
  method: "patch",
  path: "/products/{id}",
  tags,
  ...writes,
  summary: "Change some fields of a product",
  request: { params: IdParams, body: jsonBody(ProductChangesSchema) },
  responses: {
    200: json(ProductSchema, "The updated product"),
    ...writeErrors("A product with this name exists"),
    404: problem("No such product"),
  },
});

export const deleteProduct = createRoute({
  method: "delete",
  path: "/products/{id}",
  tags,
  ...writes,
  summary: "Delete a product",
  request: { params: IdParams },
  responses: { 204: { description: "Deleted" }, 400: problem("Invalid id"), 404: problem("No such product"), ...authErrors },
});

export const MAX_BATCH = 100;

export const batchProducts = createRoute({
  method: "post",
  path: "/products/batch",
  tags,
  ...reads,
  summary: "Get many products (one query) with their reviews (fetched concurrently, bounded)",
  request: {
    body: jsonBody(z.strictObject({ ids: z.array(z.uuid()).min(1).max(MAX_BATCH) }).openapi("ProductBatchRequest")),
  },
  responses: {
    200: json(
      z.object({ items: z.array(ProductWithReviewsSchema), missing: z.array(z.uuid()) }).openapi("ProductBatch"),
      "The products found, in the order asked, and the ids not found",
    ),
    400: problem("Invalid body"),
    413: problem("Body too large"),
    415: problem("Body not sent as application/json"),
  },
});
