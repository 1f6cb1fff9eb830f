import { OK, RedisError, type Reply } from "../reply.ts";
import {
  addDecimal,
  bytes,
  checkInt64,
  NOT_FLOAT,
  parseDouble,
  parseInt64,
  SYNTAX,
  text,
  upper,
  wrongArgs,
} from "./args.ts";
import type { CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

const getString = (db: Keyspace, key: Buffer) => db.get(text(key), "string");

function setString(db: Keyspace, key: Buffer, value: Buffer, keepTtl = false): void {
  db.set(text(key), { type: "string", value }, keepTtl);
}

/** proto-max-bulk-len: Redis refuses to grow a string past 512 MB. */
export const MAX_STRING_BYTES = 512 * 1024 * 1024;

export function checkStringLength(size: number): void {
  if (size > MAX_STRING_BYTES) throw new RedisError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

type ExpiryOption = "EX" | "PX" | "EXAT" | "PXAT";

interface ExtendedOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  expiry?: { option: ExpiryOption; amount: Buffer };
}

/**
 * SET's and GETEX's options, parsed as Redis's parseExtendedStringArgumentsOrReply does:
 * case-insensitive (`@upstash/redis` sends `ex`, `nx`, `keepTtl`), each expiry option
 * excluding the others, and anything else a syntax error.
 */
function parseExtended(args: Buffer[], command: "set" | "get"): ExtendedOptions {
  const options: ExtendedOptions = { nx: false, xx: false, get: false, keepTtl: false, persist: false };
  const isSet = command === "set";
  for (let i = isSet ? 3 : 2; i < args.length; i++) {
    const option = upper(args[i]);
    const next = args[i + 1];
    const hasExpiry = options.expiry !== undefined;
    if (option === "NX" && !options.xx && isSet) options.nx = true;
    else if (option === "XX" && !options.nx && isSet) options.xx = true;
    else if (option === "GET" && isSet) options.get = true;
    else if (option === "KEEPTTL" && !options.persist && !hasExpiry && isSet) options.keepTtl = true;
    else if (option === "PERSIST" && !isSet && !hasExpiry && !options.keepTtl) options.persist = true;
    else if (["EX", "PX", "EXAT", "PXAT"].includes(option) && !options.keepTtl && !options.persist && !hasExpiry && next) {
      options.expiry = { option: option as ExpiryOption, amount: next };
      i++;
    } else {
      throw new RedisError(SYNTAX);
    }
  }
  return options;
}

const LLONG_MAX = 2n ** 63n - 1n;

/** An expiry option as an absolute time in ms, with Redis's checks (getExpireMillisecondsOrReply). */
function expiryAt(db: Keyspace, { option, amount }: { option: ExpiryOption; amount: Buffer }, name: string): number {
  let ms = parseInt64(amount);
  const seconds = option === "EX" || option === "EXAT";
  if (ms <= 0n || (seconds && ms > LLONG_MAX / 1000n)) throw invalidExpire(name);
  if (seconds) ms *= 1000n;
  if (option === "EX" || option === "PX") ms += BigInt(db.now());
  if (ms <= 0n || ms > LLONG_MAX) throw invalidExpire(name);
  return Number(ms);
}

const invalidExpire = (name: string) => new RedisError(`ERR invalid expire time in '${name}' command`);

function incrementBy(db: Keyspace, key: Buffer, by: bigint): Reply {
  const current = getString(db, key);
  const value = checkInt64((current === undefined ? 0n : parseInt64(current)) + by);
  setString(db, key, bytes(value.toString()), true);
  return Number(value);
}

function setWithExpiry(db: Keyspace, name: string, key: Buffer, value: Buffer, amount: Buffer, option: ExpiryOption): Reply {
  const at = expiryAt(db, { option, amount }, name);
  setString(db, key, value);
  db.setExpiry(text(key), at);
  return OK;
}

/** GETRANGE's (and SUBSTR's) window: negative offsets count from the end, then clamp. */
function getRange(db: Keyspace, [, key, startArg, endArg]: Buffer[]): Reply {
  let start = parseInt64(startArg!);
  let end = parseInt64(endArg!);
  const value = getString(db, key!);
  if (value === undefined) return Buffer.alloc(0);
  const length = BigInt(value.length);
  if (start < 0n && end < 0n && start > end) return Buffer.alloc(0);
  if (start < 0n) start += length;
  if (end < 0n) end += length;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= length) end = length - 1n;
  if (start > end || length === 0n) return Buffer.alloc(0);
  return Buffer.from(value.subarray(Number(start), Number(end) + 1));
}

function setRange(db: Keyspace, [, key, offsetArg, value]: Buffer[]): Reply {
  const offset = parseInt64(offsetArg!);
  if (offset < 0n) throw new RedisError("ERR offset is out of range");
  const current = getString(db, key!);
  if (value!.length === 0) return current?.length ?? 0;
  checkStringLength(Number(offset) + value!.length);
  const base = current ?? Buffer.alloc(0);
  const grown = Buffer.alloc(Math.max(base.length, Number(offset) + value!.length));
  base.copy(grown);
  value!.copy(grown, Number(offset));
  setString(db, key!, grown, true);
  return grown.length;
}

/**
 * LCS as Redis 7 computes it: the classic dynamic-programming table, walked back from the
 * end so the string, LEN and the IDX ranges (last match first) come out as Redis's do.
 */
function lcs(db: Keyspace, args: Buffer[]): Reply {
  const [a, b] = [args[1]!, args[2]!].map((key) => {
    const type = db.type(text(key));
    if (type !== undefined && type !== "string") throw new RedisError("ERR The specified keys must contain string values");
    return getString(db, key) ?? Buffer.alloc(0);
  }) as [Buffer, Buffer];
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < args.length; j++) {
    const option = upper(args[j]);
    if (option === "IDX") getIdx = true;
    else if (option === "LEN") getLen = true;
    else if (option === "WITHMATCHLEN") withMatchLen = true;
    else if (option === "MINMATCHLEN" && j < args.length - 1) {
      minMatchLen = Math.max(Number(parseInt64(args[++j]!)), 0);
    } else throw new RedisError(SYNTAX);
  }
  if (getLen && getIdx) throw new RedisError("ERR If you want both the length and indexes, please just use IDX.");

  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] =
        a[i - 1] === b[j - 1] ? table[(i - 1) * width + j - 1]! + 1 : Math.max(table[(i - 1) * width + j]!, table[i * width + j - 1]!);
    }
  }
  const length = table[a.length * width + b.length]!;
  if (getLen) return length;

  const result = Buffer.alloc(length);
  const matches: Reply[] = [];
  let idx = length;
  let [aStart, aEnd, bStart, bEnd] = [a.length, 0, 0, 0];
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === a.length) {
        [aStart, aEnd, bStart, bEnd] = [i - 1, i - 1, j - 1, j - 1];
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j]! > table[i * width + j - 1]!) i--;
      else j--;
      if (aStart !== a.length) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) {
        matches.push([[aStart, aEnd], [bStart, bEnd], ...(withMatchLen ? [matchLen] : [])]);
      }
      aStart = a.length;
    }
  }
  if (getIdx) return [bytes("matches"), matches, bytes("len"), length];
  return result;
}

export const stringCommands: CommandTable = {
  GET: { arity: 2, run: (db, [, key]) => getString(db, key!) ?? null },
  SET: {
    arity: -3,
    write: true,
    run(db, args) {
      const [, key, value] = args as [Buffer, Buffer, Buffer];
      const options = parseExtended(args, "set");
      const at = options.expiry && expiryAt(db, options.expiry, "set");
      const previous = options.get ? (getString(db, key) ?? null) : null;
      const exists = db.exists(text(key));
      if ((options.nx && exists) || (options.xx && !exists)) return previous;
      setString(db, key, value, options.keepTtl);
      if (at !== undefined) db.setExpiry(text(key), at);
      return options.get ? previous : OK;
    },
  },
  SETNX: {
    arity: 3,
    write: true,
    run(db, [, key, value]) {
      if (db.exists(text(key!))) return 0;
      setString(db, key!, value!);
      return 1;
    },
  },
  SETEX: { arity: 4, write: true, run: (db, [, key, seconds, value]) => setWithExpiry(db, "setex", key!, value!, seconds!, "EX") },
  PSETEX: { arity: 4, write: true, run: (db, [, key, ms, value]) => setWithExpiry(db, "psetex", key!, value!, ms!, "PX") },
  GETDEL: {
    arity: 2,
    write: true,
    run(db, [, key]) {
      const value = getString(db, key!);
      if (value !== undefined) db.delete(text(key!));
      return value ?? null;
    },
  },
  GETEX: {
    arity: -2,
    write: true,
    run(db, args) {
      const options = parseExtended(args, "get");
      const key = text(args[1]!);
      const value = getString(db, args[1]!);
      if (value === undefined) return null;
      if (options.expiry) db.setExpiry(key, expiryAt(db, options.expiry, "getex"));
      else if (options.persist) db.setExpiry(key, undefined);
      return value;
    },
  },
  GETSET: {
    arity: 3,
    write: true,
    run(db, [, key, value]) {
      const previous = getString(db, key!) ?? null;
      setString(db, key!, value!);
      return previous;
    },
  },
  MGET: {
    arity: -2,
    run: (db, args) =>
      args.slice(1).map((key) => (db.type(text(key)) === "string" ? (getString(db, key) ?? null) : null)),
  },
  MSET: {
    arity: -3,
    write: true,
    run(db, args) {
      if (args.length % 2 === 0) throw wrongArgs("mset");
      for (let i = 1; i < args.length; i += 2) setString(db, args[i]!, args[i + 1]!);
      return OK;
    },
  },
  MSETNX: {
    arity: -3,
    write: true,
    run(db, args) {
      if (args.length % 2 === 0) throw wrongArgs("msetnx");
      for (let i = 1; i < args.length; i += 2) if (db.exists(text(args[i]!))) return 0;
      for (let i = 1; i < args.length; i += 2) setString(db, args[i]!, args[i + 1]!);
      return 1;
    },
  },
  STRLEN: { arity: 2, run: (db, [, key]) => getString(db, key!)?.length ?? 0 },
  APPEND: {
    arity: 3,
    write: true,
    run(db, [, key, value]) {
      const current = getString(db, key!) ?? Buffer.alloc(0);
      checkStringLength(current.length + value!.length);
      const joined = Buffer.concat([current, value!]);
      setString(db, key!, joined, true);
      return joined.length;
    },
  },
  GETRANGE: { arity: 4, run: getRange },
  SUBSTR: { arity: 4, run: getRange },
  SETRANGE: { arity: 4, write: true, run: setRange },
  LCS: { arity: -3, run: lcs },
  INCR: { arity: 2, write: true, run: (db, [, key]) => incrementBy(db, key!, 1n) },
  DECR: { arity: 2, write: true, run: (db, [, key]) => incrementBy(db, key!, -1n) },
  INCRBY: { arity: 3, write: true, run: (db, [, key, by]) => incrementBy(db, key!, parseInt64(by!)) },
  DECRBY: {
    arity: 3,
    write: true,
    run(db, [, key, by]) {
      const decrement = parseInt64(by!);
      // Negating LLONG_MIN would overflow: Redis says so before looking at the key.
      if (decrement === -(2n ** 63n)) throw new RedisError("ERR decrement would overflow");
      return incrementBy(db, key!, -decrement);
    },
  },
  INCRBYFLOAT: {
    arity: 3,
    write: true,
    run(db, [, key, by]) {
      const current = getString(db, key!);
      const base = current === undefined ? "0" : text(current);
      parseDouble(base, NOT_FLOAT);
      parseDouble(by!, NOT_FLOAT);
      const sum = addDecimal(base, text(by!));
      setString(db, key!, bytes(sum), true);
      return bytes(sum);
    },
  },
};
