/**
 * Which URLs from user input (webhook targets) the Worker may send a request to: a defence
 * against server-side request forgery, where a caller points the Worker at something only
 * the Worker can reach (loopback, a private network, the cloud metadata endpoint at
 * 169.254.169.254).
 *
 * The checks are on the URL as written, after the WHATWG parser has normalised it; nothing
 * is resolved. A public name whose DNS answer is a private address (127.0.0.1.nip.io,
 * DNS rebinding) passes here: in production Cloudflare's network does not route a Worker's
 * subrequests into private ranges, so this is defence in depth there, and the first line of
 * defence when the Worker runs next to other services (the local stack, self-hosted workerd).
 * Redirects are new URLs: send with `redirect: "manual"` and check every `Location` again.
 */

export interface OutboundUrlPolicy {
  /**
   * Host names allowed when non-empty: exact ("hooks.example.com") or a subdomain wildcard
   * ("*.example.com", which does not match example.com itself). Empty: any public host.
   *
   * A wildcard matches subdomains at any depth (a.b.example.com too) and never an IP literal.
   * An entry that is not a plain host name ("example.com/x", "user@example.com",
   * "example.com:8443") matches nothing: a broken allowlist refuses, it never widens.
   */
  allowedHosts: readonly string[];
  /**
   * Development only: exact origins ("http://127.0.0.1:8081") allowed whatever their scheme
   * or address (the local stack's webhook inbox).
   */
  devAllowedOrigins: readonly string[];
}

export type OutboundUrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/** Longer URLs are refused before parsing: nothing legitimate needs more, and it bounds the work. */
const MAX_URL_LENGTH = 2048;

/**
 * Decides whether the Worker may send a request to `raw`. Refusal reasons are short,
 * lower-case phrases without a trailing period, meant to follow "refused: " in a response.
 *
 * In order: the URL must parse and be at most 2048 characters; carry no credentials; then
 * an exact match of `policy.devAllowedOrigins` is allowed as is; otherwise it must be https,
 * its host must not be a loopback, private, link-local, reserved or multicast address, nor
 * localhost or an internal or bare name; and, when `policy.allowedHosts` is non-empty, its
 * host must be listed.
 *
 * @example
 * checkOutboundUrl("https://hooks.example.com/in", { allowedHosts: [], devAllowedOrigins: [] });
 * // { ok: true, url: URL { href: "https://hooks.example.com/in", … } }
 * checkOutboundUrl("https://169.254.169.254/latest/meta-data/", { allowedHosts: [], devAllowedOrigins: [] });
 * // { ok: false, reason: "a link-local address" }
 */
export function checkOutboundUrl(raw: string, policy: OutboundUrlPolicy): OutboundUrlVerdict {
  if (raw.length > MAX_URL_LENGTH) return refuse(`URL longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("not a valid URL");
  }
  if (url.username !== "" || url.password !== "") return refuse("credentials in the URL are not allowed");

  // Opaque origins all serialise as "null": never let a "null" entry admit data:, file: and the like.
  if (url.origin !== "null" && policy.devAllowedOrigins.some((origin) => originOf(origin) === url.origin)) {
    return { ok: true, url };
  }

  if (url.protocol !== "https:") return refuse("only https URLs are allowed");

  const hostReason = hostRefusal(url.hostname);
  if (hostReason !== undefined) return refuse(hostReason);

  if (policy.allowedHosts.length > 0 && !policy.allowedHosts.some((entry) => hostMatches(url.hostname, entry))) {
    return refuse("host not in the allowlist");
  }
  return { ok: true, url };
}

/**
 * True for an IPv4 or IPv6 literal (as the WHATWG URL parser writes hostnames: "127.0.0.1",
 * "[::1]") in a range that must never be reached from input. False for host names.
 *
 * Also reads the other spellings a resolver or a URL parser would accept: IPv4 in decimal,
 * hex, octal and short forms ("2130706433", "0x7f.1", "127.1"), IPv6 without brackets, in
 * full or with a dotted IPv4 tail ("::ffff:127.0.0.1").
 *
 * IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96) addresses are refused whatever
 * the embedded address; NAT64 (64:ff9b::/96) and 6to4 (2002::/16) only when the embedded
 * IPv4 address is refused.
 */
export function isForbiddenAddress(hostname: string): boolean {
  return addressKind(hostname) !== undefined;
}

/** Why a range is refused; one client-facing reason each. */
type AddressKind = "loopback" | "private" | "link-local" | "reserved" | "multicast";

const ADDRESS_REASONS: Readonly<Record<AddressKind, string>> = {
  loopback: "a loopback address",
  private: "a private address",
  "link-local": "a link-local address",
  reserved: "a reserved address",
  multicast: "a multicast address",
};

function refuse(reason: string): OutboundUrlVerdict {
  return { ok: false, reason };
}

/** The reason to refuse a parsed URL's hostname, or undefined when it may be reached. */
function hostRefusal(hostname: string): string | undefined {
  if (hostname.startsWith("[")) {
    const address = parseIPv6(hostname.slice(1, -1));
    // The URL parser accepted it, so this cannot happen; if the two parsers ever disagree, refuse.
    if (address === undefined) return "not a valid URL";
    const kind = ipv6Kind(address);
    return kind === undefined ? undefined : ADDRESS_REASONS[kind];
  }
  const ipv4 = parseIPv4(hostname);
  if (ipv4 !== undefined) {
    const kind = ipv4Kind(ipv4);
    return kind === undefined ? undefined : ADDRESS_REASONS[kind];
  }
  return nameRefusal(hostname);
}

/** Special-use names that resolve (if at all) inside someone's network, with their subdomains. */
const INTERNAL_SUFFIXES = ["internal", "local", "localdomain", "home.arpa"] as const;

function nameRefusal(hostname: string): string | undefined {
  const name = withoutTrailingDot(hostname.toLowerCase());
  // "a..b" parses, but no resolver agrees on what it means; "localhost.." would slip past
  // the suffix checks below.
  if (name.split(".").includes("")) return "not a valid host name";
  if (name === "localhost" || name.endsWith(".localhost")) return "a loopback host name";
  if (INTERNAL_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))) {
    return "an internal host name";
  }
  // Without a dot, a name is completed by the resolver's search domains: an intranet host.
  if (!name.includes(".")) return "a bare host name";
  return undefined;
}

/** Whether `hostname` (as the URL parser writes it) matches one `allowedHosts` entry. */
function hostMatches(hostname: string, entry: string): boolean {
  const host = withoutTrailingDot(hostname);
  const wildcard = entry.startsWith("*.");
  const pattern = normalisedHost(wildcard ? entry.slice(2) : entry);
  if (pattern === undefined) return false;
  // An IP literal never ends in ".<pattern>": a suffix ending in a number is normalised into
  // a whole IPv4 address ("*.184.216.34" into 184.216.0.34), so wildcards only ever match names.
  return wildcard ? host.endsWith(`.${pattern}`) : host === pattern;
}

/**
 * An allowlist entry as the URL parser would write it as a hostname (lower case, punycode,
 * canonical IP literal), or undefined when it is anything more than a host name.
 */
function normalisedHost(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(`https://${entry}/`);
  } catch {
    return undefined;
  }
  // Anything else in the entry (credentials, a port, a path) shows up in the href.
  if (url.href !== `https://${url.hostname}/`) return undefined;
  return withoutTrailingDot(url.hostname);
}

/** `new URL(origin).origin`, or undefined for an entry that is not a URL. */
function originOf(origin: string): string | undefined {
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}

function withoutTrailingDot(name: string): string {
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

function addressKind(hostname: string): AddressKind | undefined {
  const bracketed = hostname.startsWith("[") && hostname.endsWith("]");
  const text = bracketed ? hostname.slice(1, -1) : hostname;
  if (bracketed || text.includes(":")) {
    const address = parseIPv6(text);
    return address === undefined ? undefined : ipv6Kind(address);
  }
  const address = parseIPv4(text);
  return address === undefined ? undefined : ipv4Kind(address);
}

// ---- IPv4 -------------------------------------------------------------------------------

interface Ipv4Range {
  base: number;
  bits: number;
  kind: AddressKind;
}

/** First match wins: the narrower 0.0.0.0/32 comes before 0.0.0.0/8. */
const IPV4_RANGES: readonly Ipv4Range[] = [
  // "This host": connecting to 0.0.0.0 reaches the local machine on Linux and macOS.
  ipv4Range("0.0.0.0/32", "loopback"),
  ipv4Range("0.0.0.0/8", "reserved"),
  ipv4Range("10.0.0.0/8", "private"),
  // Shared address space (carrier-grade NAT): an operator's internal network.
  ipv4Range("100.64.0.0/10", "private"),
  ipv4Range("127.0.0.0/8", "loopback"),
  // Includes 169.254.169.254, the metadata endpoint of most clouds.
  ipv4Range("169.254.0.0/16", "link-local"),
  ipv4Range("172.16.0.0/12", "private"),
  ipv4Range("192.0.0.0/24", "reserved"),
  ipv4Range("192.0.2.0/24", "reserved"),
  ipv4Range("192.88.99.0/24", "reserved"),
  ipv4Range("192.168.0.0/16", "private"),
  ipv4Range("198.18.0.0/15", "reserved"),
  ipv4Range("198.51.100.0/24", "reserved"),
  ipv4Range("203.0.113.0/24", "reserved"),
  ipv4Range("224.0.0.0/4", "multicast"),
  // Includes the limited broadcast address 255.255.255.255.
  ipv4Range("240.0.0.0/4", "reserved"),
];

function ipv4Kind(address: number): AddressKind | undefined {
  // Division rather than >>>: a shift by 32 is a shift by 0 in JavaScript.
  return IPV4_RANGES.find(({ base, bits }) => {
    const size = 2 ** (32 - bits);
    return Math.floor(address / size) === Math.floor(base / size);
  })?.kind;
}

function ipv4Range(cidr: string, kind: AddressKind): Ipv4Range {
  const [text = "", bits = ""] = cidr.split("/");
  const base = parseIPv4(text);
  if (base === undefined) throw new Error(`bad IPv4 range ${cidr}`);
  return { base, bits: Number(bits), kind };
}

/**
 * An IPv4 address as a number in [0, 2^32), read the way the WHATWG URL parser (and
 * inet_aton) reads a host: one to four parts, each decimal, octal (leading 0) or hex (0x),
 * the last part filling the remaining bytes ("127.1" is 127.0.0.1). Undefined otherwise.
 */
function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const value = parseIPv4Number(part);
    if (value === undefined) return undefined;
    numbers.push(value);
  }
  const last = numbers.pop();
  if (last === undefined || last >= 256 ** (4 - numbers.length)) return undefined;
  if (numbers.some((value) => value > 255)) return undefined;
  return numbers.reduce((address, value, index) => address + value * 256 ** (3 - index), last);
}

function parseIPv4Number(part: string): number | undefined {
  if (part === "") return undefined;
  if (/^0x/i.test(part)) {
    const digits = part.slice(2);
    // The URL parser reads a lone "0x" as 0.
    if (digits === "") return 0;
    return /^[0-9a-f]+$/i.test(digits) ? Number.parseInt(digits, 16) : undefined;
  }
  if (part.length > 1 && part.startsWith("0")) {
    return /^[0-7]+$/.test(part) ? Number.parseInt(part, 8) : undefined;
  }
  return /^[0-9]+$/.test(part) ? Number.parseInt(part, 10) : undefined;
}

// ---- IPv6 -------------------------------------------------------------------------------

interface Ipv6Range {
  base: bigint;
  bits: number;
  kind: AddressKind;
}

/**
 * Checked after the ranges that embed an IPv4 address (see ipv6Kind). First match wins:
 * the documentation range 2001:db8::/32 lies outside 2001::/23, so order only matters for
 * the catch-all at the end.
 */
const IPV6_RANGES: readonly Ipv6Range[] = [
  // Local-use NAT64 (RFC 8215): translates into the operator's own IPv4 network.
  ipv6Range("64:ff9b:1::/48", "private"),
  // Discard-only.
  ipv6Range("100::/64", "reserved"),
  // IETF protocol assignments, including Teredo (2001::/32), which tunnels to an IPv4 address.
  ipv6Range("2001::/23", "reserved"),
  // Documentation: 2001:db8::/32 and the newer 3fff::/20 (RFC 9637).
  ipv6Range("2001:db8::/32", "reserved"),
  ipv6Range("3fff::/20", "reserved"),
  // Unique local addresses: the IPv6 counterpart of 10/8 and 192.168/16.
  ipv6Range("fc00::/7", "private"),
  ipv6Range("fe80::/10", "link-local"),
  // Deprecated site-local addresses, still private wherever they are in use.
  ipv6Range("fec0::/10", "private"),
  ipv6Range("ff00::/8", "multicast"),
];

/** Global unicast: no public host lives outside it (NAT64 is checked before). */
const IPV6_GLOBAL_UNICAST = ipv6Range("2000::/3", "reserved");

const IPV6_UNSPECIFIED = 0n;
const IPV6_LOOPBACK = 1n;
const IPV4_MAPPED = ipv6Range("::ffff:0:0/96", "reserved");
const IPV4_COMPATIBLE = ipv6Range("::/96", "reserved");
const NAT64 = ipv6Range("64:ff9b::/96", "reserved");
const SIX_TO_FOUR = ipv6Range("2002::/16", "reserved");

function ipv6Kind(address: bigint): AddressKind | undefined {
  // "::" like 0.0.0.0: connecting to it reaches the local machine.
  if (address === IPV6_UNSPECIFIED || address === IPV6_LOOPBACK) return "loopback";
  const low32 = Number(address & 0xffff_ffffn);
  // Mapped and compatible addresses are never on the wire: only a local dual-stack socket
  // gives them meaning, and stacks differ in which. Refuse them all, naming the embedded
  // address's kind when it has one (so ::ffff:127.0.0.1 reads as loopback).
  if (inIpv6Range(address, IPV4_MAPPED) || inIpv6Range(address, IPV4_COMPATIBLE)) {
    return ipv4Kind(low32) ?? "reserved";
  }
  // NAT64 is how IPv6-only networks reach public IPv4 hosts: fine unless the IPv4 address is not.
  if (inIpv6Range(address, NAT64)) return ipv4Kind(low32);
  // 6to4 carries the relay's IPv4 address in bits 16–47.
  if (inIpv6Range(address, SIX_TO_FOUR)) return ipv4Kind(Number((address >> 80n) & 0xffff_ffffn));
  const range = IPV6_RANGES.find((candidate) => inIpv6Range(address, candidate));
  if (range !== undefined) return range.kind;
  return inIpv6Range(address, IPV6_GLOBAL_UNICAST) ? undefined : "reserved";
}

function inIpv6Range(address: bigint, range: Ipv6Range): boolean {
  const shift = BigInt(128 - range.bits);
  return address >> shift === range.base >> shift;
}

function ipv6Range(cidr: string, kind: AddressKind): Ipv6Range {
  const [text = "", bits = ""] = cidr.split("/");
  const base = parseIPv6(text);
  if (base === undefined) throw new Error(`bad IPv6 range ${cidr}`);
  return { base, bits: Number(bits), kind };
}

/**
 * An IPv6 address (without brackets) as a 128-bit number: eight groups of one to four hex
 * digits, at most one "::" standing for one or more zero groups, and optionally a dotted
 * IPv4 address as the last 32 bits. No zone ("%eth0"): the URL parser refuses those too.
 */
function parseIPv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const [headText = "", tailText] = halves;
  const compressed = tailText !== undefined;
  // A dotted IPv4 tail is only allowed at the very end of the address.
  const head = parseIPv6Groups(headText, !compressed);
  const tail = compressed ? parseIPv6Groups(tailText, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const explicit = head.length + tail.length;
  if (compressed ? explicit > 7 : explicit !== 8) return undefined;
  const groups = [...head, ...Array<number>(8 - explicit).fill(0), ...tail];
  return groups.reduce((address, group) => (address << 16n) | BigInt(group), 0n);
}

function parseIPv6Groups(text: string, ipv4Tail: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (ipv4Tail && index === parts.length - 1 && part.includes(".")) {
      const ipv4 = parseDottedQuad(part);
      if (ipv4 === undefined) return undefined;
      groups.push(Math.floor(ipv4 / 0x1_0000), ipv4 % 0x1_0000);
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** Strict a.b.c.d in decimal without leading zeros, as RFC 4291 and the URL parser want inside IPv6. */
function parseDottedQuad(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part))) return undefined;
  const bytes = parts.map(Number);
  if (bytes.some((byte) => byte > 255)) return undefined;
  return bytes.reduce((address, byte) => address * 256 + byte, 0);
}
