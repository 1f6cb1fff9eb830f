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

/** Sums of paired rounds: A (baseline) and B (scenario), alternating so drift cancels. */
export interface Paired {
  baseline: Measurement;
  scenario: Measurement;
  /** Every request made to the scenario, its warm-up included (for counts taken around the whole run). */
  scenarioRequestsSent: number;
}

/**
 * Runs A B A B … `rounds` times (after one short warm-up of each), and returns the two
 * sides averaged over their rounds.
 */
export async function alternate(baseUrl: string, baseline: Target, scenario: Target, options: { rounds: number; seconds: number; connections: number }): Promise<Paired> {
  await measure(baseUrl, baseline, 1, options.connections);
  const warmUp = await measure(baseUrl, scenario, 1, options.connections);
  const a: Measurement[] = [];
  const b: Measurement[] = [];
  for (let round = 0; round < options.rounds; round++) {
    a.push(await measure(baseUrl, baseline, options.seconds, options.connections));
    b.push(await measure(baseUrl, scenario, options.seconds, options.connections));
  }
  const scenarioAverage = average(b);
  return { baseline: average(a), scenario: scenarioAverage, scenarioRequestsSent: scenarioAverage.requests + warmUp.requests };
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
