// With its extension: the Node tooling (`npm run keys:create`, `npm run dev`) imports this
// file directly, and Node resolves only full paths.
import { sha256Hex } from "../util/sha256.ts";

/**
 * API keys look like `ek_4k9x2m7q_Vb3…` (44 characters): `ek_` and eight characters form
 * the visible prefix that identifies a key in lists and logs; the 32 characters after the
 * second `_` are the secret (≈190 bits). Only the SHA-256 of the whole key is stored: with
 * that much entropy a plain hash cannot be reversed, and it can be looked up directly.
 */
const KEY_FORMAT = /^(ek_[0-9a-z]{8})_[0-9A-Za-z]{32}$/;
const LOWER = "0123456789abcdefghijklmnopqrstuvwxyz";
const ALPHANUMERIC = `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;

export interface NewApiKey {
  /** The whole key: shown once, to whoever created it, then never again. */
  key: string;
  /** Its visible part, stored and listed. */
  prefix: string;
  /** What is stored to recognise it. */
  hash: string;
}

/** Mints a key from the platform's CSPRNG. */
export async function generateApiKey(): Promise<NewApiKey> {
  const prefix = `ek_${randomString(LOWER, 8)}`;
  const key = `${prefix}_${randomString(ALPHANUMERIC, 32)}`;
  return { key, prefix, hash: await hashApiKey(key) };
}

/** The visible prefix of a well-formed key, or undefined for anything else (no I/O needed to refuse it). */
export function apiKeyPrefix(candidate: string): string | undefined {
  return KEY_FORMAT.exec(candidate)?.[1];
}

/** True when the text has the shape of one of our keys (it says nothing of its validity). */
export const looksLikeApiKey = (candidate: string): boolean => KEY_FORMAT.test(candidate);

export const hashApiKey = (key: string): Promise<string> => sha256Hex(key);

/** Uniform characters from `alphabet`: bytes that would bias the draw are rejected. */
function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += alphabet.charAt(byte % alphabet.length);
    }
  }
  return out;
}
