import { createApp } from "./app";
import { consumeJobs } from "./jobs/consumer";
import { consumeDeadLetters } from "./jobs/dead-letters";
import { DEAD_LETTER_SUFFIX } from "./config/service";
import { sweepStrandedJobs } from "./jobs/sweep";
import { checkAlerts } from "./alerts/check";

export { CircuitBreakerObject } from "./objects/circuit-breaker-object";
export { EventHubObject } from "./objects/event-hub-object";
export { MetricsObject } from "./objects/metrics-object";

const app = createApp();

export default {
  fetch: app.fetch,
  // One Worker consumes both queues of its environment (wrangler.toml): jobs, and their dead
  // letters, whose name ends with DEAD_LETTER_SUFFIX.
  async queue(batch, env, ctx) {
    if (batch.queue.endsWith(DEAD_LETTER_SUFFIX)) await consumeDeadLetters(batch, env, ctx);
    else await consumeJobs(batch, env, ctx);
  },
  // The cron trigger: re-sends jobs whose message was never sent, and looks at the alerts
  // (every breaker's state, windows that moved on without traffic). One failing does not
  // stop the other; the invocation still fails, so the cron's log shows it.
  async scheduled(_controller, env, ctx) {
    const results = await Promise.allSettled([sweepStrandedJobs(env, ctx), checkAlerts(env)]);
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
  },
} satisfies ExportedHandler<Env>;
