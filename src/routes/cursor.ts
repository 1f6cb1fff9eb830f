import type { Bindings } from "../env";
import { readConfig } from "../config/config";
import type { Keyset, KeysetPage } from "../data/keyset-cursor";
import { problems } from "../errors/problem";

/**
 * Page cursors as clients see them: the keyset, then an HMAC-SHA256 tag (128 bits) keyed by
 * `CURSOR_SECRET`, both base64url. Only cursors this API issued are accepted: a forged or
 * edited one is a 400 before it reaches SQL (no year-0 dates for Postgres to refuse) or a
 * cache key (clients cannot mint cache entries by inventing positions).
 */
const TAG_BYTES = 16;
/** Dates as Postgres returns them through a JS Date: millisecond ISO 8601 in UTC. */
const CREATED_AT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const encoder = new TextEncoder();
// Imported once per isolate and secret; a CryptoKey holds no I/O, so requests may share it.
let imported: { secret: string; key: CryptoKey } | undefined;

async function hmacKey(env: Bindings): Promise<CryptoKey> {
  const secret = readConfig(env).CURSOR_SECRET;
  if (imported?.secret !== secret) {
    const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    imported = { secret, key };
  }
  return imported.key;
}

async function tag(env: Bindings, payload: string): Promise<Uint8Array> {
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(env), encoder.encode(payload));
  return new Uint8Array(signature, 0, TAG_BYTES);
}

export async function signCursor(env: Bindings, keyset: Keyset): Promise<string> {
  const payload = `${keyset.createdAt}|${keyset.id}`;
  return `${base64url(encoder.encode(payload))}.${base64url(await tag(env, payload))}`;
}

/** A page as the API answers it: the rows, and the signed cursor of the next page. */
export async function withCursor<T>(env: Bindings, page: KeysetPage<T>): Promise<{ items: T[]; nextCursor: string | null }> {
  return { items: page.items, nextCursor: page.next ? await signCursor(env, page.next) : null };
}

/** The keyset a cursor carries; anything this API did not issue is a 400 naming `cursor`. */
export async function readCursor(env: Bindings, cursor: string): Promise<Keyset> {
  const invalid = () => problems.validation([{ in: "query", field: "cursor", message: "Invalid cursor: pass back a nextCursor value unchanged." }]);
  const [encodedPayload, encodedTag, extra] = cursor.split(".");
  if (encodedPayload === undefined || encodedTag === undefined || extra !== undefined) throw invalid();
  const payloadBytes = fromBase64url(encodedPayload);
  const given = fromBase64url(encodedTag);
  if (!payloadBytes || !given || given.byteLength !== TAG_BYTES) throw invalid();
  const payload = new TextDecoder().decode(payloadBytes);
  const expected = await tag(env, payload);
  if (!crypto.subtle.timingSafeEqual(expected, given)) throw invalid();
  // Signed by us, so well-formed; checked all the same, as a second line.
  const [createdAt = "", id = "", rest] = payload.split("|");
  const year = Number(CREATED_AT.exec(createdAt)?.[1]);
  if (rest !== undefined || !(year >= 1970 && year <= 9999) || Number.isNaN(Date.parse(createdAt)) || !UUID.test(id)) throw invalid();
  return { createdAt, id };
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Strict: only the one spelling `base64url` writes (no padding bits set, no `=`), else undefined. */
function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return base64url(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}
