import { OK } from "../reply.ts";
import { addDecimal, bytes, checkInt64, parseDouble, parseInt64, text, wrongArgs } from "./args.ts";
import { removeMembers, type CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

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

export const hashCommands: CommandTable = {
  HSET: { arity: -4, run: (db, args) => setFields(db, args, "hset") },
  HMSET: { arity: -4, run: (db, args) => (setFields(db, args, "hmset"), OK) },
  HGET: { arity: 3, run: (db, [, key, field]) => read(db, key!)?.get(text(field!)) ?? null },
  HMGET: { arity: -3, run: (db, args) => args.slice(2).map((field) => read(db, args[1]!)?.get(text(field)) ?? null) },
  HGETALL: {
    arity: 2,
    // A flat [field, value, ...] array, as RESP2 has it (B9.4), never an object.
    run: (db, [, key]) => [...(read(db, key!) ?? new Map<string, Buffer>())].flatMap(([field, value]) => [bytes(field), value]),
  },
  HKEYS: { arity: 2, run: (db, [, key]) => [...(read(db, key!)?.keys() ?? [])].map(bytes) },
  HVALS: { arity: 2, run: (db, [, key]) => [...(read(db, key!)?.values() ?? [])] },
  HLEN: { arity: 2, run: (db, [, key]) => read(db, key!)?.size ?? 0 },
  HEXISTS: { arity: 3, run: (db, [, key, field]) => (read(db, key!)?.has(text(field!)) ? 1 : 0) },
  HDEL: removeMembers("hash"),

  HINCRBY: {
    arity: 4,
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
    run(db, [, key, field, by]) {
      parseDouble(by!);
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
