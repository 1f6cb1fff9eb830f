import { RedisError, type Reply } from "../reply.ts";
import { bytes, formatDouble, parseDouble, parseInteger, SYNTAX, text, upper } from "./args.ts";
import { removeMembers, type CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

type ZSet = Map<string, number>;

const read = (db: Keyspace, key: Buffer) => db.get(text(key), "zset");

/** Members by score, then by member bytes: Redis's order. */
function sorted(zset: ZSet): [string, number][] {
  return [...zset].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0));
}

/** A score bound: `1.5`, `(1.5` (exclusive), `-inf`, `+inf`. */
function bound(arg: Buffer): { value: number; exclusive: boolean } {
  const raw = text(arg);
  const exclusive = raw.startsWith("(");
  return { value: parseDouble(exclusive ? raw.slice(1) : raw, "ERR min or max is not a float"), exclusive };
}

const aboveMin = (score: number, min: { value: number; exclusive: boolean }) =>
  min.exclusive ? score > min.value : score >= min.value;
const belowMax = (score: number, max: { value: number; exclusive: boolean }) =>
  max.exclusive ? score < max.value : score <= max.value;

function zadd(db: Keyspace, args: Buffer[]): Reply {
  const flags = new Set<string>();
  let i = 2;
  for (; i < args.length; i++) {
    const flag = upper(args[i]);
    if (!["NX", "XX", "GT", "LT", "CH", "INCR"].includes(flag)) break;
    flags.add(flag);
  }
  const pairs = args.slice(i);
  if (pairs.length === 0 || pairs.length % 2 !== 0) throw new RedisError(SYNTAX);
  if (flags.has("NX") && flags.has("XX")) throw new RedisError("ERR XX and NX options at the same time are not compatible");
  if ((flags.has("GT") && flags.has("LT")) || (flags.has("NX") && (flags.has("GT") || flags.has("LT")))) {
    throw new RedisError("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (flags.has("INCR") && pairs.length !== 2) throw new RedisError("ERR INCR option supports a single increment-element pair");
  const scores = pairs.filter((_, j) => j % 2 === 0).map((score) => parseDouble(score));

  const key = text(args[1]!);
  if (!read(db, args[1]!) && flags.has("XX")) return flags.has("INCR") ? null : 0;
  const zset = db.getOrCreate(key, "zset", () => new Map());
  let changed = 0;
  let added = 0;
  let result: number | null = null;
  for (let j = 0; j < scores.length; j++) {
    const member = text(pairs[j * 2 + 1]!);
    const current = zset.get(member);
    let score = scores[j]!;
    if (flags.has("INCR")) score += current ?? 0;
    if (Number.isNaN(score)) throw new RedisError("ERR resulting score is not a number (NaN)");
    const skip =
      (flags.has("NX") && current !== undefined) ||
      (flags.has("XX") && current === undefined) ||
      (current !== undefined && flags.has("GT") && score <= current) ||
      (current !== undefined && flags.has("LT") && score >= current);
    if (skip) continue;
    if (current === undefined) added++;
    else if (current !== score) changed++;
    zset.set(member, score);
    result = score;
  }
  db.dropIfEmpty(key);
  if (flags.has("INCR")) return result === null ? null : bytes(formatDouble(result));
  return flags.has("CH") ? added + changed : added;
}

function zrange(db: Keyspace, args: Buffer[]): Reply {
  let byScore = false;
  let rev = false;
  let withScores = false;
  let limit: [number, number] | undefined;
  for (let i = 4; i < args.length; i++) {
    const option = upper(args[i]);
    if (option === "BYSCORE") byScore = true;
    else if (option === "REV") rev = true;
    else if (option === "WITHSCORES") withScores = true;
    else if (option === "LIMIT" && args[i + 2]) {
      limit = [parseInteger(args[i + 1]!), parseInteger(args[i + 2]!)];
      i += 2;
    } else if (option === "BYLEX") throw new RedisError("ERR BYLEX is not supported by the embedded engine");
    else throw new RedisError(SYNTAX);
  }
  if (limit && !byScore) {
    throw new RedisError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  const zset = read(db, args[1]!);
  let items = zset ? sorted(zset) : [];
  if (rev) items.reverse();
  if (byScore) {
    // With REV the first bound is the max.
    const [min, max] = rev ? [bound(args[3]!), bound(args[2]!)] : [bound(args[2]!), bound(args[3]!)];
    items = items.filter(([, score]) => aboveMin(score, min) && belowMax(score, max));
    if (limit) {
      const [offset, count] = limit;
      items = offset < 0 ? [] : items.slice(offset, count < 0 ? undefined : offset + count);
    }
  } else {
    const length = items.length;
    let start = parseInteger(args[2]!);
    let stop = parseInteger(args[3]!);
    if (start < 0) start = Math.max(length + start, 0);
    if (stop < 0) stop = length + stop;
    items = start > stop || start >= length ? [] : items.slice(start, Math.min(stop, length - 1) + 1);
  }
  return items.flatMap(([member, score]) => (withScores ? [bytes(member), bytes(formatDouble(score))] : [bytes(member)]));
}

export const sortedSetCommands: CommandTable = {
  ZADD: { arity: -4, run: zadd },
  ZRANGE: { arity: -4, run: zrange },
  ZSCORE: {
    arity: 3,
    run(db, [, key, member]) {
      const score = read(db, key!)?.get(text(member!));
      return score === undefined ? null : bytes(formatDouble(score));
    },
  },
  ZCARD: { arity: 2, run: (db, [, key]) => read(db, key!)?.size ?? 0 },
  ZREM: removeMembers("zset"),

  ZINCRBY: {
    arity: 4,
    run(db, [, key, by, member]) {
      const increment = parseDouble(by!);
      const zset = db.getOrCreate(text(key!), "zset", () => new Map());
      const score = (zset.get(text(member!)) ?? 0) + increment;
      if (Number.isNaN(score)) throw new RedisError("ERR resulting score is not a number (NaN)");
      zset.set(text(member!), score);
      return bytes(formatDouble(score));
    },
  },
  ZCOUNT: {
    arity: 4,
    run(db, [, key, minArg, maxArg]) {
      const [min, max] = [bound(minArg!), bound(maxArg!)];
      return [...(read(db, key!)?.values() ?? [])].filter((s) => aboveMin(s, min) && belowMax(s, max)).length;
    },
  },
  ZREMRANGEBYSCORE: {
    arity: 4,
    run(db, [, key, minArg, maxArg]) {
      const [min, max] = [bound(minArg!), bound(maxArg!)];
      const zset = read(db, key!);
      if (!zset) return 0;
      let removed = 0;
      for (const [member, score] of zset) {
        if (aboveMin(score, min) && belowMax(score, max)) removed += zset.delete(member) ? 1 : 0;
      }
      db.dropIfEmpty(text(key!));
      return removed;
    },
  },
  ZRANK: {
    arity: 3,
    run(db, [, key, member]) {
      const zset = read(db, key!);
      const index = zset ? sorted(zset).findIndex(([m]) => m === text(member!)) : -1;
      return index === -1 ? null : index;
    },
  },
};
