import { RedisError, type Reply } from "../reply.ts";
import { bytes, parseNumKeys, parsePositive, parseSignedCount, SYNTAX, text, upper } from "./args.ts";
import { scanCollection } from "./collection-scan.ts";
import { removeMembers, type CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";
import { randomPicks } from "./random.ts";

const read = (db: Keyspace, key: Buffer) => db.get(text(key), "set");

/** set-max-intset-entries: up to this many integer members, Redis keeps a set as an intset. */
const MAX_INTSET_ENTRIES = 512;
const INT64 = /^-?(0|[1-9]\d{0,18})$/;

/**
 * A set's members in the order Redis answers them: a small set of integers is an intset,
 * sorted by value; any other set is a hash table, whose order is unspecified (insertion
 * order here).
 */
export function setMembers(set: ReadonlySet<string>): string[] {
  const members = [...set];
  if (members.length > MAX_INTSET_ENTRIES || !members.every(isInt64)) return members;
  return members.sort((a, b) => {
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function isInt64(member: string): boolean {
  if (!INT64.test(member)) return false;
  const value = BigInt(member);
  return value >= -(2n ** 63n) && value < 2n ** 63n;
}

/** Stores a computed set at `target` (replacing any value, TTL cleared), or deletes it when empty. */
function store(db: Keyspace, target: Buffer, members: Set<string>): number {
  if (members.size === 0) db.delete(text(target));
  else db.set(text(target), { type: "set", value: members });
  return members.size;
}

/** The sets at `keys` (undefined for a missing key), WRONGTYPE on the first that is not a set. */
const sources = (db: Keyspace, keys: Buffer[]) => keys.map((key) => read(db, key));

/**
 * SINTER's members: empty as soon as one key is missing; otherwise the smallest set (as
 * Redis iterates it) filtered by the others. `limit` stops early (SINTERCARD).
 */
function intersect(sets: (Set<string> | undefined)[], limit = 0): string[] {
  if (sets.some((set) => set === undefined)) return [];
  const ordered = [...(sets as Set<string>[])].sort((a, b) => a.size - b.size);
  const [smallest, ...others] = ordered as [Set<string>, ...Set<string>[]];
  const result: string[] = [];
  for (const member of setMembers(smallest)) {
    if (!others.every((set) => set.has(member))) continue;
    result.push(member);
    if (limit && result.length >= limit) break;
  }
  return result;
}

function union(sets: (Set<string> | undefined)[]): Set<string> {
  const result = new Set<string>();
  for (const set of sets) for (const member of set ?? []) result.add(member);
  return result;
}

function difference([first, ...others]: (Set<string> | undefined)[]): Set<string> {
  const result = new Set<string>();
  for (const member of first ?? []) if (!others.some((set) => set?.has(member))) result.add(member);
  return result;
}

const reply = (members: Iterable<string>) => setMembers(new Set(members)).map(bytes);

function pop(db: Keyspace, args: Buffer[]): Reply {
  if (args.length > 3) throw new RedisError(SYNTAX);
  const count = args[2] === undefined ? undefined : parsePositive(args[2]);
  const set = read(db, args[1]!);
  if (!set) return count === undefined ? null : [];
  const picked = randomPicks(setMembers(set), count ?? 1);
  for (const member of picked) set.delete(member);
  db.dropIfEmpty(text(args[1]!));
  return count === undefined ? bytes(picked[0]!) : picked.map(bytes);
}

function randomMembers(db: Keyspace, args: Buffer[]): Reply {
  if (args.length > 3) throw new RedisError(SYNTAX);
  if (args.length === 2) {
    const set = read(db, args[1]!);
    return set ? bytes(randomPicks(setMembers(set), -1)[0]!) : null;
  }
  const count = parseSignedCount(args[2]!);
  const set = read(db, args[1]!);
  if (!set || count === 0) return [];
  return randomPicks(setMembers(set), count).map(bytes);
}

export const setCommands: CommandTable = {
  SADD: {
    arity: -3,
    write: true,
    run(db, args) {
      const set = db.getOrCreate(text(args[1]!), "set", () => new Set<string>());
      const before = set.size;
      for (const member of args.slice(2)) set.add(text(member));
      return set.size - before;
    },
  },
  SREM: removeMembers("set"),
  SMOVE: {
    arity: 4,
    write: true,
    run(db, [, sourceKey, targetKey, member]) {
      const source = read(db, sourceKey!);
      if (!source) return 0;
      const target = read(db, targetKey!);
      const element = text(member!);
      if (source === target) return source.has(element) ? 1 : 0;
      if (!source.delete(element)) return 0;
      db.dropIfEmpty(text(sourceKey!));
      db.getOrCreate(text(targetKey!), "set", () => new Set<string>()).add(element);
      return 1;
    },
  },
  SPOP: { arity: -2, write: true, run: pop },
  SRANDMEMBER: { arity: -2, run: randomMembers },
  SMEMBERS: { arity: 2, run: (db, [, key]) => setMembers(read(db, key!) ?? new Set()).map(bytes) },
  SISMEMBER: { arity: 3, run: (db, [, key, member]) => (read(db, key!)?.has(text(member!)) ? 1 : 0) },
  SMISMEMBER: {
    arity: -3,
    run(db, args) {
      const set = read(db, args[1]!);
      return args.slice(2).map((member) => (set?.has(text(member)) ? 1 : 0));
    },
  },
  SCARD: { arity: 2, run: (db, [, key]) => read(db, key!)?.size ?? 0 },
  SSCAN: {
    arity: -3,
    run: (db, args) => scanCollection(args, () => {
      const set = read(db, args[1]!);
      return set && setMembers(set).map((member) => [bytes(member)]);
    }),
  },

  SINTER: { arity: -2, run: (db, args) => reply(intersect(sources(db, args.slice(1)))) },
  SINTERSTORE: {
    arity: -3,
    write: true,
    run: (db, args) => store(db, args[1]!, new Set(intersect(sources(db, args.slice(2))))),
  },
  SINTERCARD: {
    arity: -3,
    run(db, args) {
      const numKeys = parseNumKeys(args[1]!);
      if (numKeys > args.length - 2) throw new RedisError("ERR Number of keys can't be greater than number of args");
      let limit = 0;
      for (let j = 2 + numKeys; j < args.length; j++) {
        if (upper(args[j]) === "LIMIT" && j < args.length - 1) limit = parsePositive(args[++j]!, "ERR LIMIT can't be negative");
        else throw new RedisError(SYNTAX);
      }
      return intersect(sources(db, args.slice(2, 2 + numKeys)), limit).length;
    },
  },
  SUNION: { arity: -2, run: (db, args) => reply(union(sources(db, args.slice(1)))) },
  SUNIONSTORE: { arity: -3, write: true, run: (db, args) => store(db, args[1]!, union(sources(db, args.slice(2)))) },
  SDIFF: { arity: -2, run: (db, args) => reply(difference(sources(db, args.slice(1)))) },
  SDIFFSTORE: { arity: -3, write: true, run: (db, args) => store(db, args[1]!, difference(sources(db, args.slice(2)))) },
};
