import { OK, RedisError, type Reply } from "../reply.ts";
import { addDecimal, bytes, checkInt64, parseDouble, parseInt64, parseSignedCount, SYNTAX, text, upper, wrongArgs } from "./args.ts";
import { scanCollection } from "./collection-scan.ts";
import { removeMembers, type CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";
import { randomPicks } from "./random.ts";

const read = (db: Keyspace, key: Buffer) => db.get(text(key), "hash");
const write = (db: Keyspace, key: Buffer) => db.getOrCreate(text(key), "hash", () => new Map<string, Buffer>());

function setFields(db: Keyspace, args: Buffer[], name: string): number {
  if (args.length < 4 || args.length % 2 !== 0) throw wrongArgs(name);
  const hash = write(db, args[1]!);
  let added = 0;
  for (let i = 2; i < args.length; i += 2) {
    const field = text(args[i]!);
    if (!hash.has(field)) added++;
    hash.set(field, args[i + 1]!);
  }
  return added;
}

/**
 * HRANDFIELD key [count [WITHVALUES]]: with a negative count, that many picks with
 * repetition; with a positive one, distinct fields (the whole hash, in its order, when the
 * count covers it).
 */
function randomFields(db: Keyspace, args: Buffer[]): Reply {
  if (args.length === 2) {
    const hash = read(db, args[1]!);
    if (!hash) return null;
    return bytes(randomPicks([...hash.keys()], -1)[0]!);
  }
  const count = parseSignedCount(args[2]!);
  if (args.length > 4 || (args.length === 4 && upper(args[3]) !== "WITHVALUES")) throw new RedisError(SYNTAX);
  const withValues = args.length === 4;
  if (withValues && Math.abs(count) > 2 ** 62) throw new RedisError("ERR value is out of range");
  const hash = read(db, args[1]!);
  if (!hash || count === 0) return [];
  return randomPicks([...hash.keys()], count).flatMap((field) => (withValues ? [bytes(field), hash.get(field)!] : [bytes(field)]));
}

export const hashCommands: CommandTable = {
  HSET: { arity: -4, write: true, run: (db, args) => setFields(db, args, "hset") },
  HMSET: { arity: -4, write: true, run: (db, args) => (setFields(db, args, "hmset"), OK) },
  HSETNX: {
    arity: 4,
    write: true,
    run(db, [, key, field, value]) {
      const hash = write(db, key!);
      if (hash.has(text(field!))) return 0;
      hash.set(text(field!), value!);
      return 1;
    },
  },
  HGET: { arity: 3, run: (db, [, key, field]) => read(db, key!)?.get(text(field!)) ?? null },
  HMGET: { arity: -3, run: (db, args) => args.slice(2).map((field) => read(db, args[1]!)?.get(text(field)) ?? null) },
  HGETALL: {
    arity: 2,
    // A flat [field, value, ...] array, as RESP2 has it and @upstash/redis expects, never an object.
    run: (db, [, key]) => [...(read(db, key!) ?? new Map<string, Buffer>())].flatMap(([field, value]) => [bytes(field), value]),
  },
  HKEYS: { arity: 2, run: (db, [, key]) => [...(read(db, key!)?.keys() ?? [])].map(bytes) },
  HVALS: { arity: 2, run: (db, [, key]) => [...(read(db, key!)?.values() ?? [])] },
  HLEN: { arity: 2, run: (db, [, key]) => read(db, key!)?.size ?? 0 },
  HSTRLEN: { arity: 3, run: (db, [, key, field]) => read(db, key!)?.get(text(field!))?.length ?? 0 },
  HEXISTS: { arity: 3, run: (db, [, key, field]) => (read(db, key!)?.has(text(field!)) ? 1 : 0) },
  HDEL: removeMembers("hash"),
  HRANDFIELD: { arity: -2, run: randomFields },
  HSCAN: {
    arity: -3,
    run: (db, args) => scanCollection(args, () => {
      const hash = read(db, args[1]!);
      return hash && [...hash].map(([field, value]) => [bytes(field), value]);
    }),
  },

  HINCRBY: {
    arity: 4,
    write: true,
    run(db, [, key, field, by]) {
      const increment = parseInt64(by!);
      const hash = write(db, key!);
      const current = hash.get(text(field!));
      const value = checkInt64((current ? parseInt64(current, "ERR hash value is not an integer") : 0n) + increment);
      hash.set(text(field!), bytes(value.toString()));
      return Number(value);
    },
  },
  HINCRBYFLOAT: {
    arity: 4,
    write: true,
    run(db, [, key, field, by]) {
      if (!Number.isFinite(parseDouble(by!))) throw new RedisError("ERR value is NaN or Infinity");
      const hash = write(db, key!);
      const current = hash.get(text(field!));
      const base = current ? text(current) : "0";
      parseDouble(base, "ERR hash value is not a float");
      const sum = bytes(addDecimal(base, text(by!)));
      hash.set(text(field!), sum);
      return sum;
    },
  },
};
