import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { emptyAggregate, mergeAggregate, type MetricsAggregate } from "../observability/aggregate";

const STORAGE_KEY = "aggregate";

/**
 * The fleet-wide totals behind GET /metrics and GET /admin/slow-queries. Isolates send it
 * their counts in batches (at most one call per second each, via `waitUntil`), never per
 * request. One object is enough at that rate (its limit is ~1,000 calls/s); in production
 * the per-request stream goes to Workers Analytics Engine as well.
 */
export class MetricsObject extends DurableObject<Bindings> {
  #total: MetricsAggregate | undefined;

  async ingest(batch: MetricsAggregate): Promise<void> {
    const total = await this.#load();
    mergeAggregate(total, batch);
    await this.ctx.storage.put(STORAGE_KEY, total);
  }

  async snapshot(): Promise<MetricsAggregate> {
    return this.#load();
  }

  async #load(): Promise<MetricsAggregate> {
    this.#total ??= (await this.ctx.storage.get<MetricsAggregate>(STORAGE_KEY)) ?? emptyAggregate();
    return this.#total;
  }
}
