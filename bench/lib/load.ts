import autocannon from "autocannon";

export interface Target {
  /** autocannon's request: method, path, headers, body; or a function for a fresh one each time. */
  request: () => { method: "GET" | "POST"; path: string; headers?: Record<string, string>; body?: string };
  /** Statuses that count as the expected answer (e.g. 429 on the rate-limited path). */
  expect: number[];
}

export interface Measurement {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Answers whose status was not expected, plus connection errors and timeouts. */
  errors: number;
}

/** One timed run of `target` at fixed concurrency. */
export async function measure(baseUrl: string, target: Target, seconds: number, connections: number): Promise<Measurement> {
  let unexpected = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, ...target.request() }) }],
    setupClient: (client) => {
      client.on("response", (statusCode: number) => {
        if (!target.expect.includes(statusCode)) unexpected++;
      });
    },
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: unexpected + result.errors + result.timeouts,
  };
}

/** Counters read around each scenario run (requests to the stack's servers, and the like). */
export type Counts = Record<string, number>;

/** Sums of alternating rounds: A (baseline), B (scenario), C (its naive twin, if any), so drift cancels. */
export interface Paired {
  baseline: Measurement;
  scenario: Measurement;
  naive?: Measurement;
  /** What `counts` rose by during the scenario's own runs (its warm-up included), never the others'. */
  scenarioCounts: Counts;
  /** Every request made to the scenario, its warm-up included (for counts taken around the whole run). */
  scenarioRequestsSent: number;
}

/**
 * Runs A B A B … (or A B C A B C … with a naive twin) `rounds` times, after one short
 * warm-up of each, and returns each side averaged over its rounds.
 */
export async function alternate(
  baseUrl: string,
  baseline: Target,
  scenario: Target,
  options: { rounds: number; seconds: number; connections: number; counts: () => Promise<Counts> },
  naive?: Target,
): Promise<Paired> {
  const scenarioCounts: Counts = {};
  // Only the scenario's own windows count: the baseline makes no subrequest, but the naive
  // twin does the same work and must not be charged to it.
  const counted = async (seconds: number) => {
    const before = await options.counts();
    const measured = await measure(baseUrl, scenario, seconds, options.connections);
    const after = await options.counts();
    for (const [key, value] of Object.entries(after)) scenarioCounts[key] = (scenarioCounts[key] ?? 0) + value - (before[key] ?? 0);
    return measured;
  };
  await measure(baseUrl, baseline, 1, options.connections);
  const warmUp = await counted(1);
  if (naive) await measure(baseUrl, naive, 1, options.connections);
  const a: Measurement[] = [];
  const b: Measurement[] = [];
  const c: Measurement[] = [];
  for (let round = 0; round < options.rounds; round++) {
    a.push(await measure(baseUrl, baseline, options.seconds, options.connections));
    b.push(await counted(options.seconds));
    if (naive) c.push(await measure(baseUrl, naive, options.seconds, options.connections));
  }
  const scenarioAverage = average(b);
  return {
    baseline: average(a),
    scenario: scenarioAverage,
    ...(naive ? { naive: average(c) } : {}),
    scenarioCounts,
    scenarioRequestsSent: scenarioAverage.requests + warmUp.requests,
  };
}

function average(runs: Measurement[]): Measurement {
  const mean = (pick: (m: Measurement) => number) => runs.reduce((sum, m) => sum + pick(m), 0) / runs.length;
  return {
    requests: runs.reduce((sum, m) => sum + m.requests, 0),
    rps: mean((m) => m.rps),
    p50: mean((m) => m.p50),
    p99: mean((m) => m.p99),
    errors: runs.reduce((sum, m) => sum + m.errors, 0),
  };
}
