import { RedisError } from "../reply.ts";

/**
 * The embedded engine's data: one map of keys to typed values, with expiry checked lazily
 * on access (as Redis does) plus a sweep on SCAN/DBSIZE. Keys and members are binary-safe:
 * they are held as latin1 strings, one character per byte, so any byte sequence round-trips.
 */
export interface ValueTypes {
  string: Buffer;
  hash: Map<string, Buffer>;
  set: Set<string>;
  zset: Map<string, number>;
  list: Buffer[];
}

export type ValueType = keyof ValueTypes;
export type Value = { [T in ValueType]: { type: T; value: ValueTypes[T] } }[ValueType];

interface Entry {
  data: Value;
  /** Epoch milliseconds, or undefined for no expiry. */
  expiresAt: number | undefined;
  /** Creation order: SCAN's cursor, stable while other keys come and go. */
  seq: number;
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

export class Keyspace {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #nextSeq = 1;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  now(): number {
    return this.#now();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The value at `key` if it has `type`; undefined if absent; WRONGTYPE otherwise. */
  get<T extends ValueType>(key: string, type: T): ValueTypes[T] | undefined {
    const entry = this.#live(key);
    if (!entry) return undefined;
    if (entry.data.type !== type) throw new RedisError(WRONGTYPE);
    return entry.data.value as ValueTypes[T];
  }

  /** The value at `key`, created empty when absent. */
  getOrCreate<T extends ValueType>(key: string, type: T, create: () => ValueTypes[T]): ValueTypes[T] {
    const existing = this.get(key, type);
    if (existing !== undefined) return existing;
    const value = create();
    this.set(key, { type, value } as Value);
    return value;
  }

  type(key: string): ValueType | undefined {
    return this.#live(key)?.data.type;
  }

  exists(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  /** Stores a value; the TTL is cleared unless `keepTtl`. */
  set(key: string, data: Value, keepTtl = false): void {
    const existing = this.#live(key);
    const expiresAt = keepTtl ? existing?.expiresAt : undefined;
    this.#entries.set(key, { data, expiresAt, seq: existing?.seq ?? this.#nextSeq++ });
  }

  /** The live value at `key`, whatever its type (COPY, RENAME and OBJECT need it). */
  value(key: string): Value | undefined {
    return this.#live(key)?.data;
  }

  /**
   * Moves a key to a new name with its TTL (RENAME): the target is replaced, and counts
   * as a new key for SCAN, as Redis's dbAdd makes it.
   */
  rename(from: string, to: string): void {
    const entry = this.#live(from);
    if (!entry || from === to) return;
    this.#entries.delete(from);
    this.#entries.delete(to);
    this.#entries.set(to, { data: entry.data, expiresAt: entry.expiresAt, seq: this.#nextSeq++ });
  }

  /** A live key picked at random (RANDOMKEY), or undefined when there is none. */
  randomKey(): string | undefined {
    const keys = this.keys();
    return keys[Math.floor(Math.random() * keys.length)];
  }

  delete(key: string): boolean {
    return this.#live(key) !== undefined && this.#entries.delete(key);
  }

  /** Removes a collection that became empty: Redis never keeps empty collections. */
  dropIfEmpty(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry || entry.data.type === "string") return;
    const { value } = entry.data;
    const size = value instanceof Map || value instanceof Set ? value.size : value.length;
    if (size === 0) this.#entries.delete(key);
  }

  expiresAt(key: string): number | undefined {
    return this.#live(key)?.expiresAt;
  }

  setExpiry(key: string, at: number | undefined): void {
    const entry = this.#live(key);
    if (!entry) return;
    if (at !== undefined && at <= this.#now()) this.#entries.delete(key);
    else entry.expiresAt = at;
  }

  /** Live keys in creation order. */
  keys(): string[] {
    return this.scan(0, Infinity).keys;
  }

  /**
   * Up to `count` live keys created after cursor `after`, and the cursor to continue from
   * (0 when done). A key that exists for the whole iteration is returned exactly once.
   */
  scan(after: number, count: number): { keys: string[]; next: number } {
    const keys: string[] = [];
    for (const [key, entry] of [...this.#entries]) {
      if (entry.seq <= after || !this.#live(key)) continue;
      if (keys.length === count) return { keys, next: after };
      keys.push(key);
      after = entry.seq;
    }
    return { keys, next: 0 };
  }

  clear(): void {
    this.#entries.clear();
  }

  /** A rough byte count for INFO memory: keys and values, not overhead. */
  approximateBytes(): number {
    let bytes = 0;
    for (const [key, { data }] of this.#entries) {
      bytes += key.length;
      if (data.type === "string") bytes += data.value.length;
      else if (data.type === "list") for (const item of data.value) bytes += item.length;
      else if (data.type === "set") for (const member of data.value) bytes += member.length;
      else if (data.type === "zset") for (const member of data.value.keys()) bytes += member.length + 8;
      else for (const [field, value] of data.value) bytes += field.length + value.length;
    }
    return bytes;
  }
}
