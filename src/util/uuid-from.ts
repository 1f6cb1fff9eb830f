import { sha256Hex } from "./sha256";

/**
 * A UUID derived from `seed` (RFC 9562 version 8, "custom", filled from its SHA-256): the
 * same seed always gives the same id, so a redelivered message maps to the same row.
 */
export async function uuidFrom(seed: string): Promise<string> {
  const hex = await sha256Hex(seed);
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
