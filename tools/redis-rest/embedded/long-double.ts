/**
 * INCRBYFLOAT and HINCRBYFLOAT as Redis computes them: in x87 80-bit long doubles (a 64-bit
 * significand), printed with "%.17Lf" and trailing zeros removed. Doubles would differ in
 * the last digits (Redis turns 1000.3 into "1000.29999999999999999"), so the arithmetic is
 * emulated exactly with BigInts: parse each decimal to the nearest long double, add, round
 * once more, print. Returns undefined for input Redis would refuse as a float.
 */
export function addLongDoubles(a: string, b: string): string | undefined {
  const x = parseLongDouble(a);
  const y = parseLongDouble(b);
  if (!x || !y) return undefined;
  const exponent = x.exponent < y.exponent ? x.exponent : y.exponent;
  const sum = x.significand * 2n ** (x.exponent - exponent) + y.significand * 2n ** (y.exponent - exponent);
  const rounded = roundToLongDouble(sum, exponent);
  return formatFixed17(rounded.significand, rounded.exponent);
}

/** A long double as significand · 2^exponent (significand signed, |significand| < 2^64). */
interface LongDouble {
  significand: bigint;
  exponent: bigint;
}

const SIGNIFICAND_BITS = 64n;

function parseLongDouble(text: string): LongDouble | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match || (!match[2] && !match[3])) return undefined;
  const fraction = match[3] ?? "";
  const digits = BigInt(`${match[2] || "0"}${fraction}`);
  const power = BigInt(match[4] ?? "0") - BigInt(fraction.length);
  if (power > 4932n || power < -4950n) return undefined; // beyond the long double range
  const sign = match[1] === "-" ? -1n : 1n;
  // value = digits · 10^power = numerator / denominator, exactly
  const numerator = power >= 0n ? digits * 10n ** power : digits;
  const denominator = power >= 0n ? 1n : 10n ** -power;
  const rounded = roundRational(numerator, denominator);
  return { significand: sign * rounded.significand, exponent: rounded.exponent };
}

/** numerator/denominator (non-negative) rounded to 64 significant bits, half to even. */
function roundRational(numerator: bigint, denominator: bigint): LongDouble {
  if (numerator === 0n) return { significand: 0n, exponent: 0n };
  // Pick the exponent so the quotient lands in [2^63, 2^64).
  let exponent = BigInt(bitLength(numerator) - bitLength(denominator)) - SIGNIFICAND_BITS;
  const scaled = (e: bigint): [bigint, bigint] =>
    e >= 0n ? [numerator, denominator * 2n ** e] : [numerator * 2n ** -e, denominator];
  let [n, d] = scaled(exponent);
  while (n / d >= 2n ** SIGNIFICAND_BITS) [n, d] = scaled(++exponent);
  while (n / d < 2n ** (SIGNIFICAND_BITS - 1n)) [n, d] = scaled(--exponent);
  const significand = divideHalfEven(n, d);
  return significand === 2n ** SIGNIFICAND_BITS ? { significand: significand / 2n, exponent: exponent + 1n } : { significand, exponent };
}

/** An exact sum (integer · 2^exponent) rounded to 64 significant bits. */
function roundToLongDouble(value: bigint, exponent: bigint): LongDouble {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const excess = BigInt(Math.max(bitLength(magnitude) - Number(SIGNIFICAND_BITS), 0));
  if (excess === 0n) return { significand: value, exponent };
  const rounded = roundRational(magnitude, 1n);
  return { significand: negative ? -rounded.significand : rounded.significand, exponent: exponent + rounded.exponent };
}

/** printf("%.17Lf"), then Redis's removal of trailing zeros and of a bare point. */
function formatFixed17(significand: bigint, exponent: bigint): string {
  const negative = significand < 0n;
  const magnitude = negative ? -significand : significand;
  const scale = 10n ** 17n;
  const fixed =
    exponent >= 0n ? magnitude * 2n ** exponent * scale : divideHalfEven(magnitude * scale, 2n ** -exponent);
  const whole = (fixed / scale).toString();
  const fraction = (fixed % scale).toString().padStart(17, "0").replace(/0+$/, "");
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative && fixed !== 0n ? `-${text}` : text;
}

function divideHalfEven(n: bigint, d: bigint): bigint {
  const quotient = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

const bitLength = (value: bigint) => (value === 0n ? 0 : value.toString(2).length);
