import { describe, expect, it } from "vitest";
import { checkOutboundUrl, isForbiddenAddress, type OutboundUrlPolicy } from "../../../src/http/url-policy";

const OPEN: OutboundUrlPolicy = { allowedHosts: [], devAllowedOrigins: [] };

const check = (raw: string, policy: Partial<OutboundUrlPolicy> = {}) => checkOutboundUrl(raw, { ...OPEN, ...policy });
const reasonOf = (raw: string, policy: Partial<OutboundUrlPolicy> = {}) => {
  const verdict = check(raw, policy);
  return verdict.ok ? "ok" : verdict.reason;
};

describe("the WHATWG URL parser, which the policy relies on to normalise hosts", () => {
  it.each([
    ["https://2130706433/", "127.0.0.1"],
    ["https://0x7f000001/", "127.0.0.1"],
    ["https://0177.0.0.1/", "127.0.0.1"],
    ["https://127.1/", "127.0.0.1"],
    ["https://0x7f.1/", "127.0.0.1"],
    ["https://127.0.0.1./", "127.0.0.1"],
    ["https://0/", "0.0.0.0"],
    ["https://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"],
    ["https://[0:0:0:0:0:0:0:1]/", "[::1]"],
    ["https://[::FFFF:7F00:1]/", "[::ffff:7f00:1]"],
    ["https://[64:ff9b::10.0.0.1]/", "[64:ff9b::a00:1]"],
    ["https://LOCALHOST./", "localhost."],
    ["https://ｌｏｃａｌｈｏｓｔ/", "localhost"],
    ["https://%6c%6fcalhost/", "localhost"],
  ])("writes %s with hostname %s", (raw, hostname) => {
    expect(new URL(raw).hostname).toBe(hostname);
  });
});

describe("checkOutboundUrl", () => {
  it.each([
    ["https://127.0.0.1/", "a loopback address"],
    ["https://127.255.255.254/", "a loopback address"],
    ["https://localhost/", "a loopback host name"],
    ["https://LOCALHOST./", "a loopback host name"],
    ["https://api.localhost/", "a loopback host name"],
    ["https://ｌｏｃａｌｈｏｓｔ/", "a loopback host name"],
    ["https://%6c%6fcalhost/", "a loopback host name"],
    ["https://[::1]/", "a loopback address"],
    ["https://[::]/", "a loopback address"],
    ["https://0.0.0.0/", "a loopback address"],
    ["https://0/", "a loopback address"],
    ["https://2130706433/", "a loopback address"],
    ["https://0x7f000001/", "a loopback address"],
    ["https://0177.0.0.1/", "a loopback address"],
    ["https://127.1/", "a loopback address"],
    ["https://127.0.0.1.:8443/", "a loopback address"],
    ["https://[::ffff:127.0.0.1]/", "a loopback address"],
    ["https://[0:0:0:0:0:0:0:1]/", "a loopback address"],
    ["https://[::ffff:7f00:1]/", "a loopback address"],
    ["https://[::127.0.0.1]/", "a loopback address"],
    ["https://[2002:7f00:1::]/", "a loopback address"],
    ["https://[64:ff9b::7f00:1]/", "a loopback address"],
  ])("refuses loopback %s as %s", (raw, reason) => {
    expect(reasonOf(raw)).toBe(reason);
  });

  it.each([
    ["https://169.254.169.254/latest/meta-data/", "a link-local address"],
    ["https://[::ffff:169.254.169.254]/", "a link-local address"],
    ["https://10.0.0.1/", "a private address"],
    ["https://10.255.255.255/", "a private address"],
    ["https://172.16.0.1/", "a private address"],
    ["https://172.31.255.255/", "a private address"],
    ["https://192.168.1.1/", "a private address"],
    ["https://100.64.0.1/", "a private address"],
    ["https://100.127.255.255/", "a private address"],
    ["https://0.1.2.3/", "a reserved address"],
    ["https://192.0.0.8/", "a reserved address"],
    ["https://192.0.2.1/", "a reserved address"],
    ["https://192.88.99.1/", "a reserved address"],
    ["https://198.18.0.1/", "a reserved address"],
    ["https://198.19.255.255/", "a reserved address"],
    ["https://198.51.100.7/", "a reserved address"],
    ["https://203.0.113.9/", "a reserved address"],
    ["https://224.0.0.1/", "a multicast address"],
    ["https://239.255.255.250/", "a multicast address"],
    ["https://240.0.0.1/", "a reserved address"],
    ["https://255.255.255.255/", "a reserved address"],
    ["https://[fd00::1]/", "a private address"],
    ["https://[fc00::1]/", "a private address"],
    ["https://[fe80::1]/", "a link-local address"],
    ["https://[febf:ffff::1]/", "a link-local address"],
    ["https://[fec0::1]/", "a private address"],
    ["https://[ff02::1]/", "a multicast address"],
    ["https://[64:ff9b::a00:1]/", "a private address"],
    ["https://[64:ff9b::10.0.0.1]/", "a private address"],
    ["https://[64:ff9b:1::1]/", "a private address"],
    ["https://[2002:a00:1::]/", "a private address"],
    ["https://[2002:a9fe:a9fe::1]/", "a link-local address"],
    ["https://[100::1]/", "a reserved address"],
    ["https://[2001::1]/", "a reserved address"],
    ["https://[2001:1ff::1]/", "a reserved address"],
    ["https://[2001:db8::1]/", "a reserved address"],
    ["https://[3fff::1]/", "a reserved address"],
    ["https://[4000::1]/", "a reserved address"],
    // Mapped and compatible addresses are refused even when the IPv4 address inside is public.
    ["https://[::ffff:8.8.8.8]/", "a reserved address"],
    ["https://[::8.8.8.8]/", "a reserved address"],
  ])("refuses %s as %s", (raw, reason) => {
    expect(reasonOf(raw)).toBe(reason);
  });

  it.each([
    ["https://intranet/", "a bare host name"],
    ["https://INTRANET./", "a bare host name"],
    ["https://metadata.google.internal/computeMetadata/v1/", "an internal host name"],
    ["https://printer.local/", "an internal host name"],
    ["https://nas.localdomain/", "an internal host name"],
    ["https://router.home.arpa/", "an internal host name"],
    ["https://home.arpa/", "an internal host name"],
    ["https://a..example.com/", "not a valid host name"],
    ["https://localhost../", "not a valid host name"],
  ])("refuses the name in %s as %s", (raw, reason) => {
    expect(reasonOf(raw)).toBe(reason);
  });

  it.each([
    "https://example.com/hook",
    "https://example.com./hook",
    "https://hooks.example.com:8443/in?x=1#frag",
    "https://93.184.216.34/",
    "https://[2606:4700::1111]/",
    "https://172.15.255.255/",
    "https://172.32.0.1/",
    "https://100.128.0.1/",
    "https://198.20.0.1/",
    "https://223.255.255.255/",
    "https://[2001:200::1]/",
    "https://[2001:db9::1]/",
    // NAT64 and 6to4 of the public 93.184.216.34.
    "https://[64:ff9b::5db8:d822]/",
    "https://[2002:5db8:d822::1]/",
    "https://internal.example.com/",
    "https://local.example.com/",
  ])("allows the public %s", (raw) => {
    const verdict = check(raw);
    expect(verdict).toEqual({ ok: true, url: new URL(raw) });
  });

  it.each([
    ["http://example.com/hook", "only https URLs are allowed"],
    ["HTTP://example.com/hook", "only https URLs are allowed"],
    ["ftp://example.com/file", "only https URLs are allowed"],
    ["ws://example.com/socket", "only https URLs are allowed"],
    ["javascript:alert(1)", "only https URLs are allowed"],
    ["data:text/plain,hi", "only https URLs are allowed"],
    ["file:///etc/passwd", "only https URLs are allowed"],
  ])("refuses the scheme of %s", (raw, reason) => {
    expect(reasonOf(raw)).toBe(reason);
  });

  it.each(["https://user:secret@example.com/", "https://user@example.com/", "https://:secret@example.com/"])(
    "refuses credentials in %s",
    (raw) => {
      expect(reasonOf(raw)).toBe("credentials in the URL are not allowed");
    },
  );

  it.each(["", "not a url", "example.com/hook", "https://", "https://exa mple.com/", "https://[::1/", "https://1.2.3.4.5/"])(
    "refuses %j as not a valid URL",
    (raw) => {
      expect(reasonOf(raw)).toBe("not a valid URL");
    },
  );

  it("refuses URLs longer than 2048 characters, before parsing", () => {
    const prefix = "https://example.com/";
    expect(check(prefix + "a".repeat(2048 - prefix.length)).ok).toBe(true);
    expect(reasonOf(prefix + "a".repeat(2049 - prefix.length))).toBe("URL longer than 2048 characters");
    expect(reasonOf("x".repeat(5_000))).toBe("URL longer than 2048 characters");
  });

  describe("with an allowlist", () => {
    const allowedHosts = ["hooks.example.com", "*.partner.test", "93.184.216.34"];

    it.each([
      ["https://hooks.example.com/in", "ok"],
      ["https://HOOKS.Example.COM./in", "ok"],
      ["https://example.com/in", "host not in the allowlist"],
      ["https://a.hooks.example.com/in", "host not in the allowlist"],
      ["https://hooks.example.com.evil.com/in", "host not in the allowlist"],
      ["https://eu.partner.test/in", "ok"],
      ["https://a.b.partner.test/in", "ok"],
      ["https://partner.test/in", "host not in the allowlist"],
      ["https://evilpartner.test/in", "host not in the allowlist"],
      ["https://partner.test.evil.com/in", "host not in the allowlist"],
      ["https://93.184.216.34/in", "ok"],
      ["https://1572395042/in", "ok"],
      ["https://93.184.216.35/in", "host not in the allowlist"],
      // The host checks come first: an allowlist cannot admit a forbidden host.
      ["http://hooks.example.com/in", "only https URLs are allowed"],
    ])("%s → %s", (raw, expected) => {
      expect(reasonOf(raw, { allowedHosts })).toBe(expected);
    });

    it("refuses forbidden hosts even when they are listed", () => {
      expect(reasonOf("https://localhost/", { allowedHosts: ["localhost"] })).toBe("a loopback host name");
      expect(reasonOf("https://10.0.0.1/", { allowedHosts: ["10.0.0.1"] })).toBe("a private address");
      expect(reasonOf("https://x.internal/", { allowedHosts: ["*.internal"] })).toBe("an internal host name");
    });

    it("does not match IP literals against wildcards", () => {
      expect(reasonOf("https://93.184.216.34/", { allowedHosts: ["*.184.216.34"] })).toBe("host not in the allowlist");
    });

    it("normalises entries like hostnames: case, trailing dot, IDN, IPv6 spelling", () => {
      expect(reasonOf("https://hooks.example.com/", { allowedHosts: ["Hooks.Example.com."] })).toBe("ok");
      expect(reasonOf("https://a.b.example.com/", { allowedHosts: ["*.B.EXAMPLE.COM"] })).toBe("ok");
      expect(reasonOf("https://bücher.example/", { allowedHosts: ["BÜCHER.example"] })).toBe("ok");
      expect(reasonOf("https://xn--bcher-kva.example/", { allowedHosts: ["bücher.example"] })).toBe("ok");
      expect(reasonOf("https://[2606:4700::1111]/", { allowedHosts: ["[2606:4700:0:0:0:0:0:1111]"] })).toBe("ok");
    });

    it.each([["user@example.com"], ["example.com:8443"], ["example.com/path"], ["example.com?"], ["*"], ["*."], ["exa mple.com"], [""]])(
      "ignores the malformed entry %j, refusing rather than widening",
      (entry) => {
        expect(reasonOf("https://example.com/", { allowedHosts: [entry] })).toBe("host not in the allowlist");
      },
    );
  });

  describe("with development origins", () => {
    const devAllowedOrigins = ["http://127.0.0.1:8081"];

    it.each([
      ["http://127.0.0.1:8081/webhooks/inbox", "ok"],
      ["HTTP://127.0.0.1:8081/other?x=1", "ok"],
      ["http://2130706433:8081/inbox", "ok"],
      ["http://127.0.0.1:8082/inbox", "only https URLs are allowed"],
      ["http://127.0.0.1/inbox", "only https URLs are allowed"],
      ["https://127.0.0.1:8081/inbox", "a loopback address"],
      ["http://localhost:8081/inbox", "only https URLs are allowed"],
      ["http://user:pw@127.0.0.1:8081/inbox", "credentials in the URL are not allowed"],
    ])("%s → %s", (raw, expected) => {
      expect(reasonOf(raw, { devAllowedOrigins })).toBe(expected);
    });

    it("are refused when not listed", () => {
      expect(reasonOf("http://127.0.0.1:8081/webhooks/inbox")).toBe("only https URLs are allowed");
    });

    it("compares normalised origins", () => {
      expect(reasonOf("http://localhost:8081/in", { devAllowedOrigins: ["HTTP://LOCALHOST:8081/ignored/path"] })).toBe("ok");
      expect(reasonOf("http://[::1]:8081/in", { devAllowedOrigins: ["http://[0:0::1]:8081"] })).toBe("ok");
      expect(reasonOf("https://localhost/in", { devAllowedOrigins: ["https://localhost:443"] })).toBe("ok");
    });

    it("bypass the allowlist, which is for production hosts", () => {
      expect(reasonOf("http://127.0.0.1:8081/in", { devAllowedOrigins, allowedHosts: ["hooks.example.com"] })).toBe("ok");
    });

    it("never admit opaque origins, which all serialise as null", () => {
      const opaque = ["data:text/plain,x", "file:///tmp/x", "null", "not a url"];
      expect(reasonOf("data:text/plain,hi", { devAllowedOrigins: opaque })).toBe("only https URLs are allowed");
      expect(reasonOf("file:///etc/passwd", { devAllowedOrigins: opaque })).toBe("only https URLs are allowed");
    });
  });

  it("returns the parsed URL", () => {
    const verdict = check("  https://Example.COM:443/a/../hook?q=1  ");
    expect(verdict.ok && verdict.url.href).toBe("https://example.com/hook?q=1");
  });
});

describe("isForbiddenAddress", () => {
  it.each([
    "127.0.0.1",
    "0.0.0.0",
    "169.254.169.254",
    "10.1.2.3",
    "[::1]",
    "[::]",
    "[::ffff:7f00:1]",
    "[fd00::1]",
    "[fe80::1]",
    "[64:ff9b::a00:1]",
    "[2002:7f00:1::]",
    // Spellings the URL parser would normalise, read the same way here.
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "0x7f.1",
    "127.0.0.1.",
    "::1",
    "0:0:0:0:0:0:0:1",
    "[0000:0000:0000:0000:0000:0000:0000:0001]",
    "::FFFF:127.0.0.1",
    "[::ffff:10.0.0.1]",
    "FE80::1",
    "1:2:3:4:5:6:7::",
  ])("forbids %s", (hostname) => {
    expect(isForbiddenAddress(hostname)).toBe(true);
  });

  it.each([
    "93.184.216.34",
    "8.8.8.8",
    "[2606:4700::1111]",
    "2606:4700::1111",
    "[64:ff9b::808:808]",
    "[2002:808:808::]",
    // Names are not addresses.
    "localhost",
    "example.com",
    "intranet",
    // Nor is anything that does not parse as one.
    "",
    "256.0.0.1",
    "1.2.3.4.5",
    "1..2.3",
    "08.0.0.1",
    "0x1g.0.0.1",
    "4294967296",
    "[::1::]",
    "[:::1]",
    "[1:2:3:4:5:6:7:8:9]",
    "[1:2:3:4:5:6:7]",
    "[1:2:3:4:5:6:7:8::]",
    "[12345::1]",
    "[::ffff:127.0.0.01]",
    "[::ffff:127.0.1]",
    "[127.0.0.1::]",
    "[::1%eth0]",
  ])("allows %j", (hostname) => {
    expect(isForbiddenAddress(hostname)).toBe(false);
  });
});
