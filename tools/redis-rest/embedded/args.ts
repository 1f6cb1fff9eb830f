import { RedisError } from "../reply.ts";
import { addLongDoubles } from "./long-double.ts";

/** Argument parsing with Redis's own error texts, so the embedded engine fails like Redis. */

export const NOT_INTEGER = "ERR value is not an integer or out of range";
export const NOT_FLOAT = "ERR value is not a valid float";
export const SYNTAX = "ERR syntax error";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A latin1 string: one character per byte, so binary keys and members survive. */
export const text = (arg: Buffer) => arg.toString("latin1");
export const bytes = (value: string) => Buffer.from(value, "latin1");
export const upper = (arg: Buffer | undefined) => (arg === undefined ? "" : text(arg).toUpperCase());

export function parseInt64(arg: Buffer | string, message = NOT_INTEGER): bigint {
  const value = typeof arg === "string" ? arg : text(arg);
  if (!/^-?(0|[1-9]\d*)$/.test(value)) throw new RedisError(message);
  const parsed = BigInt(value);
  if (parsed < INT64_MIN || parsed > INT64_MAX) throw new RedisError(message);
  return parsed;
}

export const parseInteger = (arg: Buffer | string, message?: string) => Number(parseInt64(arg, message));

/**
 * Redis's getRangeLongFromObjectOrReply: an integer within [min, max]; `message` replaces
 * both the parse and the range error when given, as in Redis.
 */
export function parseRange(arg: Buffer, min: bigint, max: bigint, message?: string): number {
  const value = parseInt64(arg, message);
  if (value < min || value > max) throw new RedisError(message ?? `ERR value is out of range, value must between ${min} and ${max}`);
  return Number(value);
}

/** A count that must be >= 0 ("value is out of range, must be positive" unless told otherwise). */
export const parsePositive = (arg: Buffer, message = "ERR value is out of range, must be positive") =>
  parseRange(arg, 0n, INT64_MAX, message);

/** -LONG_MAX..LONG_MAX, the range SRANDMEMBER, HRANDFIELD and ZRANDMEMBER accept for a count. */
export const parseSignedCount = (arg: Buffer) => parseRange(arg, -INT64_MAX, INT64_MAX);

/** A SCAN cursor as strtoul reads one (Redis: "invalid cursor" otherwise). */
export function parseCursor(arg: Buffer): number {
  const value = text(arg);
  if (!/^[+-]?\d+$/.test(value)) throw new RedisError("ERR invalid cursor");
  const parsed = BigInt(value);
  if (parsed >= 2n ** 64n || parsed <= -(2n ** 64n)) throw new RedisError("ERR invalid cursor");
  return parsed < 0n ? Number(2n ** 64n + parsed) : Number(parsed);
}

/** The numkeys argument of SINTERCARD, LMPOP, ZMPOP… (at least 1). */
export const parseNumKeys = (arg: Buffer) => parseRange(arg, 1n, INT64_MAX, "ERR numkeys should be greater than 0");

export function checkInt64(value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) throw new RedisError("ERR increment or decrement would overflow");
  return value;
}

/** A double as Redis reads one: decimal or exponent notation, inf, -inf (no NaN). */
export function parseDouble(arg: Buffer | string, message = NOT_FLOAT): number {
  const value = (typeof arg === "string" ? arg : text(arg)).trim();
  const lower = value.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) || value !== (typeof arg === "string" ? arg : text(arg))) {
    throw new RedisError(message);
  }
  return Number(value);
}

/** A double as Redis 7 writes one in RESP2 replies: printf's %.17g. */
export const formatDouble = (value: number) => formatG(value, 17);

/**
 * printf's %.<precision>g: the shorter of fixed and exponent notation, trailing zeros
 * dropped. The exponent is the one after rounding to `precision` digits, as C decides it.
 */
export function formatG(value: number, precision: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa = "", exp = "0"] = value.toExponential(precision - 1).split("e");
  const exponent = Number(exp);
  const trim = (digits: string) => (digits.includes(".") ? digits.replace(/0+$/, "").replace(/\.$/, "") : digits);
  if (exponent < -4 || exponent >= precision) {
    return `${trim(mantissa)}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return trim(value.toFixed(precision - 1 - exponent));
}

/**
 * Redis's d2string, how a score is written into a listpack (and so what ZSCAN answers for a
 * small sorted set): an integral value within ±LLONG_MAX/2 as an integer, else %.17g.
 */
export function d2string(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) <= 2 ** 62 && !Object.is(value, -0)) return BigInt(value).toString();
  return formatDouble(value);
}

/**
 * INCRBYFLOAT's sum as Redis writes it: in long doubles (see long-double.ts); an infinite
 * result is refused as Redis does.
 */
export function addDecimal(current: string, increment: string): string {
  const sum = addLongDoubles(current, increment);
  if (sum === undefined) throw new RedisError("ERR increment would produce NaN or Infinity");
  return sum;
}

export const wrongArgs = (name: string) => new RedisError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);

export const syntaxError = () => new RedisError(SYNTAX);

/** addReplySubcommandSyntaxError: a subcommand's own argument check failed. */
export const subcommandSyntaxError = (args: Buffer[]) =>
  new RedisError(`ERR unknown subcommand or wrong number of arguments for '${text(args[1]!)}'. Try ${upper(args[0])} HELP.`);

/** Redis's default double reply (addReplyDouble in RESP2): %.17g as a bulk string. */
export const doubleReply = (value: number) => bytes(formatDouble(value));
