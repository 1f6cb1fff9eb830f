import type { DependencyName } from "../config/dependencies";

/**
 * A dependency failed in a transient way (unreachable, 5xx) on every attempt the retry
 * policy allowed: the route answers 503 with Retry-After, not a 500, because the fault is
 * not ours and trying again later is the right move.
 */
export class DependencyUnavailableError extends Error {
  readonly isDependencyUnavailableError = true as const;
  override readonly name = "DependencyUnavailableError";

  constructor(
    readonly dependency: DependencyName,
    cause: unknown,
  ) {
    super(`${dependency} is unavailable`, { cause });
  }
}

export const isDependencyUnavailableError = (error: unknown): error is DependencyUnavailableError =>
  error instanceof Error && (error as Partial<DependencyUnavailableError>).isDependencyUnavailableError === true;
