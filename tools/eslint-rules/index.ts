import type { ESLint } from "eslint";
import { boundedPromiseAll } from "./bounded-promise-all.ts";
import { ioNeedsSignal } from "./io-needs-signal.ts";
import { noSyncHeavyInHandlers } from "./no-sync-heavy-in-handlers.ts";

/**
 * The project's own lint rules: the Workers form of "no blocking operations". `npm run lint`
 * enforces them; `npm run audit:blocking` reports them per route.
 */
export const edgekit: ESLint.Plugin = {
  meta: { name: "edgekit" },
  rules: {
    "io-needs-signal": ioNeedsSignal,
    "bounded-promise-all": boundedPromiseAll,
    "no-sync-heavy-in-handlers": noSyncHeavyInHandlers,
  },
};
