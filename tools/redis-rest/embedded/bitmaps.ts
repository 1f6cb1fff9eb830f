import { RedisError, type Reply } from "../reply.ts";
import { parseInt64, SYNTAX, text, upper } from "./args.ts";
import type { CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";
import { MAX_STRING_BYTES } from "./strings.ts";

/**
 * Bitmaps are strings, bit 0 the most significant bit of byte 0, as in Redis (bitops.c).
 * Offsets, ranges and BITFIELD integers go through BigInt where Redis uses 64-bit math.
 */

const getString = (db: Keyspace, key: Buffer) => db.get(text(key), "string");

const BAD_OFFSET = "ERR bit offset is not an integer or out of range";

/** getBitOffsetFromArgument: `#n` means n · bits when `bits` is given (BITFIELD). */
function bitOffset(arg: Buffer, bits = 0): bigint {
  const raw = text(arg);
  const hash = bits > 0 && raw.startsWith("#");
  let offset = parseInt64(hash ? raw.slice(1) : raw, BAD_OFFSET);
  if (hash) offset *= BigInt(bits);
  if (offset < 0n || offset >> 3n >= BigInt(MAX_STRING_BYTES)) throw new RedisError(BAD_OFFSET);
  return offset;
}

/**
 * The string at `key`, grown with zero bytes to hold bit `maxBit` (lookupStringForBitCommand),
 * as a fresh copy stored in its place: a reply already handed out (GET earlier in the same
 * MULTI) may still point at the old bytes, which must not change under it.
 */
function growFor(db: Keyspace, key: Buffer, maxBit: bigint): Buffer {
  const current = getString(db, key);
  const grown = Buffer.alloc(Math.max(Number(maxBit >> 3n) + 1, current?.length ?? 0));
  current?.copy(grown);
  db.set(text(key), { type: "string", value: grown }, true);
  return grown;
}

const bitAt = (data: Buffer, offset: number) => ((data[offset >> 3] ?? 0) >> (7 - (offset & 7))) & 1;

function popcount(byte: number): number {
  let count = 0;
  for (let b = byte; b; b &= b - 1) count++;
  return count;
}

/** BITCOUNT and BITPOS ranges: BYTE or BIT units, negative from the end, then clamped. */
function unitRange(args: Buffer[], unitIndex: number): boolean {
  if (args.length <= unitIndex) return false;
  const unit = upper(args[unitIndex]);
  if (unit === "BIT") return true;
  if (unit === "BYTE") return false;
  throw new RedisError(SYNTAX);
}

/**
 * A BITCOUNT/BITPOS range as Redis reads it over `total` units (bytes or bits): negative
 * positions count from the end, then both are clamped into the string. May come back with
 * start > end: an empty range.
 */
function clampRange(start: bigint, end: bigint, total: bigint): [bigint, bigint] {
  if (start < 0n) start += total;
  if (end < 0n) end += total;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  return [start, end];
}

function bitcount(db: Keyspace, args: Buffer[]): Reply {
  const data = getString(db, args[1]!);
  if (data === undefined) return 0;
  if (args.length !== 2 && args.length !== 4 && args.length !== 5) throw new RedisError(SYNTAX);
  let start = 0n;
  let end = BigInt(data.length) - 1n;
  let isBit = false;
  if (args.length >= 4) {
    start = parseInt64(args[2]!);
    end = parseInt64(args[3]!);
    if (start < 0n && end < 0n && start > end) return 0;
    isBit = unitRange(args, 4);
    [start, end] = clampRange(start, end, BigInt(data.length) * (isBit ? 8n : 1n));
  }
  if (start > end) return 0;
  let count = 0;
  if (isBit) {
    for (let bit = Number(start); bit <= Number(end); bit++) count += bitAt(data, bit);
  } else {
    for (let i = Number(start); i <= Number(end); i++) count += popcount(data[i]!);
  }
  return count;
}

function bitpos(db: Keyspace, args: Buffer[]): Reply {
  const bit = parseInt64(args[2]!);
  if (bit !== 0n && bit !== 1n) throw new RedisError("ERR The bit argument must be 1 or 0.");
  const wanted = Number(bit);
  const data = getString(db, args[1]!);
  if (data === undefined) return wanted ? -1 : 0;
  if (args.length > 6) throw new RedisError(SYNTAX);
  let endGiven = false;
  // Positions are bits from here on; a BYTE range covers whole bytes.
  let first = 0n;
  let last = BigInt(data.length) * 8n - 1n;
  if (args.length >= 4) {
    let start = parseInt64(args[3]!);
    const isBit = unitRange(args, 5);
    let end: bigint;
    if (args.length >= 5) {
      end = parseInt64(args[4]!);
      endGiven = true;
    } else {
      end = isBit ? BigInt(data.length) * 8n + 7n : BigInt(data.length) - 1n;
    }
    [start, end] = clampRange(start, end, BigInt(data.length) * (isBit ? 8n : 1n));
    if (start > end) return -1;
    [first, last] = isBit ? [start, end] : [start * 8n, end * 8n + 7n];
  }
  if (first > last) return -1;
  for (let position = Number(first); position <= Number(last); position++) {
    if (bitAt(data, position) === wanted) return position;
  }
  // Looking for a clear bit in a string of set bits: without an explicit end, Redis answers
  // the first bit past the range (the string is zero-padded to the right); with one, -1.
  if (wanted === 1 || endGiven) return -1;
  return Number(last) + 1;
}

/**
 * BITOP AND|OR|XOR|NOT as Redis 7.0, and the operations Redis 8.2 added (which Upstash
 * serves and @upstash/redis sends): DIFF (X and none of the Ys), DIFF1 (some Y but not X),
 * ANDOR (X and some Y), each with at least two keys, and ONE (set in exactly one source).
 * Shorter strings count as zero-padded; an empty result deletes the target.
 */
function bitop(db: Keyspace, args: Buffer[]): Reply {
  const op = upper(args[1]);
  if (!["AND", "OR", "XOR", "NOT", "DIFF", "DIFF1", "ANDOR", "ONE"].includes(op)) throw new RedisError(SYNTAX);
  if (op === "NOT" && args.length !== 4) throw new RedisError("ERR BITOP NOT must be called with a single source key.");
  if ((op === "DIFF" || op === "DIFF1" || op === "ANDOR") && args.length < 5) {
    throw new RedisError(`ERR BITOP ${op} must be called with at least two source keys.`);
  }
  const sources = args.slice(3).map((key) => getString(db, key) ?? Buffer.alloc(0));
  const length = Math.max(0, ...sources.map((source) => source.length));
  const target = text(args[2]!);
  if (length === 0) {
    db.delete(target);
    return 0;
  }
  const result = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    const [first = 0, ...rest] = sources.map((source) => source[i] ?? 0);
    const anyOther = rest.reduce((acc, byte) => acc | byte, 0);
    let output: number;
    if (op === "AND") output = rest.reduce((acc, byte) => acc & byte, first);
    else if (op === "OR") output = first | anyOther;
    else if (op === "XOR") output = rest.reduce((acc, byte) => acc ^ byte, first);
    else if (op === "NOT") output = ~first;
    else if (op === "DIFF") output = first & ~anyOther;
    else if (op === "DIFF1") output = ~first & anyOther;
    else if (op === "ANDOR") output = first & anyOther;
    else {
      let once = 0;
      let more = 0;
      for (const byte of [first, ...rest]) {
        more |= once & byte;
        once = (once | byte) & ~more;
      }
      output = once;
    }
    result[i] = output & 0xff;
  }
  db.set(target, { type: "string", value: result });
  return length;
}

type Overflow = "WRAP" | "SAT" | "FAIL";

interface FieldOp {
  opcode: "GET" | "SET" | "INCRBY";
  signed: boolean;
  bits: number;
  offset: bigint;
  value: bigint;
  overflow: Overflow;
}

const BAD_TYPE = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

function fieldType(arg: Buffer): { signed: boolean; bits: number } {
  const raw = text(arg);
  const signed = raw.startsWith("i");
  if (!signed && !raw.startsWith("u")) throw new RedisError(BAD_TYPE);
  const bits = Number(parseInt64(raw.slice(1), BAD_TYPE));
  if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) throw new RedisError(BAD_TYPE);
  return { signed, bits };
}

function readField(data: Buffer, offset: bigint, bits: number, signed: boolean): bigint {
  let value = 0n;
  for (let j = 0; j < bits; j++) {
    const position = offset + BigInt(j);
    const byte = data[Number(position >> 3n)] ?? 0;
    value = (value << 1n) | BigInt((byte >> (7 - Number(position & 7n))) & 1);
  }
  return signed ? BigInt.asIntN(bits, value) : value;
}

function writeField(data: Buffer, offset: bigint, bits: number, value: bigint): void {
  const unsigned = BigInt.asUintN(bits, value);
  for (let j = 0; j < bits; j++) {
    const position = Number(offset) + j;
    const bit = Number((unsigned >> BigInt(bits - 1 - j)) & 1n);
    const mask = 1 << (7 - (position & 7));
    data[position >> 3] = bit ? data[position >> 3]! | mask : data[position >> 3]! & ~mask;
  }
}

/**
 * checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow: the value to store, or
 * undefined when FAIL refuses it. WRAP keeps the low bits (two's complement for signed),
 * SAT clamps to the type's range.
 */
function fit(value: bigint, increment: bigint, bits: number, signed: boolean, overflow: Overflow): bigint | undefined {
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -max - 1n : 0n;
  const sum = value + increment;
  if (sum >= min && sum <= max) return sum;
  if (overflow === "FAIL") return undefined;
  if (overflow === "SAT") return sum > max ? max : min;
  return signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}

function bitfield(db: Keyspace, args: Buffer[], readOnly: boolean): Reply {
  const ops: FieldOp[] = [];
  let overflow: Overflow = "WRAP";
  let writes = false;
  let highest = 0n;
  for (let j = 2; j < args.length; j++) {
    const remaining = args.length - j - 1;
    const sub = upper(args[j]);
    let opcode: FieldOp["opcode"];
    if (sub === "GET" && remaining >= 2) opcode = "GET";
    else if (sub === "SET" && remaining >= 3) opcode = "SET";
    else if (sub === "INCRBY" && remaining >= 3) opcode = "INCRBY";
    else if (sub === "OVERFLOW" && remaining >= 1) {
      const kind = upper(args[++j]);
      if (kind !== "WRAP" && kind !== "SAT" && kind !== "FAIL") throw new RedisError("ERR Invalid OVERFLOW type specified");
      overflow = kind;
      continue;
    } else throw new RedisError(SYNTAX);
    const { signed, bits } = fieldType(args[j + 1]!);
    const offset = bitOffset(args[j + 2]!, bits);
    let value = 0n;
    if (opcode !== "GET") {
      writes = true;
      if (offset + BigInt(bits) - 1n > highest) highest = offset + BigInt(bits) - 1n;
      value = parseInt64(args[j + 3]!);
    }
    ops.push({ opcode, signed, bits, offset, value, overflow });
    j += opcode === "GET" ? 2 : 3;
  }
  if (!writes) {
    const data = getString(db, args[1]!) ?? Buffer.alloc(0);
    return ops.map((op) => Number(readField(data, op.offset, op.bits, op.signed)));
  }
  if (readOnly) throw new RedisError("ERR BITFIELD_RO only supports the GET subcommand");
  const data = growFor(db, args[1]!, highest);
  return ops.map((op): Reply => {
    const old = readField(data, op.offset, op.bits, op.signed);
    if (op.opcode === "GET") return Number(old);
    // SET stores the value as the type would hold it: an unsigned field reads its 64-bit pattern.
    const input = op.signed ? op.value : BigInt.asUintN(64, op.value);
    const stored = op.opcode === "INCRBY" ? fit(old, op.value, op.bits, op.signed, op.overflow) : fit(input, 0n, op.bits, op.signed, op.overflow);
    if (stored === undefined) return null;
    writeField(data, op.offset, op.bits, stored);
    return Number(op.opcode === "INCRBY" ? stored : old);
  });
}

export const bitmapCommands: CommandTable = {
  SETBIT: {
    arity: 4,
    write: true,
    run(db, [, key, offsetArg, valueArg]) {
      const offset = bitOffset(offsetArg!);
      const on = parseInt64(valueArg!, "ERR bit is not an integer or out of range");
      if (on !== 0n && on !== 1n) throw new RedisError("ERR bit is not an integer or out of range");
      const data = growFor(db, key!, offset);
      const position = Number(offset);
      const previous = bitAt(data, position);
      const mask = 1 << (7 - (position & 7));
      data[position >> 3] = on ? data[position >> 3]! | mask : data[position >> 3]! & ~mask;
      return previous;
    },
  },
  GETBIT: {
    arity: 3,
    run(db, [, key, offsetArg]) {
      const offset = bitOffset(offsetArg!);
      const data = getString(db, key!);
      return data ? bitAt(data, Number(offset)) : 0;
    },
  },
  BITCOUNT: { arity: -2, run: bitcount },
  BITPOS: { arity: -3, run: bitpos },
  BITOP: { arity: -4, write: true, run: bitop },
  BITFIELD: { arity: -2, write: true, run: (db, args) => bitfield(db, args, false) },
  BITFIELD_RO: { arity: -2, run: (db, args) => bitfield(db, args, true) },
};
