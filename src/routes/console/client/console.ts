/**
 * The operations console's page script: asks for a key, then reads `GET /console/snapshot`
 * every second and redraws; the buttons call the operator routes with the same key;
 * the live tail follows a topic's Server-Sent Events. See api.ts for how the key is held.
 */
import { ApiError, callApi, describe, keyStore } from "./api.js";
import { byId, byIdOf, fill, h } from "./dom.js";
import { History } from "./history.js";
import {
  addTailEvent,
  renderAlerts,
  renderBreakers,
  renderCache,
  renderDependencies,
  renderJobs,
  renderRoutes,
  renderSlowQueries,
  renderTopics,
  type Actions,
} from "./panels.js";
import { Tail } from "./tail.js";
import type { Snapshot } from "./types.js";

const POLL_MS = 1_000;
/** Topics the operator added, kept with the key for this tab. */
const TOPICS_STORAGE = "console.topics";
const TOPIC = /^[a-z0-9][a-z0-9._-]{0,99}$/;

let history = new History();
let timer: ReturnType<typeof setTimeout> | undefined;
let polling: AbortController | undefined;
let tail: Tail | undefined;
let following: string | undefined;
let lastSnapshot: Snapshot | undefined;
let lastSuccess = 0;

const extraTopics = (): string[] => (sessionStorage.getItem(TOPICS_STORAGE) ?? "").split(",").filter((topic) => TOPIC.test(topic));

function setConnection(text: string, tone: "ok" | "warn" | "bad"): void {
  const element = byId("connection");
  element.textContent = text;
  element.dataset.tone = tone;
}

function showLogin(message = ""): void {
  stop();
  byId("dashboard").hidden = true;
  byId("sign-out").hidden = true;
  byId("caller").textContent = "";
  setConnection("", "warn");
  byId("login").hidden = false;
  byId("login-error").textContent = message;
  byIdOf("key", HTMLInputElement).focus();
}

function showDashboard(snapshot: Snapshot): void {
  byId("login").hidden = true;
  byId("dashboard").hidden = false;
  byId("sign-out").hidden = false;
  const { caller } = snapshot;
  byId("caller").textContent = caller.kind === "admin-token" ? "break-glass token" : `${caller.name ?? ""} (${caller.prefix ?? ""}…)`;
}

function stop(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  polling?.abort();
  polling = undefined;
  tail?.stop();
  tail = undefined;
  following = undefined;
}

async function fetchSnapshot(key: string, signal?: AbortSignal): Promise<Snapshot> {
  const topics = extraTopics();
  const query = topics.length > 0 ? `?topics=${encodeURIComponent(topics.join(","))}` : "";
  return callApi<Snapshot>(`/console/snapshot${query}`, key, { signal });
}

function render(snapshot: Snapshot, actions: Actions): void {
  lastSnapshot = snapshot;
  history.add(snapshot);
  renderAlerts(snapshot);
  renderBreakers(snapshot, history, actions);
  renderRoutes(history);
  renderDependencies(snapshot, history);
  renderCache(snapshot, history);
  renderJobs(snapshot, actions);
  renderTopics(snapshot, actions, following);
  renderSlowQueries(snapshot);
}

/** One poll, then the next one POLL_MS after this one began (or after a Retry-After). */
async function poll(key: string, actions: Actions): Promise<void> {
  const started = Date.now();
  let delay = POLL_MS;
  // This poll's own controller: an action's refresh aborts it and starts the next poll itself.
  const controller = new AbortController();
  polling = controller;
  try {
    const snapshot = await fetchSnapshot(key, controller.signal);
    if (controller.signal.aborted) return;
    render(snapshot, actions);
    lastSuccess = Date.now();
    setConnection("live", "ok");
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      keyStore.clear();
      return showLogin(`Refused: ${error.message}`);
    }
    if (error instanceof ApiError && error.retryAfterSeconds !== undefined) delay = error.retryAfterSeconds * 1000;
    const stale = lastSuccess === 0 ? "" : ` (last update ${String(Math.round((Date.now() - lastSuccess) / 1000))} s ago)`;
    setConnection(`${describe(error)}${stale}`, "bad");
  }
  timer = setTimeout(() => void poll(key, actions), Math.max(0, delay - (Date.now() - started)));
}

/** Something to say for a moment under the header: an action's outcome. */
function notice(text: string, tone: "ok" | "bad"): void {
  const element = h("p", { class: `notice ${tone}` }, text);
  byId("dashboard").prepend(element);
  setTimeout(() => element.remove(), 6_000);
}

function actionsFor(key: string): Actions {
  /** After an action, redraw at once instead of at the next tick. */
  const refresh = () => {
    if (timer !== undefined) clearTimeout(timer);
    polling?.abort();
    void poll(key, actions);
  };
  const actions: Actions = {
    breaker(name, action) {
      callApi(`/admin/breakers/${encodeURIComponent(name)}/${action}`, key, { method: "POST" })
        .then(() => notice(`${name}: ${action} done.`, "ok"))
        .catch((error: unknown) => notice(`${name}: ${action} refused: ${describe(error)}`, "bad"))
        .finally(refresh);
    },
    retryJob(id) {
      callApi(`/jobs/${encodeURIComponent(id)}/retry`, key, { method: "POST" })
        .then(() => notice(`Job ${id.slice(0, 8)} requeued.`, "ok"))
        .catch((error: unknown) => notice(`Job ${id.slice(0, 8)} not requeued: ${describe(error)}`, "bad"))
        .finally(refresh);
    },
    follow(topic, since) {
      tail?.stop();
      following = topic;
      fill(byId("tail"));
      byId("tail-topic").textContent = topic;
      tail = new Tail(key, {
        onEvent: addTailEvent,
        onStatus: (status) => (byId("tail-topic").textContent = `${topic}: ${status}`),
      });
      tail.follow(topic, since);
      if (lastSnapshot) renderTopics(lastSnapshot, actions, following);
    },
  };
  return actions;
}

/** With a key: checks it (one snapshot), then polls. A refused key goes back to the form, with the reason. */
async function start(key: string): Promise<void> {
  setConnection("connecting…", "warn");
  history = new History();
  const actions = actionsFor(key);
  try {
    const snapshot = await fetchSnapshot(key);
    keyStore.set(key);
    showDashboard(snapshot);
    render(snapshot, actions);
    lastSuccess = Date.now();
    setConnection("live", "ok");
    timer = setTimeout(() => void poll(key, actions), POLL_MS);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      keyStore.clear();
      return showLogin(`Refused: ${error.message}`);
    }
    showLogin(describe(error));
  }
}

byIdOf("login-form", HTMLFormElement).addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byIdOf("key", HTMLInputElement);
  const key = input.value.trim();
  input.value = "";
  if (key !== "") void start(key);
});

byId("sign-out").addEventListener("click", () => {
  keyStore.clear();
  sessionStorage.removeItem(TOPICS_STORAGE);
  showLogin("The key is forgotten.");
});

byIdOf("topic-form", HTMLFormElement).addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byIdOf("topic-input", HTMLInputElement);
  const topic = input.value.trim();
  if (!TOPIC.test(topic)) {
    notice("A topic is 1–100 characters: a-z, 0-9, '.', '_' or '-', starting with a letter or digit.", "bad");
    return;
  }
  input.value = "";
  sessionStorage.setItem(TOPICS_STORAGE, [...new Set([...extraTopics(), topic])].join(","));
  const key = keyStore.get();
  if (key) {
    if (timer !== undefined) clearTimeout(timer);
    polling?.abort();
    void poll(key, actionsFor(key));
  }
});

const saved = keyStore.get();
if (saved) void start(saved);
else showLogin();
