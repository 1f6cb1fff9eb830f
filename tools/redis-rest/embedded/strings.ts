import { OK, RedisError, type Reply } from "../reply.ts";
import { addDecimal, bytes, checkInt64, NOT_FLOAT, parseDouble, parseInt64, parseInteger, SYNTAX, text, upper, wrongArgs } from "./args.ts";
import type { CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

const getString = (db: Keyspace, key: Buffer) => db.get(text(key), "string");

function setString(db: Keyspace, key: Buffer, value: Buffer, keepTtl = false): void {
  db.set(text(key), { type: "string", value }, keepTtl);
}

/** SET's options, case-insensitive (B2: clients send `ex`, `nx`, `keepTtl`). */
function parseSetOptions(db: Keyspace, args: Buffer[]) {
  const options = { nx: false, xx: false, get: false, keepTtl: false, expiresAt: undefined as number | undefined };
  let expirySeen = false;
  for (let i = 3; i < args.length; i++) {
    const option = upper(args[i]);
    if (option === "NX" && !options.xx) options.nx = true;
    else if (option === "XX" && !options.nx) options.xx = true;
    else if (option === "GET") options.get = true;
    else if (option === "KEEPTTL" && !expirySeen) {
      options.keepTtl = true;
      expirySeen = true;
    } else if (["EX", "PX", "EXAT", "PXAT"].includes(option) && !expirySeen && args[i + 1]) {
      const amount = parseInteger(args[++i]!);
      if (amount <= 0) throw new RedisError("ERR invalid expire time in 'set' command");
      const now = db.now();
      options.expiresAt =
        option === "EX" ? now + amount * 1000 : option === "PX" ? now + amount : option === "EXAT" ? amount * 1000 : amount;
      expirySeen = true;
    } else {
      throw new RedisError(SYNTAX);
    }
  }
  return options;
}

function incrementBy(db: Keyspace, key: Buffer, by: bigint): Reply {
  const current = getString(db, key);
  const value = checkInt64((current === undefined ? 0n : parseInt64(current)) + by);
  setString(db, key, bytes(value.toString()), true);
  return Number(value);
}

export const stringCommands: CommandTable = {
  GET: { arity: 2, run: (db, [, key]) => getString(db, key!) ?? null },
  SET: {
    arity: -3,
    run(db, args) {
      const [, key, value] = args as [Buffer, Buffer, Buffer];
      const options = parseSetOptions(db, args);
      const previous = options.get ? (getString(db, key) ?? null) : null;
      const exists = db.exists(text(key));
      if ((options.nx && exists) || (options.xx && !exists)) return previous;
      setString(db, key, value, options.keepTtl);
      if (options.expiresAt !== undefined) db.setExpiry(text(key), options.expiresAt);
      return options.get ? previous : OK;
    },
  },
  SETNX: {
    arity: 3,
    run(db, [, key, value]) {
      if (db.exists(text(key!))) return 0;
      setString(db, key!, value!);
      return 1;
    },
  },
  SETEX: { arity: 4, run: (db, [, key, seconds, value]) => setWithExpiry(db, "setex", key!, value!, parseInteger(seconds!) * 1000) },
  PSETEX: { arity: 4, run: (db, [, key, ms, value]) => setWithExpiry(db, "psetex", key!, value!, parseInteger(ms!)) },
  GETDEL: {
    arity: 2,
    run(db, [, key]) {
      const value = getString(db, key!);
      if (value !== undefined) db.delete(text(key!));
      return value ?? null;
    },
  },
  MGET: {
    arity: -2,
    run: (db, args) =>
      args.slice(1).map((key) => (db.type(text(key)) === "string" ? (getString(db, key) ?? null) : null)),
  },
  MSET: {
    arity: -3,
    run(db, args) {
      if (args.length % 2 === 0) throw wrongArgs("mset");
      for (let i = 1; i < args.length; i += 2) setString(db, args[i]!, args[i + 1]!);
      return OK;
    },
  },
  STRLEN: { arity: 2, run: (db, [, key]) => getString(db, key!)?.length ?? 0 },
  APPEND: {
    arity: 3,
    run(db, [, key, value]) {
      const joined = Buffer.concat([getString(db, key!) ?? Buffer.alloc(0), value!]);
      setString(db, key!, joined, true);
      return joined.length;
    },
  },
  INCR: { arity: 2, run: (db, [, key]) => incrementBy(db, key!, 1n) },
  DECR: { arity: 2, run: (db, [, key]) => incrementBy(db, key!, -1n) },
  INCRBY: { arity: 3, run: (db, [, key, by]) => incrementBy(db, key!, parseInt64(by!)) },
  DECRBY: { arity: 3, run: (db, [, key, by]) => incrementBy(db, key!, -parseInt64(by!)) },
  INCRBYFLOAT: {
    arity: 3,
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

function setWithExpiry(db: Keyspace, name: string, key: Buffer, value: Buffer, ttlMs: number): Reply {
  if (ttlMs <= 0) throw new RedisError(`ERR invalid expire time in '${name}' command`);
  setString(db, key, value);
  db.setExpiry(text(key), db.now() + ttlMs);
  return OK;
}
