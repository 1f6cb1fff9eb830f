import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isDependencyUnavailableError } from "../../src/dependencies/errors";
import {
  control,
  eventually,
  newInbox,
  recorded,
  recordings,
  resetUpstreams,
  reviewsClient,
  serverState,
  testScope,
  upstreams,
} from "./http-client-helpers";

// Load balancing and failover across two instances of the fake upstream (`reviews` and
// `reviews2`), with real faults: an instance stopped (connections refused), slowed or
// failing, through the stack's control endpoint. Each test's base URLs are its own
// (`/recorded/{inbox}`), so each starts with a fresh rotation and fresh breakers.
// BREAKER_BREAK_MS is 1500 in tests, BREAKER_CONSECUTIVE_FAILURES 5, REVIEWS_TIMEOUT_MS 800.

const Echo = z.object({ instance: z.string(), path: z.string() });

afterEach(resetUpstreams);

async function setup(balance?: "round-robin" | "in-order") {
  const { one, two } = await upstreams();
  const inbox = newInbox();
  const { scope } = testScope();
  const baseUrls = [recorded(one, inbox), recorded(two, inbox)];
  const client = reviewsClient(scope, balance ? { baseUrls, balance } : { baseUrls });
  return { client, inbox, one, two, baseUrls };
}

async function served(inbox: string, via?: string): Promise<string[]> {
  return (await recordings(inbox, via)).map((r) => r.instance);
}

describe("load balancing across base URLs", () => {
  it("spreads calls round-robin over the healthy base URLs", async () => {
    const { client, inbox } = await setup();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await client.get("/echo/x", Echo)).instance);
    expect(answers).toEqual(["reviews", "reviews2", "reviews", "reviews2", "reviews", "reviews2"]);
    expect(await served(inbox)).toEqual(answers);
  });

  it("in order: keeps to the first, and the standby takes over only while the first is down", async () => {
    const { client, inbox, two } = await setup("in-order");
    for (let i = 0; i < 3; i++) await client.get("/echo/x", Echo);
    expect(await served(inbox)).toEqual(["reviews", "reviews", "reviews"]);
    await control("/reviews/stop");
    for (let i = 0; i < 3; i++) expect((await client.get("/echo/x", Echo)).instance).toBe("reviews2");
    expect(await served(inbox, two)).toEqual(["reviews", "reviews", "reviews", "reviews2", "reviews2", "reviews2"]);
  });
});

describe("failover and a breaker per base URL", () => {
  it("fails over at once from a stopped base URL, opens its breaker and skips it, and takes it back after the break", async () => {
    const { client, inbox, baseUrls } = await setup();
    await control("/reviews2/stop");
    // Every call succeeds: a refused connection moves the same attempt to the other base URL.
    for (let i = 0; i < 12; i++) expect((await client.get("/echo/x", Echo)).instance).toBe("reviews");
    expect(client.endpointStates()).toEqual([
      { baseUrl: baseUrls[0], state: "CLOSED" },
      { baseUrl: baseUrls[1], state: "OPEN" },
    ]);

    // Running again, but its circuit is open: no call goes there until the break is over…
    await control("/reviews2/start");
    for (let i = 0; i < 4; i++) expect((await client.get("/echo/x", Echo)).instance).toBe("reviews");
    expect(await served(inbox)).not.toContain("reviews2");

    // …then probes find it healthy, its circuit closes, and it is back in the rotation.
    await eventually(async () => {
      await client.get("/echo/x", Echo);
      return client.endpointStates()[1]?.state === "CLOSED";
    });
    const later = [];
    for (let i = 0; i < 4; i++) later.push((await client.get("/echo/x", Echo)).instance);
    expect(later.sort()).toEqual(["reviews", "reviews", "reviews2", "reviews2"]);
  });

  it("fails over from an instance that answers 503, within the same attempt", async () => {
    const { client, inbox } = await setup();
    await control("/reviews2/faults", { failureRate: 1 });
    for (let i = 0; i < 4; i++) expect((await client.get("/echo/x", Echo)).instance).toBe("reviews");
    expect(await served(inbox)).toEqual(["reviews", "reviews", "reviews", "reviews"]);
    expect((await serverState("reviews2")).stats.failed).toBeGreaterThanOrEqual(2);
  });

  it("moves on from a slow instance: its attempt times out and the retry goes to the other", async () => {
    const { client } = await setup();
    await control("/reviews2/faults", { delayMs: 3_000 });
    for (let i = 0; i < 2; i++) expect((await client.get("/echo/x", Echo)).instance).toBe("reviews");
    await eventually(async () => (await serverState("reviews2")).stats.aborted >= 1);
  });

  it("sends a POST without an Idempotency-Key to one base URL only: no failover, no retry", async () => {
    const { client, inbox } = await setup();
    await control("/reviews2/stop");
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await client.post("/echo/x", { json: { i } }).then(
        () => "sent",
        (error: unknown) => (isDependencyUnavailableError(error) ? "unavailable" : String(error)),
      ));
    }
    // Round-robin gave reviews2 every other call: those fail, and reviews never saw them.
    expect(outcomes).toEqual(["sent", "unavailable", "sent", "unavailable"]);
    expect(await served(inbox)).toEqual(["reviews", "reviews"]);

    // With a key, a repeat is safe: the call that finds reviews2 down goes on to reviews.
    for (let i = 0; i < 2; i++) await client.post("/echo/x", { json: { i }, idempotencyKey: `key-${String(i)}` });
    expect(await served(inbox)).toEqual(["reviews", "reviews", "reviews", "reviews"]);
  });
});
