import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  difficultyFor,
  leadingZeroBits,
  MAX_POW_BITS,
  MEMORY_MAX_ENTRIES,
  meetsDifficulty,
  MIN_POW_BITS,
  nojsWaitLeftMs,
  NonceLedger,
  PassClaimsSchema,
  passPrefix,
  powInput,
  RecentEvents,
  safeReturnPath,
  TICKET_AUDIENCE,
  TicketClaimsSchema,
} from "../../core/challenge";
import { parseIp, type ClientIp } from "../../core/client-ip";
import { POW_WORKER_JS } from "../../workers/edge-guard/challenge-assets";

const ip = (text: string): ClientIp => {
  const parsed = parseIp(text);
  if (parsed === null) throw new Error(`not an IP: ${text}`);
  return parsed;
};

describe("difficultyFor", () => {
  const band = { challenge: 20, tarpit: 50 };

  it("asks the least work at the challenge threshold and the most at the tarpit threshold", () => {
    expect(difficultyFor(20, band)).toBe(MIN_POW_BITS);
    expect(difficultyFor(-5, band)).toBe(MIN_POW_BITS);
    expect(difficultyFor(50, band)).toBe(MAX_POW_BITS);
    expect(difficultyFor(10_000, band)).toBe(MAX_POW_BITS);
    expect(difficultyFor(35, band)).toBe(17);
  });

  it("rises with the score and stays within 14-20 bits, even for odd inputs", () => {
    const bits = [20, 25, 30, 35, 40, 45, 50].map((s) => difficultyFor(s, band));
    expect(bits).toEqual([...bits].sort((a, b) => a - b));
    for (const score of [Number.NaN, Infinity, -Infinity]) {
      expect(difficultyFor(score, band)).toBeGreaterThanOrEqual(MIN_POW_BITS);
      expect(difficultyFor(score, band)).toBeLessThanOrEqual(MAX_POW_BITS);
    }
    expect(difficultyFor(30, { challenge: 40, tarpit: 40 })).toBe(MIN_POW_BITS);
    expect(difficultyFor(41, { challenge: 40, tarpit: 40 })).toBe(MAX_POW_BITS);
  });
});

describe("passPrefix", () => {
  it.each([
    ["192.0.2.77", "192.0.2.0/24"],
    ["10.1.2.3", "10.1.2.0/24"],
    ["2001:db8:1:2:3:4:5:6", "2001:0db8:0001:0002::/64"],
    ["2001:db8::1", "2001:0db8:0000:0000::/64"],
    ["::ffff:192.0.2.77", "192.0.2.0/24"],
  ])("binds %s to %s", (address, prefix) => {
    expect(passPrefix(ip(address))).toBe(prefix);
  });

  it("gives neighbours the same prefix and the next network another", () => {
    expect(passPrefix(ip("198.51.100.1"))).toBe(passPrefix(ip("198.51.100.254")));
    expect(passPrefix(ip("198.51.100.1"))).not.toBe(passPrefix(ip("198.51.101.1")));
    expect(passPrefix(ip("2001:db8:0:1::1"))).not.toBe(passPrefix(ip("2001:db8:0:2::1")));
  });
});

describe("leadingZeroBits / meetsDifficulty", () => {
  it.each([
    [[0x80, 0], 0],
    [[0x01, 0xff], 7],
    [[0x00, 0x40], 9],
    [[0x00, 0x00, 0x0f], 20],
    [[0, 0, 0, 0], 32],
  ])("counts %j as %d zero bits", (bytes, bits) => {
    const digest = new Uint8Array(bytes);
    expect(leadingZeroBits(digest)).toBe(bits);
    expect(meetsDifficulty(digest, bits)).toBe(true);
    expect(meetsDifficulty(digest, bits + 1)).toBe(false);
  });
});

describe("safeReturnPath", () => {
  it.each(["/", "/articles/x?page=2", "/search?q=a%20b", "/a/b#top"])("keeps %j", (path) => {
    expect(safeReturnPath(path)).toBe(path);
  });

  it.each([
    "",
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/",
    "evil",
    "/\t/evil.example",
    "/a b",
    "/\n",
    `/${"a".repeat(2048)}`,
  ])("turns %j into /", (path) => {
    expect(safeReturnPath(path)).toBe("/");
  });
});

describe("claims", () => {
  const ticket = {
    aud: TICKET_AUDIENCE,
    n: "abcdefghijklmnopqrstuv",
    d: 16,
    r: "/",
    b: "AAAAAAAAAAAAAAAAAAAAAA",
    m: "pow",
    iat: 1,
    exp: 301,
  };

  it("accepts a well-formed ticket and refuses a pass presented as a ticket", () => {
    expect(TicketClaimsSchema.safeParse(ticket).success).toBe(true);
    expect(TicketClaimsSchema.safeParse({ ...ticket, d: 99 }).success).toBe(false);
    expect(TicketClaimsSchema.safeParse({ ...ticket, n: "short" }).success).toBe(false);
    expect(PassClaimsSchema.safeParse({ ...ticket, m: "nojs" }).success).toBe(false);
  });
});

describe("nojsWaitLeftMs", () => {
  it("counts down from the ticket's issue time", () => {
    expect(nojsWaitLeftMs(1000, 1_000_000, 5000)).toBe(5000);
    expect(nojsWaitLeftMs(1000, 1_003_000, 5000)).toBe(2000);
    expect(nojsWaitLeftMs(1000, 1_009_000, 5000)).toBe(0);
  });
});

describe("NonceLedger", () => {
  it("spends a nonce once until it expires, and stays bounded", () => {
    const ledger = new NonceLedger();
    expect(ledger.use("n1", 10_000, 0)).toBe(true);
    expect(ledger.use("n1", 10_000, 5_000)).toBe(false);
    expect(ledger.use("n2", 10_000, 5_000)).toBe(true);
    expect(ledger.use("n1", 20_000, 10_001)).toBe(true); // expired tickets are refused by their signature check anyway
    for (let i = 0; i < MEMORY_MAX_ENTRIES + 10; i++) ledger.use(`x${i}`, 1e12, 0);
    expect(ledger.use("n2", 10_000, 5_000)).toBe(true); // the oldest were forgotten
  });
});

describe("RecentEvents", () => {
  it("allows `limit` events per window per key", () => {
    const events = new RecentEvents(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(events.allows("a", 1000 + i)).toBe(true);
      events.record("a", 1000 + i);
    }
    expect(events.allows("a", 2000)).toBe(false);
    expect(events.allows("b", 2000)).toBe(true);
    expect(events.allows("a", 61_001)).toBe(true);
  });
});

describe("the page's proof-of-work script", () => {
  // The Web Worker's own SHA-256 must agree with a real one; run it here with a stand-in `self`.
  function solver(): (nonce: string, bits: number, start: number, step: number) => number {
    let answer = -1;
    const self: { onmessage?: (event: { data: unknown }) => void; postMessage(message: { counter: number }): void } = {
      postMessage: (message) => {
        answer = message.counter;
      },
    };
    new Function("self", POW_WORKER_JS)(self);
    return (nonce, bits, start, step) => {
      self.onmessage?.({ data: { nonce, bits, start, step } });
      return answer;
    };
  }

  it("finds a counter whose SHA-256 has the asked leading zero bits", () => {
    const solve = solver();
    for (const [nonce, bits] of [
      ["abcdefghijklmnopqrstuv", 12],
      ["Zm9vYmFyYmF6cXV4LXRlc3Q", 14],
      ["_-_-_-_-_-_-_-_-_-_-_-", 10],
    ] as const) {
      const counter = solve(nonce, bits, 0, 1);
      const digest = createHash("sha256")
        .update(powInput(nonce, String(counter)))
        .digest();
      expect(leadingZeroBits(new Uint8Array(digest))).toBeGreaterThanOrEqual(bits);
      // And it is the first such counter: every earlier one falls short.
      for (let c = Math.max(0, counter - 50); c < counter; c++) {
        const earlier = createHash("sha256")
          .update(powInput(nonce, String(c)))
          .digest();
        expect(leadingZeroBits(new Uint8Array(earlier))).toBeLessThan(bits);
      }
    }
  });

  it("searches only its own stride when the work is split between workers", () => {
    const counter = solver()("abcdefghijklmnopqrstuv", 12, 2, 4);
    expect(counter % 4).toBe(2);
  });
});
