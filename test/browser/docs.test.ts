import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, offlinePage, screenshot } from "./lib/browser.ts";

const BASE = inject("browserBaseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
});

describe("/docs in a browser", () => {
  it("renders the API reference and its operations with no internet, under its CSP", async () => {
    const { page, external, cspViolations, pageErrors } = await offlinePage(browser, BASE);
    await page.goto(`${BASE}/docs`);
    // The document's title and its operations, as the UI lists them from /openapi.json.
    await expect.poll(() => page.getByRole("heading", { name: "edgekit API" }).first().isVisible(), { timeout: 30_000 }).toBe(true);
    const sidebar = page.locator("nav, aside").first();
    for (const tag of ["products", "jobs", "events", "console"]) {
      await expect.poll(() => sidebar.getByText(tag, { exact: true }).first().isVisible(), { timeout: 10_000 }).toBe(true);
    }
    await expect.poll(() => page.getByText("/health/ready").first().isVisible(), { timeout: 10_000 }).toBe(true);
    // Opening a tag lists its operations.
    await sidebar.getByText("products", { exact: true }).first().click();
    await expect.poll(() => page.getByText("/products/{id}").first().isVisible(), { timeout: 10_000 }).toBe(true);
    await screenshot(page, "docs");
    expect(external).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
