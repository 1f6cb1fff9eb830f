/** The size of a value as JSON in UTF-8: what a queue message or a stored event weighs. */
export function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).byteLength;
}
