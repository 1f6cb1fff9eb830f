import { createRoute, z } from "@hono/zod-openapi";
import { IdParams, json, jsonBody, problem, writeErrors } from "../schemas";

const UserSchema = z
  .object({ id: z.uuid(), email: z.email(), name: z.string(), created_at: z.iso.datetime(), updated_at: z.iso.datetime() })
  .openapi("User");
const email = z.email().max(254);
const name = z.string().trim().min(1).max(200);
const tags = ["users"];
const userWriteErrors = writeErrors("A user with this email exists");

export const listUsers = createRoute({
  method: "get",
  path: "/users",
  tags,
  summary: "List users, newest first",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ param: { name: "limit", in: "query" } }) }) },
  responses: { 200: json(z.object({ items: z.array(UserSchema) }), "Users"), 400: problem("Invalid limit") },
});

export const getUser = createRoute({
  method: "get",
  path: "/users/{id}",
  tags,
  summary: "Get a user",
  request: { params: IdParams },
  responses: { 200: json(UserSchema, "The user"), 400: problem("Invalid id"), 404: problem("No such user") },
});

export const createUser = createRoute({
  method: "post",
  path: "/users",
  tags,
  summary: "Create a user",
  request: { body: jsonBody(z.strictObject({ email, name }).openapi("NewUser")) },
  responses: { 201: json(UserSchema, "Created; `Location` names the user"), ...userWriteErrors },
});

export const updateUser = createRoute({
  method: "patch",
  path: "/users/{id}",
  tags,
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
  summary: "Delete a user",
  request: { params: IdParams },
  responses: { 204: { description: "Deleted" }, 400: problem("Invalid id"), 404: problem("No such user") },
});

export const usersDict = createRoute({
  method: "get",
  path: "/users-dict",
  tags,
  summary: "Every user's name by id, served from a Redis hash (X-Cache says whether it was)",
  responses: { 200: json(z.record(z.string(), z.string()).openapi("UsersDirectory"), "id → name") },
});
