/**
 * Redis's glob patterns (KEYS, SCAN MATCH), matched byte for byte as Redis 7.0's
 * `stringmatchlen` (src/util.c) matches them, quirks included: `*`, `?`, `[abc]`, `[^a]`,
 * `[a-z]` with reversed ends swapped, `\` escapes in and out of classes, an unterminated `[`
 * class that runs to the end of the pattern, a trailing `\` that is a literal backslash.
 *
 * Redis matches by recursion on each `*`; a RegExp translation backtracks exponentially on
 * patterns like `a*a*a*a*b` and throws on classes Redis accepts (`[z-a]`). Here the pattern is
 * parsed once into tokens that each match exactly one byte, or a star, and matched
 * iteratively with the classic "last star" backtracking: O(pattern × subject) at worst.
 */

/** A token: a literal byte (0–255), {@link ANY}, {@link STAR}, or a class as a 256-entry table. */
type Token = number | Uint8Array;

/** `?`: any one byte. */
const ANY = -1;
/** `*` (consecutive stars collapse into one, as util.c skips them): any run of bytes. */
const STAR = -2;

const code = (ch: string) => ch.charCodeAt(0);
const [STAR_CH, QUESTION, OPEN, CLOSE] = [code("*"), code("?"), code("["), code("]")];
const [BACKSLASH, CARET, DASH] = [code("\\"), code("^"), code("-")];

/** Whether `subject` matches `pattern`, exactly as Redis's `stringmatchlen(…, nocase=0)`. */
export function globMatch(pattern: Buffer, subject: Buffer): boolean {
  return matchTokens(parse(pattern), subject);
}

/** {@link globMatch} with the pattern parsed once, for filtering many keys. */
export function globMatcher(pattern: Buffer): (subject: Buffer) => boolean {
  const tokens = parse(pattern);
  return (subject) => matchTokens(tokens, subject);
}

/**
 * The key filter of KEYS and SCAN MATCH: both skip matching for a lone `*` (db.c's `allkeys`
 * and `use_pattern`), which is not the same as calling `stringmatchlen`: that one matches the
 * empty key with `*` only, never with `**` or anything else.
 */
export function keyPatternMatcher(pattern: Buffer): (key: Buffer) => boolean {
  if (pattern.length === 1 && pattern[0] === STAR_CH) return () => true;
  return globMatcher(pattern);
}

/**
 * `stringmatchlen(…, nocase=1)` (FUNCTION LIST LIBRARYNAME): its tolower() on both sides,
 * ranges included, is the same as matching the ASCII-lowercased pattern and subject.
 */
export function globMatcherNoCase(pattern: Buffer): (subject: Buffer) => boolean {
  const matches = globMatcher(asciiLower(pattern));
  return (subject) => matches(asciiLower(subject));
}

const asciiLower = (data: Buffer) => Buffer.from(data.map((byte) => (byte >= 0x41 && byte <= 0x5a ? byte + 32 : byte)));

function parse(pattern: Buffer): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === STAR_CH) {
      if (tokens.at(-1) !== STAR) tokens.push(STAR);
      i++;
    } else if (ch === QUESTION) {
      tokens.push(ANY);
      i++;
    } else if (ch === OPEN) {
      const [table, next] = parseClass(pattern, i + 1);
      tokens.push(table);
      i = next;
    } else {
      // `\x` is a literal x, but a trailing `\` is itself (util.c: `if (patternLen >= 2)`).
      if (ch === BACKSLASH && i + 1 < pattern.length) i++;
      tokens.push(pattern[i]!);
      i++;
    }
  }
  return tokens;
}

/**
 * The class starting at `start` (just past its `[`), following util.c's `case '['` loop
 * step by step, since its order of tests is what defines the odd cases: an escape wins over
 * `]` and over a range (`[\]]` is `]`, `[\-z]` is `-` or `z`), a range end may be `]` or `\`
 * (`[a-]` is the range `]`–`a`, and leaves the class unterminated), `[]` is empty (never
 * matches), and a class without its `]` ends with the pattern. Returns the byte table
 * (negation applied) and the index just past the class.
 */
function parseClass(pattern: Buffer, start: number): [Uint8Array, number] {
  const table = new Uint8Array(256);
  // Redis reads one byte past the end here, the sds's NUL terminator, which is no `^`.
  const negate = start < pattern.length && pattern[start] === CARET;
  let i = negate ? start + 1 : start;
  let end = pattern.length;
  while (i < pattern.length) {
    const left = pattern.length - i;
    const ch = pattern[i]!;
    if (ch === BACKSLASH && left >= 2) {
      table[pattern[++i]!] = 1;
    } else if (ch === CLOSE) {
      end = i + 1;
      break;
    } else if (left >= 3 && pattern[i + 1] === DASH) {
      // util.c compares `char`s, signed on x86-64 (where the fixture was recorded): bytes
      // 0x80–0xff sort below 0x00, so `[a-\xe9]` is 0xe9–0xff plus 0x00–'a'.
      let low = signed(ch);
      let high = signed(pattern[i + 2]!);
      if (low > high) [low, high] = [high, low];
      for (let c = low; c <= high; c++) table[c & 0xff] = 1;
      i += 2;
    } else {
      table[ch] = 1;
    }
    i++;
  }
  if (negate) for (let b = 0; b < 256; b++) table[b] = table[b] ? 0 : 1;
  return [table, end];
}

const signed = (byte: number) => (byte << 24) >> 24;

const accepts = (token: Token, byte: number) =>
  typeof token === "number" ? token === byte || token === ANY : token[byte] === 1;

/**
 * Every non-star token matches one byte, so only the last star seen ever needs to give back
 * bytes: when the rest fails, let that star swallow one more byte and retry after it. An
 * earlier star growing instead could only push the rest further right, a position the last
 * star already tries (util.c's `skipLongerMatches` cuts Redis's recursion short for the same
 * reason, so the answers agree). Each retry moves the star on by a byte: O(tokens × subject).
 */
function matchTokens(tokens: Token[], subject: Buffer): boolean {
  // util.c's loop never runs on an empty subject: only the empty pattern matches it (not
  // even `*`; KEYS and SCAN special-case a lone `*` before calling it, see keyPatternMatcher).
  if (subject.length === 0) return tokens.length === 0;
  let t = 0;
  let s = 0;
  let star = -1;
  let starEnd = 0;
  while (s < subject.length) {
    const token = tokens[t];
    if (token === STAR) {
      star = t++;
      starEnd = s;
    } else if (token !== undefined && accepts(token, subject[s]!)) {
      t++;
      s++;
    } else if (star >= 0) {
      t = star + 1;
      s = ++starEnd;
    } else {
      return false;
    }
  }
  while (tokens[t] === STAR) t++;
  return t === tokens.length;
}
