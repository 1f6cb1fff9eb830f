import { ago, byId, fill, h, num, panelBody, percent, table } from "./dom.js";
import type { History, Point } from "./history.js";
import { WINDOW_MS } from "./history.js";
import { sparkline } from "./sparkline.js";
import type { Part, Snapshot, TopicEvent } from "./types.js";

/** What the panels' buttons do (console.ts sends the calls). */
export interface Actions {
  breaker(name: string, action: "open" | "close" | "reset"): void;
  retryJob(id: string): void;
  follow(topic: string, since: number): void;
}

/** Routes drawn at most; the quieter ones are counted below the table. */
const MAX_ROUTES = 12;
/** Tail entries kept on the page. */
const MAX_TAIL = 50;

const STATE_TONES: Record<string, string> = {
  CLOSED: "ok",
  FORCED_CLOSED: "warn",
  HALF_OPEN: "warn",
  OPEN: "bad",
  FORCED_OPEN: "bad",
};

const badge = (text: string, tone: string) => h("span", { class: `badge ${tone}` }, text);

/** A part that could not be read: its reason in place of the panel's content. */
function unavailable(body: HTMLElement, part: Extract<Part<unknown>, { ok: false }>): void {
  fill(body, h("p", { class: part.status === 403 ? "muted" : "error" }, part.error));
}

const series = (points: Point[], pick: (point: Point) => number | null) => points.map(pick);

export function renderAlerts(snapshot: Snapshot): void {
  const section = byId("alerts");
  const body = panelBody("alerts");
  const { alerts } = snapshot;
  // A deployment without alerts answers 404 for them: no panel then.
  section.hidden = !alerts.ok && alerts.status === 404;
  if (!alerts.ok) return unavailable(body, alerts);
  const rules = alerts.data.rules ?? [];
  const firing = rules.filter((rule) => rule.firing);
  fill(
    body,
    h("p", {}, firing.length === 0 ? badge("nothing firing", "ok") : badge(`${String(firing.length)} firing`, "bad")),
    table(
      ["rule", "state", "since", "value"],
      rules.map((rule) => [
        h("span", { title: rule.description }, rule.id),
        rule.firing ? badge("firing", "bad") : badge("ok", "ok"),
        rule.since ? ago(Date.parse(rule.since)) : "",
        rule.value === undefined ? "" : num(rule.value, 3),
      ]),
    ),
    (alerts.data.history ?? []).length > 0 &&
      h(
        "ul",
        { class: "history" },
        ...(alerts.data.history ?? []).slice(0, 8).map((event) => h("li", {}, h("time", {}, ago(Date.parse(event.at))), " ", badge(event.state, event.state === "firing" ? "bad" : "ok"), " ", event.message)),
      ),
  );
}

export function renderBreakers(snapshot: Snapshot, history: History, actions: Actions): void {
  const body = panelBody("breakers");
  if (!snapshot.breakers.ok) return unavailable(body, snapshot.breakers);
  const button = (name: string, action: "open" | "close" | "reset") =>
    h("button", { type: "button", data: { breaker: name, action }, onClick: () => actions.breaker(name, action) }, action);
  const transitions = history.transitions();
  fill(
    body,
    table(
      ["dependency", "state", "failure rate", "calls", "opens", "last change", ""],
      snapshot.breakers.data.map((breaker) => [
        breaker.name,
        h("span", { data: { state: breaker.view.state, breakerState: breaker.name } }, badge(breaker.view.state, STATE_TONES[breaker.view.state] ?? "warn")),
        percent(history.breakerFailureRate(breaker.name)),
        num(breaker.counters.successes + breaker.counters.failures),
        num(breaker.counters.opens),
        breaker.counters.lastTransitionAt === null ? "never" : ago(breaker.counters.lastTransitionAt),
        h("span", { class: "actions" }, button(breaker.name, "open"), button(breaker.name, "close"), button(breaker.name, "reset")),
      ]),
    ),
    transitions.length > 0 &&
      h(
        "ul",
        { class: "history" },
        ...transitions.slice(0, 6).map((t) => h("li", {}, h("time", {}, ago(t.at)), ` ${t.name}: ${t.from ? `${t.from} → ` : "→ "}${t.to}`)),
      ),
  );
}

export function renderRoutes(history: History): void {
  const body = panelBody("routes");
  const label = byId("routes").querySelector(".window-label");
  if (label) label.textContent = `last ${String(Math.round(Math.min(history.spanSeconds(), WINDOW_MS / 1000)))} s`;
  const keys = history.activeRoutes();
  if (keys.length === 0) return fill(body, h("p", { class: "muted" }, "No requests yet."));
  const rows = keys.slice(0, MAX_ROUTES).map((key) => {
    const points = history.routeSeries(key);
    const totals = history.windowTotals("routes", key);
    const last = points.at(-1);
    return [
      h("code", {}, key),
      h("span", { class: "cell-chart" }, sparkline(series(points, (p) => p.rate), { unit: "req/s" }), ` ${num(last?.rate, 1)}/s`),
      h("span", { class: "cell-chart" }, sparkline(series(points, (p) => p.p50), { tone: "line-latency", unit: "ms" }), ` ${num(totals?.p50, 1)} ms`),
      h("span", { class: "cell-chart" }, sparkline(series(points, (p) => p.p99), { tone: "line-latency", unit: "ms" }), ` ${num(totals?.p99, 1)} ms`),
      h("span", { class: "cell-chart" }, sparkline(series(points, (p) => p.errors), { tone: "line-errors", minMax: 1, unit: "5xx" }), ` ${num(totals?.errors)}`),
    ];
  });
  fill(
    body,
    table(["route", "requests", "p50", "p99", "5xx"], rows),
    keys.length > MAX_ROUTES && h("p", { class: "muted" }, `${String(keys.length - MAX_ROUTES)} quieter routes not shown.`),
  );
}

export function renderDependencies(snapshot: Snapshot, history: History): void {
  const body = panelBody("dependencies");
  if (!snapshot.metrics.ok) return unavailable(body, snapshot.metrics);
  const names = (snapshot.metrics.data.summary.dependencies ?? []).map((d) => d.name);
  if (names.length === 0) return fill(body, h("p", { class: "muted" }, "No dependency calls yet."));
  fill(
    body,
    table(
      ["dependency", "calls", "p50", "p99", "errors"],
      names.map((name) => {
        const points = history.dependencySeries(name);
        const totals = history.windowTotals("dependencies", name);
        return [
          name,
          h("span", { class: "cell-chart" }, sparkline(series(points, (p) => p.rate), { width: 80, unit: "calls/s" }), ` ${num(points.at(-1)?.rate, 1)}/s`),
          num(totals?.p50, 1),
          h("span", { class: "cell-chart" }, sparkline(series(points, (p) => p.p99), { width: 80, tone: "line-latency", unit: "ms" }), ` ${num(totals?.p99, 1)} ms`),
          num(totals?.errors),
        ];
      }),
    ),
  );
}

export function renderCache(snapshot: Snapshot, history: History): void {
  const body = panelBody("cache");
  if (!snapshot.cache.ok) return unavailable(body, snapshot.cache);
  const { hits, misses, bypasses, stale } = snapshot.cache.data;
  const { series: ratios, window } = history.cacheRatio();
  const total = hits + misses;
  fill(
    body,
    h("p", { class: "big" }, h("span", { data: { cacheRatio: "" } }, percent(total > 0 ? hits / total : null)), h("span", { class: "muted" }, " hit ratio, all time")),
    h("p", {}, sparkline(ratios, { width: 200, max: 1, unit: "" }), ` ${percent(window)} in the window`),
    table(["hits", "misses", "bypasses", "stale"], [[num(hits), num(misses), num(bypasses), num(stale)]]),
  );
}

export function renderJobs(snapshot: Snapshot, actions: Actions): void {
  const body = panelBody("jobs");
  if (!snapshot.jobs.ok) return unavailable(body, snapshot.jobs);
  const { counts, dead, failed } = snapshot.jobs.data;
  const stats = snapshot.metrics.ok ? (snapshot.metrics.data.summary.jobs ?? {}) : {};
  const names = [...new Set([...counts.map((c) => c.name), ...Object.keys(stats)])].sort();
  const count = (name: string, status: string) => counts.find((c) => c.name === name && c.status === status)?.count ?? 0;
  const canRetry = snapshot.caller.scopes.includes("jobs:write");
  const jobRow = (job: (typeof dead)[number], retry: boolean) => [
    h("code", { title: job.id }, job.id.slice(0, 8)),
    job.name,
    `${String(job.attempts)}/${String(job.max_attempts)}`,
    h("span", { class: "error-text" }, job.last_error ?? ""),
    ago(Date.parse(job.updated_at)),
    retry &&
      h(
        "button",
        { type: "button", data: { retry: job.id }, disabled: !canRetry, title: canRetry ? "Replay with fresh attempts" : "Needs jobs:write", onClick: () => actions.retryJob(job.id) },
        "retry",
      ),
  ];
  fill(
    body,
    names.length === 0
      ? h("p", { class: "muted" }, "No jobs yet.")
      : table(
          ["job", "queued", "running", "failed", "dead", "succeeded", "per min", "p95", "last 15 min"],
          names.map((name) => {
            const s = stats[name];
            const recent = (s?.recent ?? []).map((m) => m.succeeded + m.failed + m.dead);
            return [
              name,
              num(count(name, "queued")),
              num(count(name, "running")),
              num(count(name, "failed")),
              num(count(name, "dead")),
              num(s?.succeeded),
              num(s?.perMinute, 1),
              s?.durationMs?.p95 === undefined || s.durationMs.p95 === null ? "–" : `${num(s.durationMs.p95, 0)} ms`,
              recent.length > 0 ? sparkline(recent, { width: 90, unit: "runs/min" }) : "",
            ];
          }),
        ),
    h("h3", {}, "Dead letters"),
    dead.length === 0 ? h("p", { class: "muted" }, "None.") : table(["job", "name", "attempts", "last error", "when", ""], dead.map((job) => jobRow(job, true)), "grid dead-jobs"),
    h("h3", {}, "Recent failures (will run again)"),
    failed.length === 0 ? h("p", { class: "muted" }, "None.") : table(["job", "name", "attempts", "last error", "when", ""], failed.map((job) => jobRow(job, false))),
  );
}

export function renderTopics(snapshot: Snapshot, actions: Actions, following: string | undefined): void {
  const body = panelBody("events");
  fill(
    body,
    table(
      ["topic", "subscribers", "published", "last id", ""],
      snapshot.topics.map(({ topic, stats }) =>
        stats.ok
          ? [
              h("code", {}, topic),
              h("span", { data: { subscribers: topic } }, num(stats.data.subscribers.websocket + stats.data.subscribers.sse)),
              num(stats.data.published),
              num(stats.data.lastEventId),
              h(
                "button",
                { type: "button", data: { follow: topic }, disabled: following === topic, onClick: () => actions.follow(topic, Math.max(0, stats.data.lastEventId - 10)) },
                following === topic ? "following" : "follow",
              ),
            ]
          : [h("code", {}, topic), h("span", { class: stats.status === 403 ? "muted" : "error" }, stats.error), "", "", ""],
      ),
    ),
  );
}

/** Adds an event to the top of the live tail. */
export function addTailEvent(event: TopicEvent): void {
  const list = byId("tail");
  const data = JSON.stringify(event.data);
  list.prepend(
    h(
      "li",
      { data: { eventId: String(event.id) } },
      h("time", {}, new Date(event.time).toLocaleTimeString()),
      " ",
      h("code", {}, `#${String(event.id)}`),
      " ",
      h("strong", {}, event.type),
      " ",
      h("span", { class: "muted" }, data.length > 300 ? `${data.slice(0, 300)}…` : data),
    ),
  );
  while (list.children.length > MAX_TAIL) list.lastElementChild?.remove();
}

export function renderSlowQueries(snapshot: Snapshot): void {
  const body = panelBody("slow-queries");
  if (!snapshot.metrics.ok) return unavailable(body, snapshot.metrics);
  const { count, latest } = snapshot.metrics.data.slowQueries;
  fill(
    body,
    h("p", {}, `${num(count)} slow queries so far.`),
    latest.length > 0 &&
      table(
        ["duration", "when", "statement"],
        latest.slice(0, 10).map((query) => [`${num(query.durationMs)} ms`, ago(Date.parse(query.at)), h("code", { class: "statement", title: query.statement }, query.statement.slice(0, 200))]),
      ),
  );
}
