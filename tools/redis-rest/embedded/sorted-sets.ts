import { RedisError, type Reply } from "../reply.ts";
import {
  bytes,
  d2string,
  doubleReply,
  formatDouble,
  parseDouble,
  parseInteger,
  parseNumKeys,
  parsePositive,
  parseRange,
  parseSignedCount,
  SYNTAX,
  text,
  upper,
} from "./args.ts";
import { scanCollection } from "./collection-scan.ts";
import { removeMembers, type CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";
import { randomPicks } from "./random.ts";
import { setMembers } from "./sets.ts";

type ZSet = Map<string, number>;
type Item = [member: string, score: number];

const read = (db: Keyspace, key: Buffer) => db.get(text(key), "zset");

/**
 * A score as a sorted set keeps it: a listpack stores an integral score as an integer, which
 * turns -0 into 0 (and nearly every sorted set starts as a listpack).
 */
const stored = (score: number) => (score === 0 ? 0 : score);

/** zset-max-listpack-entries (128) and zset-max-listpack-value (64 bytes). */
const isListpack = (zset: ZSet) => zset.size <= 128 && [...zset.keys()].every((member) => member.length <= 64);

const compareMembers = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Members by score, then by member bytes: Redis's order (latin1 strings compare as bytes). */
function sorted(zset: ZSet): Item[] {
  return [...zset].sort(([a, x], [b, y]) => x - y || compareMembers(a, b));
}

interface ScoreRange {
  min: number;
  max: number;
  minEx: boolean;
  maxEx: boolean;
}

/** zslParseRange: `1.5`, `(1.5` (exclusive), `-inf`, `+inf`; NaN is refused. */
function scoreRange(minArg: Buffer, maxArg: Buffer): ScoreRange {
  const parse = (arg: Buffer): [number, boolean] => {
    const raw = text(arg);
    const exclusive = raw.startsWith("(");
    return [parseDouble(exclusive ? raw.slice(1) : raw, "ERR min or max is not a float"), exclusive];
  };
  const [min, minEx] = parse(minArg);
  const [max, maxEx] = parse(maxArg);
  return { min, max, minEx, maxEx };
}

const aboveMin = (score: number, r: ScoreRange) => (r.minEx ? score > r.min : score >= r.min);
const belowMax = (score: number, r: ScoreRange) => (r.maxEx ? score < r.max : score <= r.max);

/** A lex bound: `[a` inclusive, `(a` exclusive, `-` and `+` the ends (zslParseLexRangeItem). */
type LexBound = { kind: "min" } | { kind: "max" } | { kind: "value"; value: string; exclusive: boolean };

interface LexRange {
  min: LexBound;
  max: LexBound;
}

function lexRange(minArg: Buffer, maxArg: Buffer): LexRange {
  const parse = (arg: Buffer): LexBound => {
    const raw = text(arg);
    if (raw === "+") return { kind: "max" };
    if (raw === "-") return { kind: "min" };
    if (raw.startsWith("(") || raw.startsWith("[")) return { kind: "value", value: raw.slice(1), exclusive: raw.startsWith("(") };
    throw new RedisError("ERR min or max not valid string range item");
  };
  return { min: parse(minArg), max: parse(maxArg) };
}

/** sdscmplex: `-` sorts before everything, `+` after everything. */
function compareLex(a: LexBound | string, b: LexBound | string): number {
  const rank = (x: LexBound | string) => (typeof x === "string" ? 0 : x.kind === "min" ? -1 : x.kind === "max" ? 1 : 0);
  const value = (x: LexBound | string) => (typeof x === "string" ? x : x.kind === "value" ? x.value : "");
  return rank(a) - rank(b) || (rank(a) === 0 ? compareMembers(value(a), value(b)) : 0);
}

const exclusive = (bound: LexBound) => bound.kind !== "value" || bound.exclusive;
const lexAboveMin = (member: string, r: LexRange) => (exclusive(r.min) ? compareLex(member, r.min) > 0 : compareLex(member, r.min) >= 0);
const lexBelowMax = (member: string, r: LexRange) => (exclusive(r.max) ? compareLex(member, r.max) < 0 : compareLex(member, r.max) <= 0);

type Range = { by: "score"; range: ScoreRange } | { by: "lex"; range: LexRange };

/**
 * The elements a score or lex range covers, in iteration order, as Redis walks them: start
 * at the first element past the low end (the last below the high end when reversed), stop
 * at the first one out of range. For a lex range over unequal scores, that is not the same
 * as filtering, which is why this walks.
 */
function span(items: Item[], range: Range, reverse: boolean): Item[] {
  const [gteMin, lteMax] =
    range.by === "score"
      ? [(item: Item) => aboveMin(item[1], range.range), (item: Item) => belowMax(item[1], range.range)]
      : [(item: Item) => lexAboveMin(item[0], range.range), (item: Item) => lexBelowMax(item[0], range.range)];
  if (isEmptyRange(range) || items.length === 0) return [];
  if (!gteMin(items[items.length - 1]!) || !lteMax(items[0]!)) return [];
  const ordered = reverse ? [...items].reverse() : items;
  const [reachStart, staysIn] = reverse ? [lteMax, gteMin] : [gteMin, lteMax];
  const first = ordered.findIndex(reachStart);
  if (first === -1 || !staysIn(ordered[first]!)) return [];
  const result: Item[] = [];
  for (let i = first; i < ordered.length && staysIn(ordered[i]!); i++) result.push(ordered[i]!);
  return result;
}

function isEmptyRange(range: Range): boolean {
  if (range.by === "score") {
    const { min, max, minEx, maxEx } = range.range;
    return min > max || (min === max && (minEx || maxEx));
  }
  const cmp = compareLex(range.range.min, range.range.max);
  return cmp > 0 || (cmp === 0 && (exclusive(range.range.min) || exclusive(range.range.max)));
}

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
    zset.set(member, stored(score));
    result = score;
  }
  db.dropIfEmpty(key);
  if (flags.has("INCR")) return result === null ? null : doubleReply(result);
  return flags.has("CH") ? added + changed : added;
}

const LONG_MAX = 2n ** 63n - 1n;

/**
 * ZRANGE, ZRANGESTORE, ZREVRANGE and the BYSCORE/BYLEX forms, as Redis's
 * zrangeGenericCommand parses them: `keyIndex` is the source key, `kind` and `direction`
 * are fixed by the older commands and free ("auto") for ZRANGE and ZRANGESTORE.
 */
function zrange(
  db: Keyspace,
  args: Buffer[],
  options: { keyIndex: number; store?: Buffer; kind: "auto" | "rank" | "score" | "lex"; direction: "auto" | "forward" | "reverse" },
): Reply {
  let { kind, direction } = options;
  const { keyIndex, store } = options;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyIndex + 3; j < args.length; j++) {
    const option = upper(args[j]);
    if (!store && option === "WITHSCORES") withScores = true;
    else if (option === "LIMIT" && args.length - j - 1 >= 2) {
      offset = parseInteger(args[j + 1]!);
      limit = parseInteger(args[j + 2]!);
      j += 2;
    } else if (direction === "auto" && option === "REV") direction = "reverse";
    else if (kind === "auto" && option === "BYLEX") kind = "lex";
    else if (kind === "auto" && option === "BYSCORE") kind = "score";
    else throw new RedisError(SYNTAX);
  }
  const reverse = direction === "reverse";
  if (kind === "auto") kind = "rank";
  if (limit !== -1 && kind === "rank") {
    throw new RedisError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withScores && kind === "lex") throw new RedisError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  // With REV the bounds of BYSCORE and BYLEX come max first.
  const [minArg, maxArg] =
    reverse && kind !== "rank" ? [args[keyIndex + 2]!, args[keyIndex + 1]!] : [args[keyIndex + 1]!, args[keyIndex + 2]!];
  let select: (items: Item[]) => Item[];
  if (kind === "rank") {
    const [start, stop] = [parseInteger(minArg), parseInteger(maxArg)];
    select = (items) => byRank(reverse ? [...items].reverse() : items, start, stop);
  } else {
    const range: Range = kind === "score" ? { by: "score", range: scoreRange(minArg, maxArg) } : { by: "lex", range: lexRange(minArg, maxArg) };
    select = (items) => {
      if (offset > 0 && offset >= items.length) return [];
      const covered = span(items, range, reverse);
      if (offset < 0) return [];
      return covered.slice(offset, limit < 0 ? undefined : offset + limit);
    };
  }
  const zset = read(db, args[keyIndex]!);
  const result = zset ? select(sorted(zset)) : [];
  if (store) return storeItems(db, store, result);
  return result.flatMap(([member, score]) => (withScores ? [bytes(member), doubleReply(score)] : [bytes(member)]));
}

/** Redis's rank window: negative indexes from the end, clamped; empty when start passes stop. */
function byRank(items: Item[], startArg: number, stopArg: number): Item[] {
  const length = items.length;
  let start = startArg < 0 ? length + startArg : startArg;
  let stop = stopArg < 0 ? length + stopArg : stopArg;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return [];
  if (stop >= length) stop = length - 1;
  return items.slice(start, stop + 1);
}

/** Stores items as a sorted set at `target` (replacing any value), or deletes it when empty. */
function storeItems(db: Keyspace, target: Buffer, items: Item[]): number {
  if (items.length === 0) db.delete(text(target));
  else db.set(text(target), { type: "zset", value: new Map(items.map(([member, score]) => [member, stored(score)])) });
  return items.length;
}

type Aggregate = "SUM" | "MIN" | "MAX";

function aggregate(current: number, value: number, how: Aggregate): number {
  if (how === "MIN") return value < current ? value : current;
  if (how === "MAX") return value > current ? value : current;
  const sum = current + value;
  return Number.isNaN(sum) ? 0 : sum;
}

interface Source {
  /** Elements in the order Redis iterates the source: a set's members score 1. */
  items: Item[];
  has(member: string): number | undefined;
  weight: number;
  id: Map<string, number> | Set<string> | undefined;
}

/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (zunionInterDiffGenericCommand):
 * sources may be sorted sets or sets; WEIGHTS multiply, AGGREGATE combines, and union and
 * intersection walk the sources smallest first, as Redis does, so float sums add up in the
 * same order.
 */
function combine(db: Keyspace, args: Buffer[], op: "union" | "inter" | "diff", options: { store?: Buffer; card?: boolean }): Reply {
  const numKeysIndex = options.store ? 2 : 1;
  const name = text(args[0]!).toLowerCase();
  const count = parseInteger(args[numKeysIndex]!);
  if (count < 1) throw new RedisError(`ERR at least 1 input key is needed for '${name}' command`);
  if (count > args.length - (numKeysIndex + 1)) throw new RedisError(SYNTAX);
  const keys = args.slice(numKeysIndex + 1, numKeysIndex + 1 + count);
  const sources: Source[] = keys.map((key) => {
    const type = db.type(text(key));
    if (type === undefined) return { items: [], has: () => undefined, weight: 1, id: undefined };
    if (type === "zset") {
      const zset = read(db, key)!;
      return { items: sorted(zset), has: (member) => zset.get(member), weight: 1, id: zset };
    }
    if (type === "set") {
      const set = db.get(text(key), "set")!;
      return { items: setMembers(set).map((member): Item => [member, 1]), has: (member) => (set.has(member) ? 1 : undefined), weight: 1, id: set };
    }
    throw new RedisError("WRONGTYPE Operation against a key holding the wrong kind of value");
  });

  let how: Aggregate = "SUM";
  let withScores = false;
  let limit = 0;
  let j = numKeysIndex + 1 + count;
  while (j < args.length) {
    const remaining = args.length - j;
    const option = upper(args[j]);
    if (op !== "diff" && !options.card && remaining >= count + 1 && option === "WEIGHTS") {
      for (let i = 0; i < count; i++) sources[i]!.weight = parseDouble(args[j + 1 + i]!, "ERR weight value is not a float");
      j += count + 1;
    } else if (op !== "diff" && !options.card && remaining >= 2 && option === "AGGREGATE") {
      const value = upper(args[j + 1]);
      if (value !== "SUM" && value !== "MIN" && value !== "MAX") throw new RedisError(SYNTAX);
      how = value;
      j += 2;
    } else if (!options.store && !options.card && option === "WITHSCORES") {
      withScores = true;
      j++;
    } else if (options.card && remaining >= 2 && option === "LIMIT") {
      limit = parsePositive(args[j + 1]!, "ERR LIMIT can't be negative");
      j += 2;
    } else {
      throw new RedisError(SYNTAX);
    }
  }

  const result = new Map<string, number>();
  const weighted = (source: Source, score: number) => {
    const value = source.weight * score;
    return Number.isNaN(value) ? 0 : value;
  };
  if (op === "diff") {
    const [first, ...others] = sources as [Source, ...Source[]];
    for (const [member, score] of first.items) {
      if (!others.some((other) => other.id !== undefined && other.has(member) !== undefined)) result.set(member, score);
    }
  } else {
    // A stable sort by size: glibc's qsort keeps equal-size sources in argument order.
    const ordered = [...sources].sort((a, b) => a.items.length - b.items.length);
    if (op === "union") {
      for (const source of ordered) {
        for (const [member, score] of source.items) {
          const value = weighted(source, score);
          const current = result.get(member);
          result.set(member, current === undefined ? value : aggregate(current, value, how));
        }
      }
    } else {
      const [smallest, ...others] = ordered as [Source, ...Source[]];
      for (const [member, score] of smallest.items) {
        let value = weighted(smallest, score);
        let inAll = true;
        for (const other of others) {
          const found = other.id === smallest.id ? score : other.has(member);
          if (found === undefined) {
            inAll = false;
            break;
          }
          value = aggregate(value, found * other.weight, how);
        }
        if (!inAll) continue;
        result.set(member, value);
        if (options.card && limit && result.size >= limit) break;
      }
    }
  }
  if (options.card) return result.size;
  const items = sorted(result);
  if (options.store) return storeItems(db, options.store, items);
  return items.flatMap(([member, score]) => (withScores ? [bytes(member), doubleReply(score)] : [bytes(member)]));
}

/** ZPOPMIN, ZPOPMAX: a flat [member, score, …] array, lowest (or highest) first. */
function popItems(db: Keyspace, key: Buffer, zset: ZSet, max: boolean, count: number): Item[] {
  const items = sorted(zset);
  const taken = (max ? items.reverse() : items).slice(0, count);
  for (const [member] of taken) zset.delete(member);
  db.dropIfEmpty(text(key));
  return taken;
}

function zpop(db: Keyspace, args: Buffer[], max: boolean): Reply {
  if (args.length > 3) throw new RedisError(SYNTAX);
  const count = args[2] === undefined ? 1 : parsePositive(args[2]);
  const zset = read(db, args[1]!);
  if (!zset || count === 0) return [];
  return popItems(db, args[1]!, zset, max, count).flatMap(([member, score]) => [bytes(member), doubleReply(score)]);
}

function zmpop(db: Keyspace, args: Buffer[]): Reply {
  const numKeys = parseNumKeys(args[1]!);
  const whereIndex = 2 + numKeys;
  if (whereIndex >= args.length) throw new RedisError(SYNTAX);
  const where = upper(args[whereIndex]);
  if (where !== "MIN" && where !== "MAX") throw new RedisError(SYNTAX);
  let count: number | undefined;
  for (let j = whereIndex + 1; j < args.length; j++) {
    if (count === undefined && upper(args[j]) === "COUNT" && j < args.length - 1) {
      count = parseRange(args[++j]!, 1n, LONG_MAX, "ERR count should be greater than 0");
    } else {
      throw new RedisError(SYNTAX);
    }
  }
  for (const key of args.slice(2, whereIndex)) {
    const zset = read(db, key);
    if (!zset) continue;
    return [key, popItems(db, key, zset, where === "MAX", count ?? 1).map(([member, score]) => [bytes(member), doubleReply(score)])];
  }
  return null;
}

/** ZRANDMEMBER key [count [WITHSCORES]]: as HRANDFIELD, with scores for values. */
function randomMembers(db: Keyspace, args: Buffer[]): Reply {
  if (args.length === 2) {
    const zset = read(db, args[1]!);
    return zset ? bytes(randomPicks(sorted(zset), -1)[0]![0]) : null;
  }
  const count = parseSignedCount(args[2]!);
  if (args.length > 4 || (args.length === 4 && upper(args[3]) !== "WITHSCORES")) throw new RedisError(SYNTAX);
  const withScores = args.length === 4;
  if (withScores && Math.abs(count) > 2 ** 62) throw new RedisError("ERR value is out of range");
  const zset = read(db, args[1]!);
  if (!zset || count === 0) return [];
  // With a count covering the whole set, Redis walks it from the tail: highest score first.
  return randomPicks(sorted(zset).reverse(), count).flatMap(([member, score]) => (withScores ? [bytes(member), doubleReply(score)] : [bytes(member)]));
}

function removeRange(db: Keyspace, args: Buffer[], kind: "rank" | "score" | "lex"): Reply {
  const [, key, minArg, maxArg] = args as [Buffer, Buffer, Buffer, Buffer];
  let select: (items: Item[]) => Item[];
  if (kind === "rank") {
    const [start, stop] = [parseInteger(minArg), parseInteger(maxArg)];
    select = (items) => byRank(items, start, stop);
  } else {
    const range: Range = kind === "score" ? { by: "score", range: scoreRange(minArg, maxArg) } : { by: "lex", range: lexRange(minArg, maxArg) };
    select = (items) => span(items, range, false);
  }
  const zset = read(db, key);
  if (!zset) return 0;
  const removed = select(sorted(zset));
  for (const [member] of removed) zset.delete(member);
  db.dropIfEmpty(text(key));
  return removed.length;
}

function rank(db: Keyspace, [, key, member]: Buffer[], reverse: boolean): Reply {
  const zset = read(db, key!);
  if (!zset) return null;
  const items = sorted(zset);
  const index = items.findIndex(([m]) => m === text(member!));
  if (index === -1) return null;
  return reverse ? items.length - 1 - index : index;
}

export const sortedSetCommands: CommandTable = {
  ZADD: { arity: -4, write: true, run: zadd },
  ZINCRBY: {
    arity: 4,
    write: true,
    run(db, [, key, by, member]) {
      const increment = parseDouble(by!);
      const zset = db.getOrCreate(text(key!), "zset", () => new Map());
      const score = (zset.get(text(member!)) ?? 0) + increment;
      if (Number.isNaN(score)) {
        db.dropIfEmpty(text(key!));
        throw new RedisError("ERR resulting score is not a number (NaN)");
      }
      zset.set(text(member!), stored(score));
      return bytes(formatDouble(score));
    },
  },
  ZREM: removeMembers("zset"),
  ZCARD: { arity: 2, run: (db, [, key]) => read(db, key!)?.size ?? 0 },
  ZSCORE: {
    arity: 3,
    run(db, [, key, member]) {
      const score = read(db, key!)?.get(text(member!));
      return score === undefined ? null : doubleReply(score);
    },
  },
  ZMSCORE: {
    arity: -3,
    run(db, args) {
      const zset = read(db, args[1]!);
      return args.slice(2).map((member) => {
        const score = zset?.get(text(member));
        return score === undefined ? null : doubleReply(score);
      });
    },
  },
  ZRANK: { arity: 3, run: (db, args) => rank(db, args, false) },
  ZREVRANK: { arity: 3, run: (db, args) => rank(db, args, true) },
  ZCOUNT: {
    arity: 4,
    run(db, [, key, minArg, maxArg]) {
      const range = scoreRange(minArg!, maxArg!);
      const zset = read(db, key!);
      return zset ? span(sorted(zset), { by: "score", range }, false).length : 0;
    },
  },
  ZLEXCOUNT: {
    arity: 4,
    run(db, [, key, minArg, maxArg]) {
      const range = lexRange(minArg!, maxArg!);
      const zset = read(db, key!);
      return zset ? span(sorted(zset), { by: "lex", range }, false).length : 0;
    },
  },

  ZRANGE: { arity: -4, run: (db, args) => zrange(db, args, { keyIndex: 1, kind: "auto", direction: "auto" }) },
  ZRANGESTORE: {
    arity: -5,
    write: true,
    run: (db, args) => zrange(db, args, { keyIndex: 2, store: args[1]!, kind: "auto", direction: "auto" }),
  },
  ZREVRANGE: { arity: -4, run: (db, args) => zrange(db, args, { keyIndex: 1, kind: "rank", direction: "reverse" }) },
  ZRANGEBYSCORE: { arity: -4, run: (db, args) => zrange(db, args, { keyIndex: 1, kind: "score", direction: "forward" }) },
  ZREVRANGEBYSCORE: { arity: -4, run: (db, args) => zrange(db, args, { keyIndex: 1, kind: "score", direction: "reverse" }) },
  ZRANGEBYLEX: { arity: -4, run: (db, args) => zrange(db, args, { keyIndex: 1, kind: "lex", direction: "forward" }) },
  ZREVRANGEBYLEX: { arity: -4, run: (db, args) => zrange(db, args, { keyIndex: 1, kind: "lex", direction: "reverse" }) },

  ZREMRANGEBYSCORE: { arity: 4, write: true, run: (db, args) => removeRange(db, args, "score") },
  ZREMRANGEBYRANK: { arity: 4, write: true, run: (db, args) => removeRange(db, args, "rank") },
  ZREMRANGEBYLEX: { arity: 4, write: true, run: (db, args) => removeRange(db, args, "lex") },

  ZPOPMIN: { arity: -2, write: true, run: (db, args) => zpop(db, args, false) },
  ZPOPMAX: { arity: -2, write: true, run: (db, args) => zpop(db, args, true) },
  ZMPOP: { arity: -4, write: true, run: zmpop },
  ZRANDMEMBER: { arity: -2, run: randomMembers },
  ZSCAN: {
    arity: -3,
    run: (db, args) => scanCollection(args, () => {
      const zset = read(db, args[1]!);
      if (!zset) return undefined;
      // A small sorted set is a listpack holding d2string scores; a large one answers %.17g.
      const format = isListpack(zset) ? d2string : formatDouble;
      return sorted(zset).map(([member, score]) => [bytes(member), bytes(format(score))]);
    }),
  },

  ZUNION: { arity: -3, run: (db, args) => combine(db, args, "union", {}) },
  ZINTER: { arity: -3, run: (db, args) => combine(db, args, "inter", {}) },
  ZDIFF: { arity: -3, run: (db, args) => combine(db, args, "diff", {}) },
  ZINTERCARD: { arity: -3, run: (db, args) => combine(db, args, "inter", { card: true }) },
  ZUNIONSTORE: { arity: -4, write: true, run: (db, args) => combine(db, args, "union", { store: args[1]! }) },
  ZINTERSTORE: { arity: -4, write: true, run: (db, args) => combine(db, args, "inter", { store: args[1]! }) },
  ZDIFFSTORE: { arity: -4, write: true, run: (db, args) => combine(db, args, "diff", { store: args[1]! }) },
};
