import { OK, RedisError, type Reply } from "../reply.ts";
import { text } from "./args.ts";
import type { CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

/**
 * PFADD, PFCOUNT and PFMERGE on Redis's own HyperLogLog strings (hyperloglog.c, Redis 7.0),
 * byte for byte: a 16-byte header ("HYLL", encoding, cached cardinality) then the registers,
 * sparse (ZERO/XZERO/VAL opcodes, promoted past hll-sparse-max-bytes) or dense (16384 6-bit
 * registers), hashed with MurmurHash64A, counted with Ertl's estimator. GET on such a key
 * returns what Redis's would, and PFCOUNT gives Redis's exact estimates.
 */

const P = 14;
const Q = 64 - P;
const REGISTERS = 1 << P;
const REGISTER_MAX = 63;
const HEADER = 16;
const DENSE_SIZE = HEADER + Math.floor((REGISTERS * 6 + 7) / 8);
const DENSE = 0;
const SPARSE = 1;
/** hll-sparse-max-bytes, Redis's default. */
const SPARSE_MAX_BYTES = 3000;
/** 0.5 / ln(2): Redis writes 0.721347520444481703680, which rounds to this double. */
const ALPHA_INF = 0.7213475204444817;

const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;

const INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected";
const NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

/**
 * 64-bit words as [high, low] 32-bit halves: MurmurHash64A runs once per element, and
 * BigInt arithmetic made PFADD several times slower.
 */
type U64 = [hi: number, lo: number];

/** The low 64 bits of a · b, in 16-bit limbs so every partial product stays exact. */
function mul64([ah, al]: U64, [bh, bl]: U64): U64 {
  const [a48, a32, a16, a00] = [ah >>> 16, ah & 0xffff, al >>> 16, al & 0xffff];
  const [b48, b32, b16, b00] = [bh >>> 16, bh & 0xffff, bl >>> 16, bl & 0xffff];
  let c00 = a00 * b00;
  let c16 = c00 >>> 16;
  c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = c16 >>> 16;
  c16 &= 0xffff;
  c16 += a00 * b16;
  c32 += c16 >>> 16;
  c16 &= 0xffff;
  c32 += a32 * b00;
  let c48 = c32 >>> 16;
  c32 &= 0xffff;
  c32 += a16 * b16;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c32 += a00 * b32;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c48 += a48 * b00 + a32 * b16 + a16 * b32 + a00 * b48;
  c48 &= 0xffff;
  return [((c48 << 16) | c32) >>> 0, ((c16 << 16) | c00) >>> 0];
}

const xor64 = ([ah, al]: U64, [bh, bl]: U64): U64 => [(ah ^ bh) >>> 0, (al ^ bl) >>> 0];
/** x ^ (x >> 47): only bits of the high half reach the low one. */
const xorShift47 = ([hi, lo]: U64): U64 => [hi, (lo ^ (hi >>> 15)) >>> 0];

const M: U64 = [0xc6a4a793, 0x5bd1e995];
const SEED = 0xadc83b19;

/** MurmurHash64A with Redis's seed, on little-endian 64-bit words. */
function murmurHash64A(data: Buffer): U64 {
  const length = data.length;
  let h = xor64([0, SEED], mul64([0, length], M));
  const whole = length - (length & 7);
  for (let i = 0; i < whole; i += 8) {
    const k = mul64(xorShift47(mul64([data.readUInt32LE(i + 4), data.readUInt32LE(i)], M)), M);
    h = mul64(xor64(h, k), M);
  }
  const rest = length & 7;
  if (rest) {
    let [hi, lo] = [0, 0];
    for (let i = rest - 1; i >= 0; i--) {
      if (i >= 4) hi |= data[whole + i]! << (8 * (i - 4));
      else lo |= data[whole + i]! << (8 * i);
    }
    h = mul64(xor64(h, [hi >>> 0, lo >>> 0]), M);
  }
  return xorShift47(mul64(xorShift47(h), M));
}

const trailingZeros = (x: number) => 31 - Math.clz32(x & -x);

/**
 * hllPatLen: the register an element lands in (its low P bits), and the run of zeros above
 * them plus one, capped as Redis caps it by setting bit Q of the shifted hash (1..Q+1).
 */
function patternOf(element: Buffer): { index: number; count: number } {
  const [hi, lo] = murmurHash64A(element);
  const index = lo & (REGISTERS - 1);
  const above = lo >>> P;
  const zeros = above !== 0 ? trailingZeros(above) : hi !== 0 ? 32 - P + trailingZeros(hi) : Q;
  return { index, count: Math.min(zeros, Q) + 1 };
}

// Dense registers: 6 bits each, little-endian within the byte stream.
function denseGet(registers: Buffer, offset: number, index: number): number {
  const byte = offset + Math.floor((index * 6) / 8);
  const fb = (index * 6) & 7;
  return ((registers[byte]! >> fb) | ((registers[byte + 1] ?? 0) << (8 - fb))) & REGISTER_MAX;
}

function denseSet(registers: Buffer, offset: number, index: number, value: number): void {
  const byte = offset + Math.floor((index * 6) / 8);
  const fb = (index * 6) & 7;
  const fb8 = 8 - fb;
  registers[byte] = (registers[byte]! & ~(REGISTER_MAX << fb)) | ((value << fb) & 0xff);
  if (byte + 1 < registers.length) {
    registers[byte + 1] = (registers[byte + 1]! & ~(REGISTER_MAX >> fb8)) | (value >> fb8);
  }
}

/** hllDenseSet: raises a register, never lowers it; true when it changed. */
function denseRaise(hll: Buffer, index: number, count: number): boolean {
  if (count <= denseGet(hll, HEADER, index)) return false;
  denseSet(hll, HEADER, index, count);
  return true;
}

// Sparse opcodes.
const isZero = (op: number) => (op & 0xc0) === 0;
const isXZero = (op: number) => (op & 0xc0) === 0x40;
const zeroLen = (op: number) => (op & 0x3f) + 1;
const xzeroLen = (op: number, next: number) => (((op & 0x3f) << 8) | next) + 1;
const valValue = (op: number) => ((op >> 2) & 0x1f) + 1;
const valLen = (op: number) => (op & 0x3) + 1;
const valOp = (value: number, len: number) => (((value - 1) << 2) | (len - 1) | 0x80) & 0xff;
const zeroOp = (len: number) => len - 1;
const xzeroOps = (len: number) => [((len - 1) >> 8) | 0x40, (len - 1) & 0xff];

/** createHLLObject: a sparse HLL of XZERO runs covering every register, cache valid at 0. */
function createHll(): Buffer {
  const ops: number[] = [];
  for (let left = REGISTERS; left > 0; left -= XZERO_MAX_LEN) ops.push(...xzeroOps(Math.min(XZERO_MAX_LEN, left)));
  const hll = Buffer.alloc(HEADER + ops.length);
  hll.write("HYLL", 0, "latin1");
  hll[4] = SPARSE;
  Buffer.from(ops).copy(hll, HEADER);
  return hll;
}

/** Calls `visit(index, runLength, value)` per opcode; false when the opcodes do not cover exactly all registers. */
function walkSparse(hll: Buffer, visit: (index: number, run: number, value: number) => void): boolean {
  let index = 0;
  let p = HEADER;
  while (p < hll.length) {
    const op = hll[p]!;
    if (isZero(op)) {
      index += zeroLen(op);
      p++;
    } else if (isXZero(op)) {
      index += xzeroLen(op, hll[p + 1] ?? 0);
      p += 2;
    } else {
      const run = valLen(op);
      if (index + run > REGISTERS) return false;
      visit(index, run, valValue(op));
      index += run;
      p++;
    }
  }
  return index === REGISTERS;
}

/** hllSparseToDense: the header (cached cardinality included) carries over. */
function sparseToDense(hll: Buffer): Buffer | undefined {
  if (hll[4] === DENSE) return hll;
  const dense = Buffer.alloc(DENSE_SIZE);
  hll.copy(dense, 0, 0, HEADER);
  dense[4] = DENSE;
  const valid = walkSparse(hll, (index, run, value) => {
    for (let i = 0; i < run; i++) denseSet(dense, HEADER, index + i, value);
  });
  return valid ? dense : undefined;
}

const invalidateCache = (hll: Buffer) => {
  hll[15] = hll[15]! | 0x80;
};

/**
 * hllSparseSet, step for step: find the opcode covering `index`, split it into up to five
 * opcodes around the new VAL, merge adjacent equal VALs, promote to dense when the value
 * is too big for a VAL or the result would pass hll-sparse-max-bytes. Returns the new HLL
 * (a new buffer) and whether a register rose; undefined for a corrupt one.
 */
function sparseSet(hll: Buffer, index: number, count: number): { hll: Buffer; changed: boolean } | undefined {
  const promote = () => {
    const dense = sparseToDense(hll);
    if (!dense) return undefined;
    denseRaise(dense, index, count);
    return { hll: dense, changed: true };
  };
  if (count > VAL_MAX_VALUE) return promote();

  let first = 0;
  let p = HEADER;
  let prev = -1;
  let span = 0;
  while (p < hll.length) {
    const op = hll[p]!;
    span = isZero(op) ? zeroLen(op) : isXZero(op) ? xzeroLen(op, hll[p + 1] ?? 0) : valLen(op);
    if (index <= first + span - 1) break;
    prev = p;
    p += isXZero(op) ? 2 : 1;
    first += span;
  }
  if (span === 0 || p >= hll.length) return undefined;

  const op = hll[p]!;
  const [zero, xzero] = [isZero(op), isXZero(op)];
  const runLen = zero ? zeroLen(op) : xzero ? xzeroLen(op, hll[p + 1] ?? 0) : valLen(op);
  const mergeFrom = prev === -1 ? HEADER : prev;
  if (!zero && !xzero && valValue(op) >= count) return { hll, changed: false };
  // A one-register VAL or ZERO just becomes the new VAL.
  if (runLen === 1 && !xzero) {
    const updated = Buffer.from(hll);
    updated[p] = valOp(count, 1);
    return { hll: merge(updated, mergeFrom), changed: true };
  }

  const seq: number[] = [];
  const last = first + span - 1;
  if (zero || xzero) {
    if (index !== first) seq.push(...zeroRun(index - first));
    seq.push(valOp(count, 1));
    if (index !== last) seq.push(...zeroRun(last - index));
  } else {
    const current = valValue(op);
    if (index !== first) seq.push(valOp(current, index - first));
    seq.push(valOp(count, 1));
    if (index !== last) seq.push(valOp(current, last - index));
  }
  const oldLen = xzero ? 2 : 1;
  const delta = seq.length - oldLen;
  if (delta > 0 && hll.length + delta > SPARSE_MAX_BYTES) return promote();
  const updated = Buffer.concat([hll.subarray(0, p), Buffer.from(seq), hll.subarray(p + oldLen)]);
  return { hll: merge(updated, mergeFrom), changed: true };
}

const zeroRun = (len: number) => (len > ZERO_MAX_LEN ? xzeroOps(len) : [zeroOp(len)]);

/**
 * The merge pass of hllSparseSet, on a fresh copy: up to five opcodes from `start`,
 * adjacent VALs of equal value joined while they fit one opcode. Invalidates the cache.
 */
function merge(hll: Buffer, start: number): Buffer {
  let p = start;
  let scan = 5;
  while (p < hll.length && scan--) {
    const op = hll[p]!;
    if (isXZero(op)) {
      p += 2;
      continue;
    }
    if (isZero(op)) {
      p++;
      continue;
    }
    const next = hll[p + 1];
    if (next !== undefined && (next & 0x80) !== 0 && valValue(op) === valValue(next)) {
      const len = valLen(op) + valLen(next);
      if (len <= VAL_MAX_LEN) {
        hll = Buffer.concat([hll.subarray(0, p), Buffer.of(valOp(valValue(op), len)), hll.subarray(p + 2)]);
        continue;
      }
    }
    p++;
  }
  invalidateCache(hll);
  return hll;
}

/** isHLLObjectOrReply. */
function checkHll(hll: Buffer): void {
  if (hll.length < HEADER || hll.toString("latin1", 0, 4) !== "HYLL" || hll[4]! > SPARSE) throw new RedisError(NOT_HLL);
  if (hll[4] === DENSE && hll.length !== DENSE_SIZE) throw new RedisError(NOT_HLL);
}

function readHll(db: Keyspace, key: Buffer): Buffer | undefined {
  const value = db.get(text(key), "string");
  if (value !== undefined) checkHll(value);
  return value;
}

/** Register histogram of a dense or sparse HLL; undefined if the sparse form is corrupt. */
function histogram(hll: Buffer): number[] | undefined {
  const counts = new Array<number>(64).fill(0);
  if (hll[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) counts[denseGet(hll, HEADER, i)]!++;
    return counts;
  }
  let index = 0;
  for (let p = HEADER; p < hll.length; ) {
    const op = hll[p]!;
    if (isZero(op)) {
      counts[0]! += zeroLen(op);
      index += zeroLen(op);
      p++;
    } else if (isXZero(op)) {
      const len = xzeroLen(op, hll[p + 1] ?? 0);
      counts[0]! += len;
      index += len;
      p += 2;
    } else {
      counts[valValue(op)]! += valLen(op);
      index += valLen(op);
      p++;
    }
  }
  return index === REGISTERS ? counts : undefined;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    // pow(1 - x, 2) in C: one correctly rounded product.
    z -= (1 - x) * (1 - x) * y;
  } while (zPrime !== z);
  return z / 3;
}

/** hllCount: Ertl's improved estimator over the register histogram, in doubles as Redis computes it. */
function estimate(counts: number[]): number {
  const m = REGISTERS;
  let z = m * tau((m - counts[Q + 1]!) / m);
  for (let j = Q; j >= 1; --j) {
    z += counts[j]!;
    z *= 0.5;
  }
  z += m * sigma(counts[0]! / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** hllMerge: each register the max over the inputs. */
function mergeInto(max: Uint8Array, hll: Buffer): void {
  if (hll[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) max[i] = Math.max(max[i]!, denseGet(hll, HEADER, i));
    return;
  }
  const valid = walkSparse(hll, (index, run, value) => {
    for (let i = index; i < index + run; i++) max[i] = Math.max(max[i]!, value);
  });
  if (!valid) throw new RedisError(INVALID_HLL);
}

function pfadd(db: Keyspace, args: Buffer[]): Reply {
  const key = text(args[1]!);
  const existing = readHll(db, args[1]!);
  let hll = existing ?? createHll();
  // Copied before the first change only: stored values are never changed in place (a reply
  // handed out earlier in the same transaction may still point at them).
  let copied = existing === undefined;
  let updated = existing ? 0 : 1;
  for (const element of args.slice(2)) {
    const { index, count } = patternOf(element);
    if (hll[4] === DENSE) {
      if (count <= denseGet(hll, HEADER, index)) continue;
      if (!copied) [hll, copied] = [Buffer.from(hll), true];
      denseRaise(hll, index, count);
      updated++;
      continue;
    }
    const result = sparseSet(hll, index, count);
    if (!result) throw new RedisError(INVALID_HLL);
    if (result.changed) [hll, copied, updated] = [result.hll, true, updated + 1];
  }
  if (!updated) return 0;
  invalidateCache(hll);
  db.set(key, { type: "string", value: hll }, true);
  return 1;
}

function pfcount(db: Keyspace, args: Buffer[]): Reply {
  if (args.length > 2) {
    const max = new Uint8Array(REGISTERS);
    for (const key of args.slice(1)) {
      const hll = readHll(db, key);
      if (hll) mergeInto(max, hll);
    }
    const counts = new Array<number>(64).fill(0);
    for (const value of max) counts[value]!++;
    return estimate(counts);
  }
  const hll = readHll(db, args[1]!);
  if (!hll) return 0;
  // A valid cache (top bit of the last byte clear) answers directly.
  if ((hll[15]! & 0x80) === 0) return Number(hll.readBigUInt64LE(8));
  const counts = histogram(hll);
  if (!counts) throw new RedisError(INVALID_HLL);
  const card = estimate(counts);
  // PFCOUNT writes the cardinality back into the header, as Redis does (which is why it may replicate).
  const cached = Buffer.from(hll);
  cached.writeBigUInt64LE(BigInt(card), 8);
  db.set(text(args[1]!), { type: "string", value: cached }, true);
  return card;
}

function pfmerge(db: Keyspace, args: Buffer[]): Reply {
  const max = new Uint8Array(REGISTERS);
  let useDense = false;
  for (const key of args.slice(1)) {
    const hll = readHll(db, key);
    if (!hll) continue;
    if (hll[4] === DENSE) useDense = true;
    mergeInto(max, hll);
  }
  const existing = db.get(text(args[1]!), "string");
  let hll = existing ? Buffer.from(existing) : createHll();
  if (useDense) {
    const dense = sparseToDense(hll);
    if (!dense) throw new RedisError(INVALID_HLL);
    hll = dense;
  }
  for (let i = 0; i < REGISTERS; i++) {
    if (max[i] === 0) continue;
    if (hll[4] === DENSE) denseRaise(hll, i, max[i]!);
    else hll = sparseSet(hll, i, max[i]!)?.hll ?? hll;
  }
  invalidateCache(hll);
  db.set(text(args[1]!), { type: "string", value: hll }, true);
  return OK;
}

export const hyperLogLogCommands: CommandTable = {
  PFADD: { arity: -2, write: true, run: pfadd },
  // MAY_REPLICATE in Redis (it writes its cache back): refused in read-only scripts.
  PFCOUNT: { arity: -2, write: true, run: pfcount },
  PFMERGE: { arity: -2, write: true, run: pfmerge },
};
