/**
 * What data access can refuse for the caller's reason, not the system's: raised by
 * repositories, which know nothing of HTTP; `errors/on-error.ts` turns them into problem
 * responses (404, 409), and a job sees them as the errors they are.
 */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** A write that conflicts with what is stored (a unique name or email already taken). */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}
