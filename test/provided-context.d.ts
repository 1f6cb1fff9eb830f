import type { StackEnv } from "../tools/stack/stack-env.ts";

// What test/global-setup.ts hands the tests through vitest's provide/inject.
declare module "vitest" {
  export interface ProvidedContext {
    /** The local stack's endpoints, injected into the Worker's bindings. */
    stackEnv: StackEnv;
    /** The stack's fault-injection endpoint (tools/stack/control-server.ts). */
    controlUrl: string;
    /** An API key with every scope, made in the test database by the global setup. */
    testApiKey: string;
    /** A server that accepts connections and never answers: a hung dependency. */
    hangingServerUrl: string;
    /** A fake upstream of its own whose `/webhooks/alerts` inbox receives the alerts (ALERT_WEBHOOK_URL). */
    alertInboxUrl: string;
  }
}
