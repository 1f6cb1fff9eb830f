/**
 * Compares a presented secret with the expected one in time that does not depend on where
 * they differ, nor on their lengths: both are hashed first (timingSafeEqual needs equal
 * lengths, and a length check would leak the secret's length).
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
