import { OK, RedisError } from "../reply.ts";
import { parseInteger, text } from "./args.ts";
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

function pop(db: Keyspace, args: Buffer[], fromLeft: boolean) {
  const list = read(db, args[1]!);
  const count = args[2] === undefined ? undefined : parseInteger(args[2], "ERR value is out of range, must be positive");
  if (count !== undefined && count < 0) throw new RedisError("ERR value is out of range, must be positive");
  if (!list) return null;
  const taken = fromLeft ? list.splice(0, count ?? 1) : list.splice(-(count ?? 1)).reverse();
  db.dropIfEmpty(text(args[1]!));
  return count === undefined ? (taken[0] ?? null) : taken;
}

export const listCommands: CommandTable = {
  LPUSH: {
    arity: -3,
    run(db, args) {
      const list = write(db, args[1]!);
      for (const value of args.slice(2)) list.unshift(value);
      return list.length;
    },
  },
  RPUSH: {
    arity: -3,
    run(db, args) {
      const list = write(db, args[1]!);
      list.push(...args.slice(2));
      return list.length;
    },
  },
  LPOP: { arity: -2, run: (db, args) => pop(db, args, true) },
  RPOP: { arity: -2, run: (db, args) => pop(db, args, false) },
  LLEN: { arity: 2, run: (db, [, key]) => read(db, key!)?.length ?? 0 },
  LRANGE: {
    arity: 4,
    run(db, [, key, start, stop]) {
      const list = read(db, key!) ?? [];
      const [from, to] = window(list.length, parseInteger(start!), parseInteger(stop!));
      return from > to ? [] : list.slice(from, to + 1);
    },
  },
  LTRIM: {
    arity: 4,
    run(db, [, key, start, stop]) {
      const list = read(db, key!);
      if (!list) return OK;
      const [from, to] = window(list.length, parseInteger(start!), parseInteger(stop!));
      const kept = from > to ? [] : list.slice(from, to + 1);
      list.splice(0, list.length, ...kept);
      db.dropIfEmpty(text(key!));
      return OK;
    },
  },
};
