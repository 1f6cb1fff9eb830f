import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ZodError } from "zod";
import type { AppEnv } from "../../app-env";
import { problemType } from "../../config/service";
import { databaseCall } from "../../dependencies/calls";
import { keysetExportStream } from "../../data/keyset-export";
import { UserRepository, type RowConflict, type User } from "../../data/users";
import { forgetUsersDirectory, usersDirectory } from "../../data/users-directory";
import { Problem, problems } from "../../errors/problem";
import { scopeOf } from "../../middleware/dependencies";
import {
  MAX_DIRECTORY_ENTRIES,
  type batchUsers,
  type createUser,
  type deleteUser,
  type getUser,
  type listUsers,
  type updateUser,
  type usersDict,
} from "./users.routes";

const toJson = (user: User) => ({ ...user, created_at: user.created_at.toISOString(), updated_at: user.updated_at.toISOString() });
const noSuchUser = (id: string) => problems.notFound(`No user with id ${id}.`);

export const list: RouteHandler<typeof listUsers, AppEnv> = async (c) => {
  const { limit } = c.req.valid("query");
  const users = await c.get("db")((sql) => new UserRepository(sql).list(limit), { idempotent: true });
  return c.json({ items: users.map(toJson) }, 200);
};

export const get: RouteHandler<typeof getUser, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const user = await c.get("db")((sql) => new UserRepository(sql).get(id), { idempotent: true });
  if (!user) throw noSuchUser(id);
  return c.json(toJson(user), 200);
};

export const create: RouteHandler<typeof createUser, AppEnv> = async (c) => {
  const fields = c.req.valid("json");
  const user = await c.get("db")((sql) => new UserRepository(sql).create(fields), { idempotent: false });
  await forgetUsersDirectory(scopeOf(c));
  c.header("Location", `/users/${user.id}`);
  return c.json(toJson(user), 201);
};

export const update: RouteHandler<typeof updateUser, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const changes = c.req.valid("json");
  const user = await c.get("db")((sql) => new UserRepository(sql).update(id, changes), { idempotent: true });
  if (!user) throw noSuchUser(id);
  await forgetUsersDirectory(scopeOf(c));
  return c.json(toJson(user), 200);
};

export const remove: RouteHandler<typeof deleteUser, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const deleted = await c.get("db")((sql) => new UserRepository(sql).delete(id), { idempotent: false });
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

/** A refused row of a batch: its index in `users` (from 0), the field and why. */
interface RowError {
  row: number;
  field: string;
  message: string;
}

/** 422: rows of a batch that cannot be written, each named; nothing was written. */
function rowsRefused(errors: RowError[]): Problem {
  const refused = [...new Set(errors.map((error) => error.row))];
  return new Problem({
    type: problemType("rows-refused"),
    title: "Unprocessable Content",
    status: 422,
    detail: `Rows refused: ${refused.join(", ")}. No user was created.`,
    errors,
  });
}

const conflictError = (conflict: RowConflict): RowError => ({
  row: conflict.row,
  field: "email",
  message: conflict.reason === "taken" ? "A user with this email already exists." : `The same email as row ${String(conflict.firstRow)}.`,
});

export const batch: RouteHandler<typeof batchUsers, AppEnv> = async (c) => {
  const { users } = c.req.valid("json");
  // Not retried: a second attempt after a lost answer would find its own rows and refuse them.
  const outcome = await c.get("db")((sql) => new UserRepository(sql).createMany(users), { idempotent: false });
  if ("conflicts" in outcome) throw rowsRefused(outcome.conflicts.map(conflictError));
  await forgetUsersDirectory(scopeOf(c));
  return c.json({ items: outcome.created.map(toJson) }, 201);
};

/**
 * The batch's validation failures. When every failure is inside rows (`users.<i>.…`) the
 * answer is the batch's 422, each row named by its index and field, as a conflict is;
 * anything else (no `users`, too many rows, an unknown member) is the usual 400. Returns
 * without throwing for the router's own handling.
 */
export function refuseInvalidRows(error: ZodError, target: string): void {
  if (target !== "json") return;
  const errors = error.issues.map((issue): RowError | undefined => {
    const [member, row, field] = issue.path;
    if (member !== "users" || typeof row !== "number") return undefined;
    // An unknown key is reported on the row; name the key. A row that is no object has no field.
    const name = issue.code === "unrecognized_keys" ? issue.keys.join(",") : field === undefined ? "(row)" : String(field);
    return { row, field: name, message: issue.message };
  });
  const rows = errors.filter((row): row is RowError => row !== undefined);
  if (rows.length === errors.length && rows.length > 0) throw rowsRefused(rows);
}

export const exportAll = (c: Context<AppEnv>): Response => {
  // Bound by the client's connection, not the request's budget, as the product export: each
  // page has a budget of its own. The lines are the users as `GET /users` shows them.
  const scope = { ...scopeOf(c), signal: c.req.raw.signal };
  const body = keysetExportStream(databaseCall(scope), (sql, size, after) => new UserRepository(sql).page(size, after), toJson);
  return c.body(body, 200, { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store" });
};
