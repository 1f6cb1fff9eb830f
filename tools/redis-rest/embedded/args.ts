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
export function formatDouble(value: number): string {
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0";
  if (value === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  // %g picks exponent notation when the exponent is < -4 or >= the precision (17).
  if (exponent < -4 || exponent >= 17) {
    const [mantissa = "", exp = "0"] = value.toExponential(16).split("e");
    const trimmed = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
    const sign = exp.startsWith("-") ? "-" : "+";
    return `${trimmed}e${sign}${exp.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  const fixed = value.toPrecision(17);
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
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
