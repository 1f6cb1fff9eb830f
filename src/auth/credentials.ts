import { looksLikeApiKey } from "./api-key";

/**
 * What a request presents, read from its headers with no I/O:
 *
 * - nothing → anonymous;
 * - an API key, as `Authorization: Bearer <key>` or `X-API-Key: <key>`;
 * - any other bearer value → the break-glass admin token, or nothing valid;
 * - both headers at once, or a value of neither shape → invalid.
 */
export type Credential =
  | { kind: "none" }
  | { kind: "api-key"; key: string }
  | { kind: "bearer"; token: string }
  | { kind: "invalid"; reason: string };

// RFC 9110 §11.1: the scheme is case-insensitive; one or more spaces follow it.
const BEARER = /^bearer +(\S+) *$/i;

export function readCredential(headers: { authorization?: string | undefined; apiKey?: string | undefined }): Credential {
  const { authorization, apiKey } = headers;
  if (authorization !== undefined && apiKey !== undefined) {
    return { kind: "invalid", reason: "Send one credential: Authorization or X-API-Key, not both." };
  }
  if (apiKey !== undefined) {
    return looksLikeApiKey(apiKey) ? { kind: "api-key", key: apiKey } : { kind: "invalid", reason: "X-API-Key is not an API key." };
  }
  if (authorization === undefined) return { kind: "none" };
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined) return { kind: "invalid", reason: "Use Authorization: Bearer <API key>." };
  return looksLikeApiKey(token) ? { kind: "api-key", key: token } : { kind: "bearer", token };
}
