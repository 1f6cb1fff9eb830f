import { OK, RedisError, type Reply } from "../reply.ts";
import { parseInteger, parseNumKeys, parsePositive, parseRange, SYNTAX, text, upper, wrongArgs } from "./args.ts";
import type { CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

const read = (db: Keyspace, key: Buffer) => db.get(text(key), "list");
const write = (db: Keyspace, key: Buffer) => db.getOrCreate(text(key), "list", () => [] as Buffer[]);

/** Redis's index window: negative indexes count from the end; out of range clamps. */
function window(length: number, start: number, stop: number): [number, number] {
  const from = Math.max(start < 0 ? length + start : start, 0);
  const to = Math.min(stop < 0 ? length + stop : stop, length - 1);
  return [from, to];
}

/** A list index as LINDEX and LSET read one: negative from the end, undefined when outside. */
function position(list: Buffer[], index: number): number | undefined {
  const at = index < 0 ? list.length + index : index;
  return at >= 0 && at < list.length ? at : undefined;
}

type End = "LEFT" | "RIGHT";

function end(arg: Buffer | undefined): End {
  const where = upper(arg);
  if (where !== "LEFT" && where !== "RIGHT") throw new RedisError(SYNTAX);
  return where;
}

/** Up to `count` elements off one end, in pop order; the key goes once the list is empty. */
function take(db: Keyspace, key: Buffer, list: Buffer[], where: End, count: number): Buffer[] {
  const taken = where === "LEFT" ? list.splice(0, count) : list.splice(-count).reverse();
  db.dropIfEmpty(text(key));
  return taken;
}

function pop(db: Keyspace, args: Buffer[], where: End): Reply {
  if (args.length > 3) throw wrongArgs(where === "LEFT" ? "lpop" : "rpop");
  const count = args[2] === undefined ? undefined : parsePositive(args[2]);
  const list = read(db, args[1]!);
  if (!list) return null;
  if (count === 0) return [];
  const taken = take(db, args[1]!, list, where, count ?? 1);
  return count === undefined ? (taken[0] ?? null) : taken;
}

function push(db: Keyspace, args: Buffer[], where: End, onlyIfExists: boolean): Reply {
  if (onlyIfExists && !read(db, args[1]!)) return 0;
  const list = write(db, args[1]!);
  for (const value of args.slice(2)) {
    if (where === "LEFT") list.unshift(value);
    else list.push(value);
  }
  return list.length;
}

function move(db: Keyspace, source: Buffer, target: Buffer, from: End, to: End): Reply {
  const list = read(db, source);
  if (!list?.length) return null;
  read(db, target); // WRONGTYPE before anything moves
  const [value] = from === "LEFT" ? list.splice(0, 1) : list.splice(-1, 1);
  const destination = write(db, target);
  if (to === "LEFT") destination.unshift(value!);
  else destination.push(value!);
  db.dropIfEmpty(text(source));
  return value!;
}

function lpos(db: Keyspace, args: Buffer[]): Reply {
  const element = args[2]!;
  let rank = 1;
  let count: number | undefined;
  let maxLen = 0;
  for (let j = 3; j < args.length; j++) {
    const option = upper(args[j]);
    const hasValue = j < args.length - 1;
    if (option === "RANK" && hasValue) {
      rank = parseInteger(args[++j]!);
      if (rank === 0) {
        throw new RedisError(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
    } else if (option === "COUNT" && hasValue) {
      count = parsePositive(args[++j]!, "ERR COUNT can't be negative");
    } else if (option === "MAXLEN" && hasValue) {
      maxLen = parsePositive(args[++j]!, "ERR MAXLEN can't be negative");
    } else {
      throw new RedisError(SYNTAX);
    }
  }
  const list = read(db, args[1]!);
  if (!list) return count === undefined ? null : [];
  const fromEnd = rank < 0;
  const wanted = Math.abs(rank);
  const found: number[] = [];
  let matches = 0;
  for (let scanned = 0; scanned < list.length && (maxLen === 0 || scanned < maxLen); scanned++) {
    const index = fromEnd ? list.length - 1 - scanned : scanned;
    if (!list[index]!.equals(element)) continue;
    matches++;
    if (matches < wanted) continue;
    found.push(index);
    if (count === undefined || (count !== 0 && found.length >= count)) break;
  }
  return count === undefined ? (found[0] ?? null) : found;
}

export const listCommands: CommandTable = {
  LPUSH: { arity: -3, write: true, run: (db, args) => push(db, args, "LEFT", false) },
  RPUSH: { arity: -3, write: true, run: (db, args) => push(db, args, "RIGHT", false) },
  LPUSHX: { arity: -3, write: true, run: (db, args) => push(db, args, "LEFT", true) },
  RPUSHX: { arity: -3, write: true, run: (db, args) => push(db, args, "RIGHT", true) },
  LPOP: { arity: -2, write: true, run: (db, args) => pop(db, args, "LEFT") },
  RPOP: { arity: -2, write: true, run: (db, args) => pop(db, args, "RIGHT") },
  LLEN: { arity: 2, run: (db, [, key]) => read(db, key!)?.length ?? 0 },
  LRANGE: {
    arity: 4,
    run(db, [, key, start, stop]) {
      const [first, last] = [parseInteger(start!), parseInteger(stop!)];
      const list = read(db, key!) ?? [];
      const [from, to] = window(list.length, first, last);
      return from > to ? [] : list.slice(from, to + 1);
    },
  },
  LTRIM: {
    arity: 4,
    write: true,
    run(db, [, key, start, stop]) {
      const [first, last] = [parseInteger(start!), parseInteger(stop!)];
      const list = read(db, key!);
      if (!list) return OK;
      const [from, to] = window(list.length, first, last);
      const kept = from > to ? [] : list.slice(from, to + 1);
      list.splice(0, list.length, ...kept);
      db.dropIfEmpty(text(key!));
      return OK;
    },
  },
  LINDEX: {
    arity: 3,
    run(db, [, key, index]) {
      const list = read(db, key!);
      if (!list) return null;
      const at = position(list, parseInteger(index!));
      return at === undefined ? null : list[at]!;
    },
  },
  LSET: {
    arity: 4,
    write: true,
    run(db, [, key, index, value]) {
      const list = read(db, key!);
      if (!list) throw new RedisError("ERR no such key");
      const at = position(list, parseInteger(index!));
      if (at === undefined) throw new RedisError("ERR index out of range");
      list[at] = value!;
      return OK;
    },
  },
  LINSERT: {
    arity: 5,
    write: true,
    run(db, [, key, where, pivot, value]) {
      const before = upper(where) === "BEFORE";
      if (!before && upper(where) !== "AFTER") throw new RedisError(SYNTAX);
      const list = read(db, key!);
      if (!list) return 0;
      const at = list.findIndex((item) => item.equals(pivot!));
      if (at === -1) return -1;
      list.splice(before ? at : at + 1, 0, value!);
      return list.length;
    },
  },
  LREM: {
    arity: 4,
    write: true,
    run(db, [, key, countArg, element]) {
      const count = parseInteger(countArg!);
      const list = read(db, key!);
      if (!list) return 0;
      const limit = count === 0 ? Infinity : Math.abs(count);
      const indexes: number[] = [];
      for (let scanned = 0; scanned < list.length && indexes.length < limit; scanned++) {
        const index = count < 0 ? list.length - 1 - scanned : scanned;
        if (list[index]!.equals(element!)) indexes.push(index);
      }
      for (const index of indexes.sort((a, b) => b - a)) list.splice(index, 1);
      db.dropIfEmpty(text(key!));
      return indexes.length;
    },
  },
  LPOS: { arity: -3, run: lpos },
  LMOVE: {
    arity: 5,
    write: true,
    run: (db, [, source, target, from, to]) => {
      const [fromEnd, toEnd] = [end(from), end(to)];
      return move(db, source!, target!, fromEnd, toEnd);
    },
  },
  RPOPLPUSH: { arity: 3, write: true, run: (db, [, source, target]) => move(db, source!, target!, "RIGHT", "LEFT") },
  LMPOP: {
    arity: -4,
    write: true,
    run(db, args) {
      const numKeys = parseNumKeys(args[1]!);
      const whereIndex = 2 + numKeys;
      if (whereIndex >= args.length) throw new RedisError(SYNTAX);
      const where = end(args[whereIndex]);
      let count: number | undefined;
      for (let j = whereIndex + 1; j < args.length; j++) {
        if (count === undefined && upper(args[j]) === "COUNT" && j < args.length - 1) {
          count = parseRange(args[++j]!, 1n, 2n ** 63n - 1n, "ERR count should be greater than 0");
        } else {
          throw new RedisError(SYNTAX);
        }
      }
      for (const key of args.slice(2, whereIndex)) {
        const list = read(db, key);
        if (!list?.length) continue;
        return [key, take(db, key, list, where, count ?? 1)];
      }
      return null;
    },
  },
};
