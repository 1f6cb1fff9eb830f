import { describe, expect, it } from "vitest";
import { api, apiWithEnv, expectProblem, REDIS_DOWN, sendJson } from "./helpers";

interface UserJson {
  id: string;
  email: string;
  name: string;
  created_at: string;
  updated_at: string;
}

const uniqueEmail = () => `user-${crypto.randomUUID()}@example.com`;
async function createUser(fields: Partial<UserJson> = {}): Promise<UserJson> {
  const response = await sendJson("POST", "/users", { email: uniqueEmail(), name: "Ada", ...fields });
  expect(response.status).toBe(201);
  return response.json();
}
const directory = () => api("/users-dict");

describe("users", () => {
  it("creates, reads, changes and deletes a user", async () => {
    const user = await createUser({ name: "Grace" });
    expect(user).toMatchObject({ name: "Grace" });
    expect(await (await api(`/users/${user.id}`)).json()).toEqual(user);
    const changed = await sendJson("PATCH", `/users/${user.id}`, { name: "Grace H." });
    expect(await changed.json()).toMatchObject({ id: user.id, name: "Grace H.", email: user.email });
    const list = await (await api("/users?limit=100")).json<{ items: UserJson[] }>();
    expect(list.items.some((u) => u.id === user.id)).toBe(true);
    expect((await api(`/users/${user.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await api(`/users/${user.id}`), 404);
  });

  it("refuses a second user with the same email, whatever its case (409)", async () => {
    const email = uniqueEmail();
    await createUser({ email });
    const problem = await expectProblem(await sendJson("POST", "/users", { email: email.toUpperCase(), name: "X" }), 409);
    expect(problem.detail).toContain("email");
  });

  it("answers 400 naming an invalid email, and 404 for an unknown user", async () => {
    const problem = await expectProblem(await sendJson("POST", "/users", { email: "not-an-email", name: "X" }), 400);
    expect(problem.errors?.map((e) => e.field)).toEqual(["email"]);
    await expectProblem(await sendJson("PATCH", `/users/${crypto.randomUUID()}`, { name: "Y" }), 404);
  });
});

describe("GET /users-dict", () => {
  it("is rebuilt from Postgres on a miss, served from Redis after, and dropped on writes", async () => {
    const user = await createUser({ name: "1.50" }); // a name that looks like a number stays a string
    const miss = await directory();
    expect(miss.headers.get("X-Cache")).toBe("MISS");
    expect((await miss.json<Record<string, string>>())[user.id]).toBe("1.50");
    const hit = await directory();
    expect(hit.headers.get("X-Cache")).toBe("HIT");
    expect((await hit.json<Record<string, string>>())[user.id]).toBe("1.50");

    await sendJson("PATCH", `/users/${user.id}`, { name: "Renamed" });
    const afterWrite = await directory();
    expect(afterWrite.headers.get("X-Cache")).toBe("MISS");
    expect((await afterWrite.json<Record<string, string>>())[user.id]).toBe("Renamed");
  });

  it("answers from Postgres when Redis is down", async () => {
    const user = await createUser({ name: "Barbara" });
    const response = await apiWithEnv(REDIS_DOWN, "/users-dict");
    expect(response.headers.get("X-Cache")).toBe("BYPASS");
    expect((await response.json<Record<string, string>>())[user.id]).toBe("Barbara");
  });
});
