const SVG = "http://www.w3.org/2000/svg";

export interface SparklineOptions {
  width?: number;
  height?: number;
  /** A class for the line's colour (console.css): `line-errors`, `line-latency`… */
  tone?: string;
  /** The top of the scale; the data's maximum when absent (never below `minMax`). */
  max?: number;
  minMax?: number;
  /** What the values are, for the tooltip: `req/s`, `ms`… */
  unit?: string;
}

/**
 * A small line chart of `values`, oldest first, as SVG drawn with attributes only (the
 * page's CSP allows no inline style). A `null` is a gap (no data for that moment), so a
 * line never joins two points across missing data.
 */
export function sparkline(values: readonly (number | null)[], options: SparklineOptions = {}): SVGSVGElement {
  const width = options.width ?? 120;
  const height = options.height ?? 24;
  const known = values.filter((value): value is number => value !== null && Number.isFinite(value));
  const max = options.max ?? Math.max(options.minMax ?? 0, ...known, Number.EPSILON);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${String(width)} ${String(height)}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("class", `sparkline ${options.tone ?? ""}`.trim());
  svg.setAttribute("role", "img");

  const step = values.length > 1 ? width / (values.length - 1) : width;
  const y = (value: number) => (height - 2 - (Math.min(value, max) / max) * (height - 4) + 1).toFixed(1);
  let run: string[] = [];
  const flush = () => {
    if (run.length === 1) run.push(run[0] ?? ""); // a lone point: a dot-sized line
    if (run.length > 1) {
      const line = document.createElementNS(SVG, "polyline");
      line.setAttribute("points", run.join(" "));
      line.setAttribute("fill", "none");
      svg.appendChild(line);
    }
    run = [];
  };
  values.forEach((value, i) => {
    if (value === null || !Number.isFinite(value)) return flush();
    run.push(`${(i * step).toFixed(1)},${y(value)}`);
  });
  flush();

  const title = document.createElementNS(SVG, "title");
  const last = known.at(-1);
  const unit = options.unit ? ` ${options.unit}` : "";
  title.textContent = known.length === 0 ? "no data yet" : `last ${formatValue(last)}${unit}, max ${formatValue(Math.max(...known))}${unit}`;
  svg.appendChild(title);
  return svg;
}

const formatValue = (value: number | undefined) => (value === undefined ? "–" : value < 10 ? value.toFixed(2) : value.toFixed(0));
