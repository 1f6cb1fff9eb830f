import { createApp } from "./app";

export { CircuitBreakerObject } from "./objects/circuit-breaker-object";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
