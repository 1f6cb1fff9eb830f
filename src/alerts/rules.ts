import type { Config } from "../config/config";
import { DEPENDENCY_NAMES, type DependencyName } from "../config/dependencies";

/**
 * The alert rules, built from the configuration: one per dependency's circuit breaker
 * (always on), one on the share of 5xx answers, one on dead jobs. Each has a stable id,
 * which names it in `GET /admin/alerts`, the logs and the webhook's deliveries.
 */
export type AlertRule =
  | { id: string; kind: "breaker"; description: string; dependency: DependencyName }
  | { id: string; kind: "5xx-ratio"; description: string; ratio: number; windowMinutes: number; minRequests: number }
  | { id: string; kind: "dead-letters"; description: string; max: number; windowMinutes: number };

export const breakerRuleId = (dependency: DependencyName) => `breaker-open:${dependency}`;

export function alertRules(config: Config): AlertRule[] {
  const percent = `${String(Math.round(config.ALERT_5XX_RATIO * 10_000) / 100)} %`;
  return [
    ...DEPENDENCY_NAMES.map(
      (dependency): AlertRule => ({
        id: breakerRuleId(dependency),
        kind: "breaker",
        description: `The ${dependency} circuit breaker is not closed (OPEN, HALF_OPEN or held open): calls to ${dependency} fail fast.`,
        dependency,
      }),
    ),
    {
      id: "http-5xx-ratio",
      kind: "5xx-ratio",
      description: `More than ${percent} of the answers in the last ${String(config.ALERT_5XX_WINDOW_MINUTES)} min were 5xx (with at least ${String(config.ALERT_5XX_MIN_REQUESTS)} requests).`,
      ratio: config.ALERT_5XX_RATIO,
      windowMinutes: config.ALERT_5XX_WINDOW_MINUTES,
      minRequests: config.ALERT_5XX_MIN_REQUESTS,
    },
    {
      id: "dead-letters",
      kind: "dead-letters",
      description: `More than ${String(config.ALERT_DEAD_LETTERS_PER_WINDOW)} jobs ended dead in the last ${String(config.ALERT_DEAD_LETTERS_WINDOW_MINUTES)} min.`,
      max: config.ALERT_DEAD_LETTERS_PER_WINDOW,
      windowMinutes: config.ALERT_DEAD_LETTERS_WINDOW_MINUTES,
    },
  ];
}
