/**
 * Building the page: elements from a tag, properties and children. Text is always set as
 * text (a `Text` node), never parsed as HTML, so nothing the API returns (an error message,
 * an event's data, a query) can become markup or script.
 */

type Child = Node | string | number | null | undefined | false;

interface Props {
  class?: string;
  title?: string;
  hidden?: boolean;
  disabled?: boolean;
  type?: string;
  /** `data-*` attributes, e.g. `{ breaker: "neon" }` → `data-breaker="neon"`. */
  data?: Record<string, string>;
  onClick?: () => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.title) element.title = props.title;
  if (props.hidden) element.hidden = true;
  if (props.type) element.setAttribute("type", props.type);
  if (props.disabled) element.setAttribute("disabled", "");
  for (const [name, value] of Object.entries(props.data ?? {})) element.dataset[name] = value;
  if (props.onClick) element.addEventListener("click", props.onClick);
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces what `parent` holds. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** The element with this id; the page's skeleton (console.page.ts) has every one the script uses. */
export function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element;
}

/** The element with this id, checked to be of this kind (`byIdOf("key", HTMLInputElement)`). */
export function byIdOf<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = byId(id);
  if (!(element instanceof kind)) throw new Error(`#${id} is not a ${kind.name}`);
  return element;
}

/** A panel's body: `<section id="…"><div class="body">`. */
export function panelBody(id: string): HTMLElement {
  const body = byId(id).querySelector<HTMLElement>(".body");
  if (!body) throw new Error(`#${id} has no .body`);
  return body;
}

export function table(headings: string[], rows: Child[][], className = "grid"): HTMLTableElement {
  return h(
    "table",
    { class: className },
    h("thead", {}, h("tr", {}, ...headings.map((heading) => h("th", {}, heading)))),
    h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((cell) => h("td", {}, cell))))),
  );
}

/** "12 s ago", "3 min ago", for a time in ms since the epoch. */
export function ago(at: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 90) return `${String(seconds)} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${String(minutes)} min ago`;
  return `${String(Math.round(minutes / 60))} h ago`;
}

/** A number for a table: `–` when unknown, at most `digits` decimals. */
export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? "–" : `${(ratio * 100).toFixed(1)} %`;
}
