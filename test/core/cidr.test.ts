import { describe, expect, it } from "vitest";
import { parseIp } from "../../core/client-ip";
import { cidrContains, clientPrefix, parseCidr, prefixOf, type Cidr } from "../../core/cidr";
import { CidrSet } from "../../core/cidr-set";
import { IpSet } from "../../core/ip-set";
import { SeededRandom } from "../../scripts/model/seeded-random";

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe("parseCidr", () => {
  it.each([
    ["203.0.113.0/24", "203.0.113.0/24"],
    [" 0.0.0.0/0 ", "0.0.0.0/0"],
    ["198.51.100.7/32", "198.51.100.7/32"],
    ["198.51.100.7", "198.51.100.7/32"],
    ["2001:DB8::/32", "2001:0db8:0000:0000:0000:0000:0000:0000/32"],
    ["::/0", "0000:0000:0000:0000:0000:0000:0000:0000/0"],
    ["::1", "0000:0000:0000:0000:0000:0000:0000:0001/128"],
    ["2001:db8::8:800:200c:417a/128", "2001:0db8:0000:0000:0008:0800:200c:417a/128"],
    ["::ffff:192.0.2.128/128", "0000:0000:0000:0000:0000:ffff:c000:0280/128"],
    ["2600:1f28:365:8000::/56", "2600:1f28:0365:8000:0000:0000:0000:0000/56"],
    ["1:2:3:4:5:6:7::/128", "0001:0002:0003:0004:0005:0006:0007:0000/128"],
  ])("canonicalises %s", (input, text) => {
    expect(cidr(input).text).toBe(text);
  });

  it.each([
    ["", /empty/],
    ["/24", /not an IP address/],
    ["10.0.0.0/33", /0-32/],
    ["2001:db8::/129", /0-128/],
    ["10.0.0.0/", /0-32/],
    ["10.0.0.0/024", /0-32/],
    ["10.0.0.0/-1", /0-32/],
    ["10.0.0.0/24/8", /0-32/],
    ["10.0.0.0/2a", /0-32/],
    ["256.0.0.0/8", /not an IP address/],
    ["10.0.0/8", /not an IP address/],
    ["10.0.0.0.0/8", /not an IP address/],
    ["010.0.0.0/8", /not an IP address/],
    ["1::2::3/64", /not an IP address/],
    [":::/0", /not an IP address/],
    ["1:2:3:4:5:6:7:8::/128", /not an IP address/],
    ["1:2:3:4:5:6:7/112", /not an IP address/],
    ["12345::/16", /not an IP address/],
    ["fe80::1%eth0/64", /not an IP address/],
    ["::ffff:1.2.3/96", /not an IP address/],
    ["1:2:3:4:5:6:7:1.2.3.4", /not an IP address/],
    ["10.0.0.1/24", /host bits are set below \/24; the network is 10\.0\.0\.0\/24/],
    ["2001:db8::1/64", /host bits/],
  ])("rejects %j with a reason", (input, reason) => {
    const parsed = parseCidr(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(reason);
  });

  it("clears host bits when asked to", () => {
    const parsed = parseCidr("10.1.2.3/8", "mask");
    expect(parsed.ok && parsed.value.text).toBe("10.0.0.0/8");
  });

  it("agrees with parseIp on the canonical address of random IPv6 forms", () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 500; i++) {
      const groups = Array.from({ length: 8 }, () => (random.chance(0.4) ? 0 : random.int(0, 0xffff)).toString(16));
      const text = groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
      expect(cidr(text).text).toBe(`${parseIp(text)}/128`);
    }
  });
});

describe("cidrContains", () => {
  it("bounds an IPv4 network at both ends", () => {
    const net = cidr("192.0.2.64/26");
    expect(["192.0.2.64", "192.0.2.127"].map((ip) => cidrContains(net, ip))).toEqual([true, true]);
    expect(["192.0.2.63", "192.0.2.128", "not-an-ip"].map((ip) => cidrContains(net, ip))).toEqual([false, false, false]);
  });

  it("treats /0 as everything in its family, and only its family", () => {
    expect(cidrContains(cidr("0.0.0.0/0"), "255.255.255.255")).toBe(true);
    expect(cidrContains(cidr("0.0.0.0/0"), "2001:db8::1")).toBe(false);
    expect(cidrContains(cidr("::/0"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(true);
    expect(cidrContains(cidr("::/0"), "192.0.2.1")).toBe(false);
  });

  it("compares IPv6 across word boundaries (/33, /63, /65, /127)", () => {
    expect(cidrContains(cidr("2001:db8:8000::/33"), "2001:db8:ffff::1")).toBe(true);
    expect(cidrContains(cidr("2001:db8:8000::/33"), "2001:db8:7fff::1")).toBe(false);
    expect(cidrContains(cidr("2001:db8:0:2::/63"), "2001:db8:0:3:ffff::")).toBe(true);
    expect(cidrContains(cidr("2001:db8:0:2::/63"), "2001:db8:0:4::")).toBe(false);
    expect(cidrContains(cidr("2001:db8::8000:0:0:0/65"), "2001:db8::ffff:0:0:1")).toBe(true);
    expect(cidrContains(cidr("2001:db8::8000:0:0:0/65"), "2001:db8::7fff:0:0:1")).toBe(false);
    expect(cidrContains(cidr("2001:db8::2/127"), "2001:db8::3")).toBe(true);
    expect(cidrContains(cidr("2001:db8::2/127"), "2001:db8::4")).toBe(false);
  });

  it("matches an IPv4-mapped IPv6 client against an IPv4 network", () => {
    expect(cidrContains(cidr("192.0.2.0/24"), "::ffff:192.0.2.5")).toBe(true);
    expect(cidrContains(cidr("192.0.2.0/24"), "::ffff:c000:205")).toBe(true);
  });
});

describe("prefixOf and clientPrefix", () => {
  it("keys IPv4 clients by /24 and IPv6 clients by /64", () => {
    expect(clientPrefix("203.0.113.77")).toBe("203.0.113.0/24");
    expect(clientPrefix("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:0db8:0001:0002:0000:0000:0000:0000/64");
    expect(clientPrefix("2001:db8:1:2::1")).toBe(clientPrefix("2001:0DB8:0001:0002:ffff::"));
    expect(clientPrefix("nope")).toBeNull();
  });

  it("handles the extreme lengths and refuses impossible ones", () => {
    expect(prefixOf("203.0.113.77", 0)).toBe("0.0.0.0/0");
    expect(prefixOf("203.0.113.77", 32)).toBe("203.0.113.77/32");
    expect(prefixOf("2001:db8::1", 128)).toBe("2001:0db8:0000:0000:0000:0000:0000:0001/128");
    expect(prefixOf("203.0.113.77", 33)).toBeNull();
    expect(prefixOf("2001:db8::1", 129)).toBeNull();
    expect(prefixOf("203.0.113.77", 7.5)).toBeNull();
  });

  it("gives a key that parses back to the network holding the IP", () => {
    const key = prefixOf("198.51.100.200", 20) ?? "";
    expect(key).toBe("198.51.96.0/20");
    expect(cidrContains(cidr(key), "198.51.100.200")).toBe(true);
  });
});

describe("CidrSet", () => {
  const set = new CidrSet([
    [cidr("10.0.0.0/8"), "corp"],
    [cidr("10.1.0.0/16"), "lab"],
    [cidr("10.1.2.0/24"), "bench"],
    [cidr("10.1.2.3/32"), "host"],
    [cidr("0.0.0.0/0"), "internet"],
    [cidr("2001:db8::/32"), "doc6"],
    [cidr("2001:db8:0:1::/64"), "client6"],
    [cidr("2001:db8:0:1::1/128"), "host6"],
  ]);

  it.each([
    ["10.1.2.3", "host"],
    ["10.1.2.4", "bench"],
    ["10.1.3.0", "lab"],
    ["10.2.0.0", "corp"],
    ["11.0.0.0", "internet"],
    ["255.255.255.255", "internet"],
    ["0.0.0.0", "internet"],
    ["::ffff:10.1.2.3", "host"],
    ["2001:db8:0:1::1", "host6"],
    ["2001:db8:0:1::2", "client6"],
    ["2001:db8:0:2::", "doc6"],
  ])("finds the most specific network for %s", (ip, label) => {
    expect(set.match(ip)?.value).toBe(label);
  });

  it("answers null outside every network, and for garbage", () => {
    expect(set.match("2001:db9::")).toBeNull();
    expect(set.match("::")).toBeNull();
    expect(set.match("")).toBeNull();
    expect(set.match("10.1.2.3/32")).toBeNull();
  });

  it("returns the entry with its canonical CIDR", () => {
    expect(set.match("10.1.2.200")?.cidr.text).toBe("10.1.2.0/24");
  });

  it("lets the later of two identical networks win, whatever order nested ones come in", () => {
    const s = new CidrSet([
      [cidr("192.0.2.0/28"), "inner"],
      [cidr("192.0.2.0/24"), "first"],
      [cidr("192.0.2.0/24"), "second"],
    ]);
    expect(s.match("192.0.2.1")?.value).toBe("inner");
    expect(s.match("192.0.2.16")?.value).toBe("second");
    expect(s.match("192.0.3.0")).toBeNull();
  });

  it("handles networks that end at the last address of each family", () => {
    const s = new CidrSet([
      [cidr("255.255.255.255/32"), "top4"],
      [cidr("255.0.0.0/8"), "net4"],
      [cidr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), "top6"],
      [cidr("ffff::/16"), "net6"],
    ]);
    expect(["255.255.255.255", "255.255.255.254", "254.255.255.255"].map((ip) => s.match(ip)?.value ?? null)).toEqual([
      "top4",
      "net4",
      null,
    ]);
    expect(s.match("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")?.value).toBe("top6");
    expect(s.match("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")?.value).toBe("net6");
  });

  it("names the bad CIDR when parsing a list", () => {
    const parsed = CidrSet.parse([
      ["192.0.2.0/24", 1],
      ["192.0.2.0/40", 2],
    ]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain("192.0.2.0/40");
  });

  it("agrees with a linear scan on random nested IPv4 and IPv6 networks", () => {
    const random = new SeededRandom(42);
    const v4 = (): string => Array.from({ length: 4 }, () => random.int(0, 3) * 64 + random.int(0, 1)).join(".");
    const v6 = (): string => `2001:db8:${random.int(0, 3).toString(16)}:${random.int(0, 3).toString(16)}::${random.int(0, 3).toString(16)}`;
    const entries = Array.from({ length: 400 }, (_, i) => {
      const six = random.chance(0.5);
      const parsed = parseCidr(`${six ? v6() : v4()}/${six ? random.int(32, 128) : random.int(0, 32)}`, "mask");
      if (!parsed.ok) throw new Error(parsed.error);
      return [parsed.value, i] as const;
    });
    const s = new CidrSet(entries);
    for (let q = 0; q < 1000; q++) {
      const ip = random.chance(0.5) ? v6() : v4();
      let best: number | null = null;
      let bestBits = -1;
      entries.forEach(([c, i]) => {
        if (cidrContains(c, ip) && c.bits >= bestBits) [best, bestBits] = [i, c.bits];
      });
      expect(s.match(ip)?.value ?? null, ip).toBe(best);
    }
  });
});

describe("CidrSet and IpSet across the 16-bit lookup buckets", () => {
  const random = new SeededRandom(9);
  const near = (): string => {
    if (random.chance(0.4)) return `10.${random.int(0, 1)}.${random.int(0, 255)}.${random.int(0, 255)}`; // crowded buckets
    const a = random.int(0, 255);
    const b = random.int(0, 255);
    return random.chance(0.5) ? `${a}.${b}.255.${random.int(250, 255)}` : `${a}.${b}.0.${random.int(0, 5)}`;
  };

  it("matches a linear scan for networks and addresses at bucket edges", () => {
    const entries = Array.from({ length: 300 }, (_, i) => {
      const parsed = parseCidr(`${near()}/${random.int(0, 32)}`, "mask");
      if (!parsed.ok) throw new Error(parsed.error);
      return [parsed.value, i] as const;
    });
    const s = new CidrSet(entries);
    for (let q = 0; q < 1000; q++) {
      const ip = near();
      let best: number | null = null;
      let bestBits = -1;
      entries.forEach(([c, i]) => {
        if (cidrContains(c, ip) && c.bits >= bestBits) [best, bestBits] = [i, c.bits];
      });
      expect(s.match(ip)?.value ?? null, ip).toBe(best);
    }
  });

  it("IpSet agrees with a Set of canonical strings", () => {
    const members = Array.from({ length: 2000 }, near);
    const built = IpSet.build(members);
    if (!built.ok) throw new Error(built.error);
    const reference = new Set(members);
    for (let q = 0; q < 2000; q++) {
      const ip = near();
      expect(built.value.has(ip), ip).toBe(reference.has(ip));
    }
  });
});

describe("IpSet", () => {
  it("holds exact IPv4 and IPv6 addresses, whatever their text form", () => {
    const built = IpSet.build(["192.0.2.1", "192.0.2.1", "2001:db8::1", "::ffff:198.51.100.2", "0.0.0.0", "255.255.255.255"]);
    if (!built.ok) throw new Error(built.error);
    const set = built.value;
    expect(set.size).toBe(5);
    expect(["192.0.2.1", "2001:0DB8:0:0:0:0:0:1", "198.51.100.2", "0.0.0.0", "255.255.255.255"].every((ip) => set.has(ip))).toBe(true);
    expect(["192.0.2.2", "2001:db8::2", "::", "garbage"].some((ip) => set.has(ip))).toBe(false);
  });

  it("refuses a list with a non-address in it", () => {
    const built = IpSet.build(["192.0.2.1", "192.0.2.300"]);
    expect(built.ok ? null : built.error).toContain("192.0.2.300");
  });
});
