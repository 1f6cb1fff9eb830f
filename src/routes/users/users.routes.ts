import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { authErrors, IdParams, json, jsonBody, problem, text, writeErrors } from "../schemas";

const UserSchema = z
  .object({ id: z.uuid(), email: z.email(), name: z.string(), created_at: z.iso.datetime(), updated_at: z.iso.datetime() })
  .openapi("User");
const email = z.email().max(254);
const name = text().trim().min(1).max(200);
const tags = ["users"];
/** Users are personal data: reading them takes a scope, as writing does. */
const reads = { security: security.requires("users:read") };
const writes = { security: security.requires("users:write") };
/** Most entries `GET /users-dict` answers (newest users first): one bounded hash, never a dump of the table. */
export const MAX_DIRECTORY_ENTRIES = 1_000;
const userWriteErrors = writeErrors("A user with this email exists");

export const listUsers = createRoute({
  method: "get",
  path: "/users",
  tags,
  ...reads,
  summary: "List users, newest first",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ param: { name: "limit", in: "query" } }) }) },
  responses: { 200: json(z.object({ items: z.array(UserSchema) }), "Users"), 400: problem("Invalid limit"), ...authErrors },
});

export const getUser = createRoute({
  method: "get",
  path: "/users/{id}",
  tags,
  ...reads,
  summary: "Get a user",
  request: { params: IdParams },
  responses: { 200: json(UserSchema, "The user"), 400: problem("Invalid id"), 404: problem("No such user"), ...authErrors },
});

export const createUser = createRoute({
  method: "post",
  path: "/users",
  tags,
  ...writes,
  summary: "Create a user",
  request: { body: jsonBody(z.strictObject({ email, name }).openapi("NewUser")) },
  responses: { 201: json(UserSchema, "Created; `Location` names the user"), ...userWriteErrors },
});

export const updateUser = createRoute({
  method: "patch",
  path: "/users/{id}",
  tags,
  ...writes,
  summary: "Change a user's email or name",
  request: {
    params: IdParams,
    body: jsonBody(
      z
        .strictObject({ email: email.optional(), name: name.optional() })
        .refine((changes) => Object.keys(changes).length > 0, { message: "Give at least one field to change." })
        .openapi("UserChanges"),
    ),
  },
  responses: { 200: json(UserSchema, "The updated user"), 404: problem("No such user"), ...userWriteErrors },
});

export const deleteUser = createRoute({
  method: "delete",
  path: "/users/{id}",
  tags,
  ...writes,
  summary: "Delete a user",
  request: { params: IdParams },
  responses: { 204: { description: "Deleted" }, 400: problem("Invalid id"), 404: problem("No such user"), ...authErrors },
});

export const usersDict = createRoute({
  method: "get",
  path: "/users-dict",
  tags,
  ...reads,
  summary: `Users' names by id (the newest ${String(MAX_DIRECTORY_ENTRIES)}), served from a Redis hash (X-Cache says whether it was)`,
  responses: {
    200: json(
      z.record(z.string(), z.string()).openapi("UsersDirectory"),
      "id → name; `X-Directory-Truncated: true` when there are more users than the directory holds",
    ),
    ...authErrors,
  },
});
