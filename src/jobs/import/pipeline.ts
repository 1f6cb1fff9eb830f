/** What a stage did with one item: passed it on (changed or not), or rejected it with a reason. */
export type StageResult<T> = { ok: true; value: T } | { ok: false; error: string };

export const pass = <T>(value: T): StageResult<T> => ({ ok: true, value });
export const reject = (error: string): StageResult<never> => ({ ok: false, error });

/** Items that entered and left one stage. */
export interface StageCounters {
  in: number;
  out: number;
  rejected: number;
}

export type PipelineOutcome<T> = { ok: true; value: T } | { ok: false; stage: string; error: string };

interface Stage {
  name: string;
  run: (input: unknown) => StageResult<unknown>;
}

/**
 * A chain of named, synchronous stages (e.g. validate → enrich → transform) with counters
 * per stage, built so each stage's input type is the previous one's output. An item stops
 * at the first stage that rejects it; the others go on.
 *
 * @example
 * const rows = Pipeline.start<RawRecord>().pipe("validate", validate).pipe("enrich", enrich);
 * const outcome = rows.run(record); // { ok: true, value } or { ok: false, stage, error }
 */
export class Pipeline<In, Out> {
  readonly #stages: Stage[];
  readonly #counters: Record<string, StageCounters>;

  private constructor(stages: Stage[], counters: Record<string, StageCounters>) {
    this.#stages = stages;
    this.#counters = counters;
  }

  static start<T>(): Pipeline<T, T> {
    return new Pipeline<T, T>([], {});
  }

  pipe<Next>(name: string, run: (input: Out) => StageResult<Next>): Pipeline<In, Next> {
    const stage: Stage = { name, run: run as (input: unknown) => StageResult<unknown> };
    return new Pipeline<In, Next>([...this.#stages, stage], { ...this.#counters, [name]: { in: 0, out: 0, rejected: 0 } });
  }

  run(input: In): PipelineOutcome<Out> {
    let value: unknown = input;
    for (const stage of this.#stages) {
      const counters = this.#counters[stage.name];
      if (counters) counters.in++;
      const result = stage.run(value);
      if (!result.ok) {
        if (counters) counters.rejected++;
        return { ok: false, stage: stage.name, error: result.error };
      }
      if (counters) counters.out++;
      value = result.value;
    }
    return { ok: true, value: value as Out };
  }

  /** A copy of the counters, by stage, in order. */
  counters(): Record<string, StageCounters> {
    return Object.fromEntries(this.#stages.map((s) => [s.name, { ...(this.#counters[s.name] ?? { in: 0, out: 0, rejected: 0 }) }]));
  }

  /** Continues from counters a previous attempt saved (a resumed import). */
  restore(saved: Record<string, StageCounters>): void {
    for (const [name, counters] of Object.entries(saved)) {
      if (this.#counters[name]) this.#counters[name] = { ...counters };
    }
  }
}
