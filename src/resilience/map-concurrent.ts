import { abortReason, invoke, raceAbort, toError } from "./signal";

/** The outcome of one item: errors are values, so one failure does not hide the others. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: Error };

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, and returns one result
 * per item, in input order (like `Promise.allSettled`, with a concurrency limit).
 *
 * When `signal` aborts, no new item is started and the call resolves at once: items still
 * in flight and items never started all get the abort reason as their error (`fn` receives
 * the signal, so in-flight work can stop too). Workers allow 6 simultaneous outgoing
 * connections per request: a `limit` above that only queues inside the runtime.
 *
 * @example
 * const results = await mapConcurrent(ids, 4, (id, _i, signal) => getProduct(db, id, signal), c.get("signal"));
 * const found = results.flatMap((r) => (r.ok ? [r.value] : []));
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): Promise<Settled<R>[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be an integer ≥ 1");
  const itemSignal = signal ?? new AbortController().signal;
  const results: (Settled<R> | undefined)[] = items.map(() => undefined);
  let next = 0;

  // Each worker takes the next item when its previous one settles: at most `limit` run.
  const work = async (): Promise<void> => {
    if (itemSignal.aborted || next >= items.length) return;
    const index = next++;
    const item = items[index] as T;
    try {
      const value = await raceAbort(
        invoke(() => fn(item, index, itemSignal)),
        signal,
      );
      results[index] = { ok: true, value };
    } catch (error) {
      results[index] = { ok: false, error: toError(error) };
    }
    return work();
  };

  // eslint-disable-next-line edgekit/bounded-promise-all -- `limit` workers: this is the bound
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, work));
  return results.map((result) => result ?? { ok: false, error: abortReason(itemSignal) });
}
