import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, offlinePage, screenshot, type OfflinePage } from "./lib/browser.ts";

const BASE = inject("browserBaseUrl");
const KEY = inject("browserApiKey");

let browser: Browser;
let session: OfflinePage;

/** A call to the Worker from the test itself, as another client (not the page) would make it. */
async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
  return fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${BASE}/console`);
  await page.locator("#key").fill(key);
  await page.getByRole("button", { name: "Open the console" }).click();
}

/** The text of the state badge of one breaker, as the page shows it now. */
const breakerState = (page: Page, name: string) => page.locator(`[data-breaker-state="${name}"]`).textContent();

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await call("POST", "/admin/breakers/neon/reset");
  await browser.close();
});

describe("/console in a browser", () => {
  it("refuses to open without a key the API accepts, or with one that lacks the admin scope", async () => {
    const { page, external, pageErrors } = await offlinePage(browser, BASE);
    await page.goto(`${BASE}/console`);
    expect(await page.locator("#login").isVisible()).toBe(true);
    expect(await page.locator("#dashboard").isVisible()).toBe(false);

    await signIn(page, "ek_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    await expect.poll(() => page.locator("#login-error").textContent()).toMatch(/^Refused: /);
    await signIn(page, inject("browserReaderKey"));
    await expect.poll(() => page.locator("#login-error").textContent()).toContain('"admin" scope');
    expect(await page.locator("#dashboard").isVisible()).toBe(false);
    // A refused key is not kept.
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("opens with an admin key, offline and within its CSP, and keeps the key in the tab only", async () => {
    session = await offlinePage(browser, BASE, { width: 1280, height: 1000 });
    const { page } = session;
    await signIn(page, KEY);
    await page.locator("#dashboard").waitFor({ state: "visible" });
    expect(await page.locator("#caller").textContent()).toContain("browser tests: every scope");
    await expect.poll(() => page.locator("[data-breaker-state]").count()).toBe(4);
    await expect.poll(() => page.locator("#connection").textContent()).toBe("live");
    expect(await page.evaluate(() => sessionStorage.getItem("console.apiKey"))).toBe(KEY);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.context().cookies()).toEqual([]);
    expect(session.external).toEqual([]);
    expect(session.cspViolations).toEqual([]);
  });

  it("shows a breaker forced open within 2 s, and its reset button closes it again", async () => {
    const { page } = session;
    expect(await breakerState(page, "neon")).toBe("CLOSED");
    expect((await call("POST", "/admin/breakers/neon/open")).status).toBe(200);
    await expect.poll(() => breakerState(page, "neon"), { timeout: 2_000, interval: 100 }).toBe("FORCED_OPEN");
    // The transition is listed, and the page's own button undoes it (POST with the key).
    await expect.poll(() => page.locator("#breakers .history").textContent()).toContain("neon: CLOSED → FORCED_OPEN");
    await page.locator('button[data-breaker="neon"][data-action="reset"]').click();
    await expect.poll(() => breakerState(page, "neon"), { timeout: 5_000 }).toBe("CLOSED");
  });

  it("follows a topic: a published event appears in the live tail", async () => {
    const { page } = session;
    const topic = `console-${crypto.randomUUID().slice(0, 8)}`;
    // A topic exists from its first event.
    expect((await call("POST", `/events/${topic}`, { type: "note.posted", data: { text: "first note" } })).status).toBe(201);
    await page.locator("#topic-input").fill(topic);
    await page.getByRole("button", { name: "Add" }).click();
    await page.locator(`button[data-follow="${topic}"]`).click();
    await expect.poll(() => page.locator("#tail-topic").textContent(), { timeout: 10_000 }).toBe(`${topic}: following`);
    const text = `live ${crypto.randomUUID()}`;
    expect((await call("POST", `/events/${topic}`, { type: "note.posted", data: { text } })).status).toBe(201);
    await expect.poll(() => page.locator("#tail").textContent(), { timeout: 10_000 }).toContain(text);
    // The replay brought the earlier event too, once.
    expect(await page.locator("#tail li").count()).toBe(2);
    await expect.poll(() => page.locator(`[data-subscribers="${topic}"]`).textContent(), { timeout: 5_000 }).toBe("1");
  });

  it("lists a dead job, and its retry button requeues it", async () => {
    const { page } = session;
    const created = await call("POST", "/jobs", {
      name: "notify-webhook",
      // The inbox refuses with a 400: a refusal is final, so the job is dead at its first attempt.
      payload: { url: `${inject("browserInboxUrl")}/webhooks/console-retry?status=400`, event: "console.test" },
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const button = page.locator(`button[data-retry="${id}"]`);
    await button.waitFor({ state: "visible", timeout: 30_000 });
    const job = async () => (await (await call("GET", `/jobs/${id}`)).json()) as { status: string; updated_at: string };
    const dead = await job();
    expect(dead.status).toBe("dead");
    const retried = page.waitForResponse((response) => response.url().endsWith(`/jobs/${id}/retry`) && response.request().method() === "POST");
    await button.click();
    const response = await retried;
    expect(response.status()).toBe(202);
    expect(((await response.json()) as { status: string }).status).toBe("queued");
    await expect.poll(() => page.locator(".notice").allTextContents()).toContain(`Job ${id.slice(0, 8)} requeued.`);
    // Replayed: it ran again, and the inbox refused it again.
    await expect.poll(async () => (await job()).status, { timeout: 20_000 }).toBe("dead");
    expect(Date.parse((await job()).updated_at)).toBeGreaterThan(Date.parse(dead.updated_at));
  });

  it("draws the traffic of the last minutes (screenshot for the README)", async () => {
    const { page } = session;
    for (let i = 0; i < 10; i++) {
      await fetch(`${BASE}/products?limit=5`, { signal: AbortSignal.timeout(10_000) });
      await fetch(`${BASE}/products/${crypto.randomUUID()}`, { signal: AbortSignal.timeout(10_000) });
      await new Promise((done) => setTimeout(done, 200));
    }
    await expect.poll(() => page.locator("#routes").textContent(), { timeout: 10_000 }).toContain("GET /products/{id}");
    expect(await page.locator("#routes svg.sparkline").count()).toBeGreaterThan(0);
    await screenshot(page, "console", { fullPage: true });
    expect(session.cspViolations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    expect(session.external).toEqual([]);
    await page.context().close();
  });
});
