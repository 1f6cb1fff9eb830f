import { html } from "hono/html";
import { SERVICE_NAME } from "../../config/service";

/** The page's script and stylesheet: static files (tools/assets.ts compiles them from ./client). */
export const CONSOLE_SCRIPT_PATH = "/assets/console/console.js";
export const CONSOLE_STYLESHEET_PATH = "/assets/console/console.css";

/**
 * What the console may load: its own script and stylesheet, nothing inline (no inline
 * script, no inline style: its sparklines are SVG drawn with attributes), requests to this
 * origin only (the snapshot, the operator routes, an event stream), no form submission (the
 * key form is handled by the script; without it the form must not send the key anywhere),
 * and no framing.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The console's page: a skeleton the script fills in. It holds no data and no secret; the
 * script asks for an API key, keeps it in this tab's sessionStorage and sends it as
 * `Authorization: Bearer` with each call (see client/api.ts for why that, and not a cookie).
 * The key's input has no `name`, so even a form sent without the script carries nothing.
 */
export function consolePageHtml() {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${SERVICE_NAME} console</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${CONSOLE_STYLESHEET_PATH}" />
    <script type="module" src="${CONSOLE_SCRIPT_PATH}"></script>
  </head>
  <body>
    <header class="top">
      <h1>${SERVICE_NAME} <span class="muted">console</span></h1>
      <span id="connection" class="connection" role="status" aria-live="polite"></span>
      <span id="caller" class="muted"></span>
      <button id="sign-out" type="button" hidden>Forget the key</button>
    </header>
    <noscript><p class="panel">The console needs JavaScript.</p></noscript>

    <section id="login" class="panel login" hidden>
      <h2>Sign in</h2>
      <form id="login-form" autocomplete="off">
        <label for="key">An API key with the <code>admin</code> scope (or the break-glass token)</label>
        <input id="key" type="password" autocomplete="off" spellcheck="false" required />
        <button type="submit">Open the console</button>
        <p id="login-error" class="error" role="alert"></p>
      </form>
      <p class="muted">
        The key stays in this browser tab (sessionStorage: gone when the tab closes) and is sent as
        <code>Authorization: Bearer</code> to this origin only. Jobs need <code>jobs:read</code> (retrying them
        <code>jobs:write</code>), private topics <code>events:subscribe</code>.
      </p>
    </section>

    <main id="dashboard" hidden>
      <section id="alerts" class="panel wide" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        <div class="body"></div>
      </section>
      <section id="breakers" class="panel wide" aria-labelledby="breakers-title">
        <h2 id="breakers-title">Circuit breakers</h2>
        <div class="body"></div>
      </section>
      <section id="routes" class="panel wide" aria-labelledby="routes-title">
        <h2 id="routes-title">Routes <span class="muted window-label"></span></h2>
        <div class="body"></div>
      </section>
      <section id="dependencies" class="panel" aria-labelledby="dependencies-title">
        <h2 id="dependencies-title">Dependencies</h2>
        <div class="body"></div>
      </section>
      <section id="cache" class="panel" aria-labelledby="cache-title">
        <h2 id="cache-title">Cache</h2>
        <div class="body"></div>
      </section>
      <section id="jobs" class="panel wide" aria-labelledby="jobs-title">
        <h2 id="jobs-title">Jobs</h2>
        <div class="body"></div>
      </section>
      <section id="events" class="panel wide" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <div class="body"></div>
        <form id="topic-form" class="inline" autocomplete="off">
          <label for="topic-input">Show a topic</label>
          <input id="topic-input" type="text" placeholder="orders" />
          <button type="submit">Add</button>
        </form>
        <h3>Live tail <span id="tail-topic" class="muted"></span></h3>
        <ol id="tail" class="tail" reversed></ol>
      </section>
      <section id="slow-queries" class="panel wide" aria-labelledby="slow-title">
        <h2 id="slow-title">Slow queries</h2>
        <div class="body"></div>
      </section>
    </main>
  </body>
</html>`;
}
