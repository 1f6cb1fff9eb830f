import { createApp } from "./app";
import { consumeJobs } from "./jobs/consumer";
import { consumeDeadLetters } from "./jobs/dead-letters";
import { DEAD_LETTER_QUEUE } from "./jobs/queues";
import { sweepStrandedJobs } from "./jobs/sweep";

export { CircuitBreakerObject } from "./objects/circuit-breaker-object";
export { EventHubObject } from "./objects/event-hub-object";
export { MetricsObject } from "./objects/metrics-object";

const app = createApp();

export default {
  fetch: app.fetch,
  // One Worker consumes both queues (wrangler.toml): jobs, and their dead letters.
  async queue(batch, env, ctx) {
    if (batch.queue === DEAD_LETTER_QUEUE) await consumeDeadLetters(batch, env, ctx);
    else await consumeJobs(batch, env, ctx);
  },
  // The cron trigger: re-sends jobs whose message was never sent.
  async scheduled(_controller, env, ctx) {
    await sweepStrandedJobs(env, ctx);
  },
} satisfies ExportedHandler<Env>;
