import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

/** Where the tests leave screenshots (git-ignored). */
export const SCREENSHOTS = "test/browser/screenshots";

/**
 * The machine's Chromium: CHROMIUM_PATH, else Debian's `chromium` package (CI installs it),
 * else where Chrome, Chromium or Edge usually live on Linux, macOS and Windows.
 * playwright-core downloads no browser of its own.
 */
export function chromiumPath(): string {
  const windows = [process.env.PROGRAMFILES, process.env["PROGRAMFILES(X86)"], process.env.LOCALAPPDATA]
    .filter((dir): dir is string => Boolean(dir))
    .flatMap((dir) => [`${dir}\\Google\\Chrome\\Application\\chrome.exe`, `${dir}\\Microsoft\\Edge\\Application\\msedge.exe`]);
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    ...windows,
  ];
  const found = candidates.find((path): path is string => path !== undefined && path !== "" && existsSync(path));
  if (!found) throw new Error("No Chrome or Chromium found: install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to its executable");
  return found;
}

export function launchChromium(): Promise<Browser> {
  // Chromium's sandbox refuses to run as root (CI containers do): only there is it turned off.
  const root = process.getuid?.() === 0;
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: root ? ["--no-sandbox"] : [] });
}

/** A page that cannot reach beyond the machine, and what it tried and what went wrong in it. */
export interface OfflinePage {
  page: Page;
  /** Requests to any host but the Worker's (each was aborted). */
  external: string[];
  /** Content-Security-Policy violations the browser reported. */
  cspViolations: string[];
  /** Uncaught exceptions in the page's script. */
  pageErrors: string[];
}

/**
 * A fresh page (its own context: no storage shared with other tests) on which every request
 * to a host other than the Worker's is aborted, as if offline: what it needs must come from
 * the Worker itself.
 */
export async function offlinePage(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 900 }): Promise<OfflinePage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const origin = new URL(baseUrl).origin;
  const result: OfflinePage = { page, external: [], cspViolations: [], pageErrors: [] };
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || url.startsWith("blob:") || new URL(url).origin === origin) return route.continue();
    result.external.push(url);
    return route.abort("internetdisconnected");
  });
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("Content Security Policy")) result.cspViolations.push(message.text());
  });
  page.on("pageerror", (error) => result.pageErrors.push(error.message));
  return result;
}

/** Saves what the page shows (the whole page with `fullPage`) under SCREENSHOTS. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}
