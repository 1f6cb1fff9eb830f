import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { ProductRepository, type Product } from "../../data/products";
import { problems } from "../../errors/problem";
import type { createProduct, deleteProduct, getProduct, listProducts, updateProduct } from "./products.routes";

const toJson = (product: Product) => ({
  ...product,
  created_at: product.created_at.toISOString(),
  updated_at: product.updated_at.toISOString(),
});

const noSuchProduct = (id: string) => problems.notFound(`No product with id ${id}.`);

export const list: RouteHandler<typeof listProducts, AppEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await new ProductRepository(c.var.db).list(limit, cursor);
  return c.json({ items: page.items.map(toJson), nextCursor: page.nextCursor }, 200);
};

export const get: RouteHandler<typeof getProduct, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const product = await new ProductRepository(c.var.db).get(id);
  if (!product) throw noSuchProduct(id);
  return c.json(toJson(product), 200);
};

export const create: RouteHandler<typeof createProduct, AppEnv> = async (c) => {
  const product = await new ProductRepository(c.var.db).create(c.req.valid("json"));
  c.header("Location", `/products/${product.id}`);
  return c.json(toJson(product), 201);
};

export const update: RouteHandler<typeof updateProduct, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const product = await new ProductRepository(c.var.db).update(id, c.req.valid("json"));
  if (!product) throw noSuchProduct(id);
  return c.json(toJson(product), 200);
};

export const remove: RouteHandler<typeof deleteProduct, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  if (!(await new ProductRepository(c.var.db).delete(id))) throw noSuchProduct(id);
  return c.body(null, 204);
};
