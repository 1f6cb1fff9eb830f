import { describe, expect, it } from "vitest";
import { globMatch, keyPatternMatcher } from "../../tools/redis-rest/embedded/glob.ts";

// The embedded engine's glob matcher against Redis 7.0's stringmatchlen (src/util.c). The
// differential test checks the same corners through SCAN and KEYS on real Redis.

/** Patterns and subjects as latin1, one character per byte, so "\xff" is the byte 0xff. */
const matches = (pattern: string, subject: string) => globMatch(Buffer.from(pattern, "latin1"), Buffer.from(subject, "latin1"));

/** The subjects, out of `subjects`, that `pattern` matches. */
const matching = (pattern: string, subjects: string[]) => subjects.filter((subject) => matches(pattern, subject));

const ALL_BYTES = Array.from({ length: 256 }, (_, byte) => String.fromCharCode(byte));

describe("globMatch", () => {
  it("matches literals byte for byte, binary included", () => {
    expect(matches("user:1", "user:1")).toBe(true);
    expect(matches("user:1", "user:10")).toBe(false);
    expect(matches("user:10", "user:1")).toBe(false);
    expect(matches("User:1", "user:1")).toBe(false);
    expect(matches("\x00\xff", "\x00\xff")).toBe(true);
    expect(matches("\x00\xff", "\x00\xfe")).toBe(false);
  });

  it("matches one byte with ?", () => {
    expect(matching("a?c", ["ac", "abc", "a?c", "abbc", "a\xffc"])).toEqual(["abc", "a?c", "a\xffc"]);
  });

  it("matches any run of bytes with *, empty included", () => {
    expect(matching("a*c", ["ac", "abc", "abbbc", "acb", "bac"])).toEqual(["ac", "abc", "abbbc"]);
    expect(matching("*b*", ["b", "abc", "ac", "bbb"])).toEqual(["b", "abc", "bbb"]);
    expect(matching("a*", ["a", "ab", "ba"])).toEqual(["a", "ab"]);
    expect(matches("a*b*c", "aXbYbZc")).toBe(true);
    expect(matches("a**b", "ab")).toBe(true);
    expect(matches("a***", "a")).toBe(true);
  });

  it("matches the empty subject with the empty pattern only, not even *", () => {
    expect(matches("", "")).toBe(true);
    expect(matches("", "a")).toBe(false);
    for (const pattern of ["*", "**", "?", "[^a]", "[^"]) expect(matches(pattern, "")).toBe(false);
  });

  it("matches classes, negated classes and ranges", () => {
    expect(matching("[abc]", ["a", "c", "d", "ab"])).toEqual(["a", "c"]);
    expect(matching("[^abc]", ["a", "d", "^", ""])).toEqual(["d", "^"]);
    expect(matching("[a-c]x", ["ax", "bx", "cx", "dx", "-x"])).toEqual(["ax", "bx", "cx"]);
    expect(matching("[^a-c]", ["a", "b", "d", "-"])).toEqual(["d", "-"]);
    expect(matching("[0-9a-f]", ["7", "e", "g", "-"])).toEqual(["7", "e"]);
    expect(matching("[a^]", ["a", "^", "b"])).toEqual(["a", "^"]);
  });

  it("swaps reversed range ends: [z-a] is [a-z]", () => {
    expect(matching("[z-a]", ALL_BYTES)).toEqual(matching("[a-z]", ALL_BYTES));
    expect(matching("[^z-a]", ALL_BYTES)).toEqual(matching("[^a-z]", ALL_BYTES));
    expect(matching("[z-a]", ALL_BYTES)).toHaveLength(26);
  });

  it("compares range ends as signed chars, as Redis on x86-64 does", () => {
    // 0xe9 is -23: the range runs from 0xe9 up to 0xff, then from 0x00 up to "a".
    const subjects = ["a", "Z", "\x00", "\xe9", "\xff", "b", "\x80", "\xe8"];
    expect(matching("[a-\xe9]", subjects)).toEqual(["a", "Z", "\x00", "\xe9", "\xff"]);
    expect(matching("[\x80-\xff]", ["\x80", "\xc0", "\xff", "\x00", "a"])).toEqual(["\x80", "\xc0", "\xff"]);
  });

  it("reads \\ as an escape outside classes, and a trailing \\ as a backslash", () => {
    expect(matching("a\\*", ["a*", "ab", "a"])).toEqual(["a*"]);
    expect(matching("\\?", ["?", "x"])).toEqual(["?"]);
    expect(matching("\\[a]", ["[a]", "a"])).toEqual(["[a]"]);
    expect(matching("\\\\", ["\\", "\\\\"])).toEqual(["\\"]);
    expect(matching("\\a", ["a", "\\a"])).toEqual(["a"]);
    expect(matching("a\\", ["a\\", "a"])).toEqual(["a\\"]);
  });

  it("reads \\ as an escape inside classes, before ] and ranges", () => {
    expect(matching("[\\]]", ["]", "\\"])).toEqual(["]"]);
    expect(matching("[\\-z]", ["-", "z", "y", "\\"])).toEqual(["-", "z"]);
    expect(matching("[^\\]]", ["]", "a"])).toEqual(["a"]);
    // A range may end on \ (it is no escape there): "\" to "a", swapped.
    expect(matching("[a-\\]", ["\\", "]", "a", "b", "["])).toEqual(["\\", "]", "a"]);
  });

  it("runs an unterminated class to the end of the pattern", () => {
    expect(matching("[ab", ["a", "b", "[", "ab", "[ab"])).toEqual(["a", "b"]);
    expect(matching("x[^", ["xa", "x\xff", "x", "x[^"])).toEqual(["xa", "x\xff"]);
    expect(matching("x[", ["x", "x[", "xa"])).toEqual([]);
    expect(matching("[\\", ["\\", "x"])).toEqual(["\\"]);
    // `a-]` is the range "]" to "a", and the class goes on past that ].
    expect(matching("[a-]", ["]", "^", "a", "-", "b"])).toEqual(["]", "^", "a"]);
    expect(matching("[a-]b", ["]b", "b", "a"])).toEqual(["b", "a"]);
  });

  it("reads [] as an empty class and [^] as any byte", () => {
    expect(matching("[]a]", ["a", "]", "a]", "]a]"])).toEqual([]);
    expect(matching("[^]", ["a", "]", "\x00", "ab"])).toEqual(["a", "]", "\x00"]);
  });

  it("backtracks to the right star", () => {
    expect(matches("*a*b", "xaxaxbxb")).toBe(true);
    expect(matches("*ab", "aab")).toBe(true);
    expect(matches("a*b?d", "abxbcd")).toBe(true);
    expect(matches("a*b?d", "abxbcde")).toBe(false);
    expect(matches("*[z-a]*1", "___q__1")).toBe(true);
  });

  it("stays polynomial on patterns that backtrack exponentially in a RegExp", () => {
    // A regression hangs here until vitest's timeout: only the results are asserted.
    const as = "a".repeat(10_000);
    expect(matches(`${"*".repeat(50)}!`, as)).toBe(false);
    expect(matches(`${"a*".repeat(30)}b`, as)).toBe(false);
    expect(matches(`${"a*".repeat(30)}b`, `${as}b`)).toBe(true);
    expect(matches(`*${"a".repeat(200)}b`, as)).toBe(false);
    expect(matches(`${"?*".repeat(40)}[^a]`, as)).toBe(false);
  });
});

describe("keyPatternMatcher", () => {
  it("lets a lone * through every key, the empty one too, as KEYS and SCAN do", () => {
    const all = keyPatternMatcher(Buffer.from("*"));
    expect(all(Buffer.alloc(0))).toBe(true);
    expect(all(Buffer.from("k"))).toBe(true);
    expect(keyPatternMatcher(Buffer.from("**"))(Buffer.alloc(0))).toBe(false);
    expect(keyPatternMatcher(Buffer.from("k?"))(Buffer.from("k1"))).toBe(true);
  });
});
