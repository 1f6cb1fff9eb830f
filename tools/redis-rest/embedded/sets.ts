import { bytes, text } from "./args.ts";
import { removeMembers, type CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

const read = (db: Keyspace, key: Buffer) => db.get(text(key), "set");

export const setCommands: CommandTable = {
  SADD: {
    arity: -3,
    run(db, args) {
      const set = db.getOrCreate(text(args[1]!), "set", () => new Set<string>());
      const before = set.size;
      for (const member of args.slice(2)) set.add(text(member));
      return set.size - before;
    },
  },
  SREM: removeMembers("set"),

  SMEMBERS: { arity: 2, run: (db, [, key]) => [...(read(db, key!) ?? [])].map(bytes) },
  SISMEMBER: { arity: 3, run: (db, [, key, member]) => (read(db, key!)?.has(text(member!)) ? 1 : 0) },
  SMISMEMBER: { arity: -3, run: (db, args) => args.slice(2).map((m) => (read(db, args[1]!)?.has(text(m)) ? 1 : 0)) },
  SCARD: { arity: 2, run: (db, [, key]) => read(db, key!)?.size ?? 0 },
};
