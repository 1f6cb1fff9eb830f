import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { UserRepository, type User } from "../../data/users";
import { forgetUsersDirectory, usersDirectory } from "../../data/users-directory";
import { problems } from "../../errors/problem";
import { scopeOf } from "../../middleware/dependencies";
import { MAX_DIRECTORY_ENTRIES, type createUser, type deleteUser, type getUser, type listUsers, type updateUser, type usersDict } from "./users.routes";

const toJson = (user: User) => ({ ...user, created_at: user.created_at.toISOString(), updated_at: user.updated_at.toISOString() });
const noSuchUser = (id: string) => problems.notFound(`No user with id ${id}.`);

export const list: RouteHandler<typeof listUsers, AppEnv> = async (c) => {
  const { limit } = c.req.valid("query");
  const users = await c.var.db((sql) => new UserRepository(sql).list(limit), { idempotent: true });
  return c.json({ items: users.map(toJson) }, 200);
};

export const get: RouteHandler<typeof getUser, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const user = await c.var.db((sql) => new UserRepository(sql).get(id), { idempotent: true });
  if (!user) throw noSuchUser(id);
  return c.json(toJson(user), 200);
};

export const create: RouteHandler<typeof createUser, AppEnv> = async (c) => {
  const fields = c.req.valid("json");
  const user = await c.var.db((sql) => new UserRepository(sql).create(fields), { idempotent: false });
  await forgetUsersDirectory(scopeOf(c));
  c.header("Location", `/users/${user.id}`);
  return c.json(toJson(user), 201);
};

export const update: RouteHandler<typeof updateUser, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const changes = c.req.valid("json");
  const user = await c.var.db((sql) => new UserRepository(sql).update(id, changes), { idempotent: true });
  if (!user) throw noSuchUser(id);
  await forgetUsersDirectory(scopeOf(c));
  return c.json(toJson(user), 200);
};

export const remove: RouteHandler<typeof deleteUser, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const deleted = await c.var.db((sql) => new UserRepository(sql).delete(id), { idempotent: false });
  if (!deleted) throw noSuchUser(id);
  await forgetUsersDirectory(scopeOf(c));
  return c.body(null, 204);
};

export const dict: RouteHandler<typeof usersDict, AppEnv> = async (c) => {
  const { directory, truncated, status } = await usersDirectory(scopeOf(c), MAX_DIRECTORY_ENTRIES);
  c.header("X-Cache", status);
  if (truncated) c.header("X-Directory-Truncated", "true");
  return c.json(directory, 200);
};
