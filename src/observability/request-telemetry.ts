import type { CallOutcome } from "./metrics-buffer";

/** Where each dependency shows in Server-Timing. */
const TIMING_NAMES: Record<string, string> = { neon: "db", redis: "cache", reviews: "upstream", webhooks: "upstream" };

interface DependencyTiming {
  calls: number;
  errors: number;
  ms: number;
}

/**
 * What one request did with its dependencies: time and calls per dependency, and the
 * breaker state each was called under. The observability middleware turns it into the
 * Server-Timing header and the request's log line.
 */
export class RequestTelemetry {
  readonly #dependencies = new Map<string, DependencyTiming>();
  readonly #breakers = new Map<string, string>();

  constructor(readonly requestId: string | null) {}

  recordDependency(name: string, ms: number, outcome: CallOutcome, breakerState: string | undefined): void {
    const timing = this.#dependencies.get(name) ?? { calls: 0, errors: 0, ms: 0 };
    timing.calls++;
    timing.ms += ms;
    if (outcome !== "ok") timing.errors++;
    this.#dependencies.set(name, timing);
    if (breakerState) this.#breakers.set(name, breakerState);
  }

  /** `db;dur=12.3;desc="neon ×2", cache;dur=…, upstream;dur=…, total;dur=…` */
  serverTiming(totalMs: number): string {
    const byName = new Map<string, { ms: number; parts: string[] }>();
    for (const [dependency, timing] of this.#dependencies) {
      const name = TIMING_NAMES[dependency] ?? dependency;
      const entry = byName.get(name) ?? { ms: 0, parts: [] };
      entry.ms += timing.ms;
      entry.parts.push(`${dependency} x${String(timing.calls)}`);
      byName.set(name, entry);
    }
    const metrics = [...byName].map(([name, { ms, parts }]) => `${name};dur=${ms.toFixed(1)};desc="${parts.join(", ")}"`);
    return [...metrics, `total;dur=${totalMs.toFixed(1)}`].join(", ");
  }

  /** For the log line: `{ neon: { calls, errors, ms } }` and the breaker states touched. */
  summary(): { dependencies: Record<string, DependencyTiming>; breakers: Record<string, string> } {
    return {
      dependencies: Object.fromEntries([...this.#dependencies].map(([name, t]) => [name, { ...t, ms: Math.round(t.ms * 10) / 10 }])),
      breakers: Object.fromEntries(this.#breakers),
    };
  }
}
