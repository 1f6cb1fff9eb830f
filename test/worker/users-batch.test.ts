import { describe, expect, it } from "vitest";
import { ANONYMOUS, api, createKey, expectProblem, sendJson } from "./helpers";
import { sql } from "./jobs-helpers";
import { MAX_USER_BATCH } from "../../src/routes/users/users.routes";
import { EXPORT_PAGE_SIZE } from "../../src/data/keyset-export";

interface UserJson {
  id: string;
  email: string;
  name: string;
  created_at: string;
  updated_at: string;
}

interface RowError {
  row: number;
  field: string;
  message: string;
}

const uniqueEmail = (label = "batch") => `${label}-${crypto.randomUUID()}@example.com`;
const rows = (count: number, label = "batch") => Array.from({ length: count }, (_, i) => ({ email: uniqueEmail(label), name: `User ${String(i)}` }));
const postBatch = (users: unknown, headers: Record<string, string> = {}, as?: string | null) =>
  api("/users/batch", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ users }) }, as);

/** How many of these emails are stored (whatever their case). */
async function stored(emails: string[]): Promise<number> {
  const [row] = await sql()`SELECT count(*)::int AS n FROM users WHERE lower(email) = ANY(${emails.map((email) => email.toLowerCase())}::text[])`;
  return Number(row?.n);
}

async function rowErrors(response: Response): Promise<RowError[]> {
  const problem = await expectProblem(response, 422);
  expect(problem.type).toMatch(/rows-refused$/);
  return problem.errors as unknown as RowError[];
}

describe("POST /users/batch", () => {
  it("creates every user in one transaction and answers them in the order sent", async () => {
    const batch = rows(5);
    const response = await postBatch(batch);
    expect(response.status, await response.clone().text()).toBe(201);
    const { items } = await response.json<{ items: UserJson[] }>();
    expect(items.map(({ email, name }) => ({ email, name }))).toEqual(batch);
    expect(new Set(items.map((user) => user.id)).size).toBe(5);
    expect(await stored(batch.map((user) => user.email))).toBe(5);
    expect(await (await api(`/users/${items[2]?.id ?? ""}`)).json()).toEqual(items[2]);
  });

  it("drops the users directory, so the new users are listed at once", async () => {
    await api("/users-dict");
    expect((await api("/users-dict")).headers.get("X-Cache")).toBe("HIT");
    const response = await postBatch(rows(2));
    const { items } = await response.json<{ items: UserJson[] }>();
    const directory = await api("/users-dict");
    expect(directory.headers.get("X-Cache")).toBe("MISS");
    expect(await directory.json()).toMatchObject({ [items[0]?.id ?? ""]: "User 0", [items[1]?.id ?? ""]: "User 1" });
  });

  it("refuses invalid rows with a 422 naming each row and field, and writes none of the batch", async () => {
    const batch = [
      { email: uniqueEmail(), name: "Fine" },
      { email: "not-an-email", name: "Bad email" },
      { email: uniqueEmail(), name: "" },
      { email: uniqueEmail(), name: "Extra", admin: true },
      "not a row",
      { name: "No email" },
    ];
    const errors = await rowErrors(await postBatch(batch));
    expect(errors.map(({ row, field }) => [row, field])).toEqual([
      [1, "email"],
      [2, "name"],
      [3, "admin"],
      [4, "(row)"],
      [5, "email"],
    ]);
    expect(errors.every((error) => error.message.length > 0)).toBe(true);
    expect(await stored([batch[0], batch[2], batch[3]].map((row) => (row as { email: string }).email))).toBe(0);
  });

  it("reports emails repeated in the batch or already taken, per row, whatever their case, and writes nothing", async () => {
    const existing = uniqueEmail("taken");
    expect((await sendJson("POST", "/users", { email: existing, name: "First" })).status).toBe(201);
    const repeated = uniqueEmail("twice");
    const fresh = uniqueEmail("fresh");
    const batch = [
      { email: fresh, name: "Fresh" },
      { email: existing.toUpperCase(), name: "Taken" },
      { email: repeated, name: "Once" },
      { email: repeated.toUpperCase(), name: "Twice" },
    ];
    const errors = await rowErrors(await postBatch(batch));
    expect(errors).toEqual([
      { row: 1, field: "email", message: "A user with this email already exists." },
      { row: 3, field: "email", message: "The same email as row 2." },
    ]);
    expect(await stored([fresh, repeated])).toBe(0);
  });

  it("answers 400 for a batch that is not one: no rows, too many, no users, an unknown member", async () => {
    await expectProblem(await postBatch([]), 400);
    await expectProblem(await postBatch(rows(MAX_USER_BATCH + 1)), 400);
    await expectProblem(await sendJson("POST", "/users/batch", {}), 400);
    const unknown = await expectProblem(await sendJson("POST", "/users/batch", { users: rows(1), notify: true }), 400);
    expect(unknown.errors?.map((error) => error.field)).toEqual(["notify"]);
  });

  it("takes the largest batch within the body limit, and refuses a larger body with 413 before parsing it", async () => {
    const full = rows(MAX_USER_BATCH, "full");
    const response = await postBatch(full);
    expect(response.status, await response.clone().text()).toBe(201);
    expect(await stored(full.map((user) => user.email))).toBe(MAX_USER_BATCH);
    const huge = Array.from({ length: 80 }, () => ({ email: uniqueEmail(), name: "x".repeat(1_000) }));
    await expectProblem(await postBatch(huge), 413);
  });

  it("is idempotent with a key: a retry gets the first answer, and another batch under the key is a 422", async () => {
    const batch = rows(3, "idem");
    const key = crypto.randomUUID();
    const first = await postBatch(batch, { "Idempotency-Key": key });
    expect(first.status).toBe(201);
    const replay = await postBatch(batch, { "Idempotency-Key": key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await replay.json()).toEqual(await first.json());
    expect(await stored(batch.map((user) => user.email))).toBe(3);
    const reused = await expectProblem(await postBatch(rows(1), { "Idempotency-Key": key }), 422);
    expect(reused.type).toMatch(/idempotency-key-reused$/);
  });

  it("without a key, a repeat of a batch that was written refuses every row instead of writing it twice", async () => {
    const batch = rows(2, "repeat");
    expect((await postBatch(batch)).status).toBe(201);
    const errors = await rowErrors(await postBatch(batch));
    expect(errors.map((error) => error.row)).toEqual([0, 1]);
    expect(await stored(batch.map((user) => user.email))).toBe(2);
  });

  it("lets one of two concurrent batches that share an email win; the other writes nothing", async () => {
    const shared = uniqueEmail("shared");
    const a = [{ email: shared, name: "A" }, ...rows(20, "a")];
    const b = [...rows(20, "b"), { email: shared.toUpperCase(), name: "B" }];
    const [first, second] = await Promise.all([postBatch(a), postBatch(b)]);
    const statuses = [first.status, second.status].sort();
    expect(statuses[0]).toBe(201);
    expect([409, 422]).toContain(statuses[1]);
    expect(await stored([shared])).toBe(1);
    const written = (await stored(a.slice(1).map((user) => user.email))) + (await stored(b.slice(0, -1).map((user) => user.email)));
    expect(written).toBe(20);
  });

  it("needs users:write: 401 without a key, 403 with users:read", async () => {
    await expectProblem(await postBatch(rows(1), {}, ANONYMOUS), 401);
    const { key } = await createKey(["users:read"]);
    await expectProblem(await postBatch(rows(1), {}, key), 403);
  });
});

describe("GET /users/export", () => {
  it("streams every user once, as NDJSON, with the fields GET /users shows, across pages", async () => {
    // More users than one page holds, so the export reads on past the first page.
    for (let i = 0; i * MAX_USER_BATCH <= EXPORT_PAGE_SIZE; i++) expect((await postBatch(rows(MAX_USER_BATCH, "export"))).status).toBe(201);
    const response = await api("/users/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get("Cache-Control")).toContain("no-store");
    const lines = new TextDecoder().decode(await response.arrayBuffer()).trim().split("\n");
    const users = lines.map((line) => JSON.parse(line) as UserJson);
    const [count] = await sql()`SELECT count(*)::int AS n FROM users`;
    expect(users.length).toBe(count?.n);
    expect(users.length).toBeGreaterThan(EXPORT_PAGE_SIZE);
    expect(new Set(users.map((user) => user.id)).size).toBe(users.length);
    const listed = await (await api("/users?limit=1")).json<{ items: UserJson[] }>();
    expect(Object.keys(users[0] ?? {}).sort()).toEqual(Object.keys(listed.items[0] ?? {}).sort());
    expect(users[0]).toEqual(listed.items[0]);
    // Newest first, as the list.
    const times = users.map((user) => Date.parse(user.created_at));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  it("stops when the client goes away, and the API still answers", async () => {
    const response = await api("/users/export");
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    await reader.cancel();
    expect((await api("/users?limit=1")).status).toBe(200);
  });

  it("is personal data: users:read only, never public", async () => {
    await expectProblem(await api("/users/export", {}, ANONYMOUS), 401);
    const { key } = await createKey(["products:write"]);
    await expectProblem(await api("/users/export", {}, key), 403);
    const reader = await createKey(["users:read"]);
    const allowed = await api("/users/export", {}, reader.key);
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
  });

  it("declares its time budgets in /openapi.json: the batch a write's, the export a long one", async () => {
    const document = await (await api("/openapi.json")).json<{ paths: Record<string, Record<string, Record<string, unknown>>> }>();
    expect(document.paths["/users/batch"]?.post?.["x-time-budget"]).toBe("standard");
    expect(document.paths["/users/export"]?.get?.["x-time-budget"]).toBe("long");
  });
});
