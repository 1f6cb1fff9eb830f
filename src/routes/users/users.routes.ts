import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { budget } from "../../middleware/deadline";
import { authErrors, IdParams, json, jsonBody, problem, ProblemSchema, text, writeErrors } from "../schemas";

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
const NewUserSchema = z.strictObject({ email, name }).openapi("NewUser");
/** Most users one `POST /users/batch` creates: as many as `POST /products/batch` reads. */
export const MAX_USER_BATCH = 100;

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
  request: { body: jsonBody(NewUserSchema) },
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

/** A row of a batch that was refused: its index in `users` (from 0), the field and why. */
const RowErrorSchema = z.object({
  row: z.number().int().min(0).openapi({ description: "The row's index in `users`, from 0", example: 3 }),
  field: z.string().openapi({ example: "email" }),
  message: z.string().openapi({ example: "A user with this email already exists." }),
});

const RowsRefusedSchema = ProblemSchema.extend({ errors: z.array(RowErrorSchema) }).openapi("RowsRefused", {
  description: "Rows of a batch that cannot be written, each named by its index and field; nothing was written.",
});

export const batchUsers = createRoute({
  method: "post",
  path: "/users/batch",
  tags,
  ...writes,
  // One transaction, one round trip: an ordinary write's budget.
  ...budget("standard"),
  summary: `Create up to ${String(MAX_USER_BATCH)} users at once, all or none (one transaction)`,
  description:
    "Every row is checked first: its fields, then its email against the other rows and the existing users (whatever " +
    "the case). If any row is refused, nothing is written and the answer is a 422 naming each refused row by its " +
    "index in `users` (from 0) and field. Send an `Idempotency-Key` to retry safely: a retry gets the first answer.",
  request: {
    body: jsonBody(z.strictObject({ users: z.array(NewUserSchema).min(1).max(MAX_USER_BATCH) }).openapi("NewUserBatch")),
  },
  responses: {
    201: json(z.object({ items: z.array(UserSchema) }).openapi("UserBatch"), "Every user created, in the order sent"),
    ...userWriteErrors,
    409: problem("Users with these emails were being created at the same time; retry"),
    422: {
      description: "Rows refused (invalid fields, an email repeated in the batch or taken); nothing written",
      content: { "application/problem+json": { schema: RowsRefusedSchema } },
    },
  },
});

export const exportUsers = createRoute({
  method: "get",
  path: "/users/export",
  tags,
  ...reads,
  // The time to start the stream; then each page has a budget of its own (see keysetExportStream).
  ...budget("long"),
  summary: "Every user as NDJSON, streamed (constant memory, stops when the client leaves)",
  responses: {
    200: {
      description: "One user per line, newest first, with the fields `GET /users` shows",
      content: { "application/x-ndjson": { schema: z.string().openapi({ description: "User objects, one per line" }) } },
    },
    ...authErrors,
  },
});
