import { describe, expect, it } from "vitest";
import { parseBlocklistEntry } from "../../core/blocklist-entry";
import { kvKeys } from "../../core/kv-keys";
import { escalationBlock, finalVerdict, isGoodBot } from "../../core/escalation-verdict";
import { groupByPrefix, isSpecialPurpose, prefixBlockEntry, prefixesToBlock } from "../../core/prefix-block";

/** A report in which the edge saw something bot-like (a positive-weight reason): the evidence a block needs. */
const plain = { reasons: [{ code: "hdr-browser-no-sec-fetch", weight: 25 }], signals: [] };
const clean = { reasons: [], signals: [] };
const llm = (verdict: "bot" | "human" | "unsure", confidence: number) => ({ verdict, confidence, rationale: "r" });

describe("finalVerdict", () => {
  it("follows the score without an LLM answer, or with an unsure or unconfident one", () => {
    expect(finalVerdict(plain, 0.95, 0.9, null, 0.8)).toBe("bot");
    expect(finalVerdict(plain, 0.6, 0.9, llm("unsure", 1), 0.8)).toBe("unsure");
    expect(finalVerdict(plain, 0.6, 0.9, llm("bot", 0.7), 0.8)).toBe("unsure");
  });

  it("never blocks on a score alone: a request the edge found clean is unsure at most", () => {
    expect(finalVerdict(clean, 0.99, 0.9, null, 0.8)).toBe("unsure");
    expect(finalVerdict(clean, 0.6, 0.9, llm("bot", 1), 0.8)).toBe("unsure");
    expect(finalVerdict({ ...clean, label: { kind: "robots-violation", value: "bot" } }, 0.99, 0.9, null, 0.8)).toBe("bot");
    expect(finalVerdict({ ...clean, label: { kind: "tarpit-hop-out", value: "bot" } }, 0.99, 0.9, null, 0.8)).toBe("bot");
  });

  it("never blocks a declared feed reader, link preview or bot for saying what it is: only for what it did", () => {
    // Found by the load run: the model scores a feed reader's poll 0.98, and its +5 declaration counted as evidence.
    for (const code of ["ua-feed-reader", "ua-link-preview", "ua-declared-bot"] as const) {
      const declared = { ...clean, reasons: [{ code, weight: 5, detail: "NetNewsWire" }] };
      expect(finalVerdict(declared, 0.98, 0.9, null, 0.8), code).toBe("unsure");
      const overBudget = {
        ...clean,
        reasons: [
          { code, weight: 5 },
          { code: "bot-over-budget", weight: 40 },
        ],
      };
      expect(finalVerdict(overBudget, 0.98, 0.9, null, 0.8), code).toBe("bot");
    }
  });

  it("never blocks on the trap alone: a honeypot label and its consequences keep a client in the labyrinth", () => {
    const trapOnly = [
      { code: "trap-path", weight: 60 },
      { code: "honeypot-own", weight: 40 },
      { code: "honeypot-hit", weight: 100, detail: "honeypot" },
      { code: "honeypot-foreign", weight: 20 },
      { code: "tarpit-visitor", weight: 30 },
      { code: "rule:honeypot", weight: 0, detail: "tarpit" },
    ];
    const labelled = { reasons: trapOnly, signals: [], label: { kind: "honeypot" as const, value: "bot" as const } };
    expect(finalVerdict(labelled, 0.99, 0.9, null, 0.8)).toBe("unsure");
    expect(finalVerdict(labelled, 0.99, 0.9, llm("bot", 1), 0.8)).toBe("unsure");
    expect(finalVerdict({ reasons: trapOnly, signals: [] }, 0.99, 0.9, null, 0.8)).toBe("unsure");
    // Another bot reason on top of the trap: now a block may follow.
    expect(finalVerdict({ ...labelled, reasons: [...trapOnly, { code: "rate-ip-burst", weight: 80 }] }, 0.99, 0.9, null, 0.8)).toBe("bot");
    expect(finalVerdict({ ...labelled, reasons: [...trapOnly, { code: "ua-scripted", weight: 30 }] }, 0.95, 0.9, null, 0.8)).toBe("bot");
  });

  it("never blocks on where a request comes from or what its group did: a person on a VPN or in a flagged browser group", () => {
    const context = {
      reasons: [
        { code: "asn-datacenter", weight: 15 },
        { code: "browser-from-datacenter", weight: 25 },
        { code: "fleet", weight: 40 },
      ],
      signals: [],
    };
    expect(finalVerdict(context, 0.99, 0.9, null, 0.8)).toBe("unsure");
    expect(finalVerdict({ ...context, reasons: [...context.reasons, { code: "no-subresources", weight: 35 }] }, 0.99, 0.9, null, 0.8)).toBe(
      "bot",
    );
  });

  it("takes a solved challenge over any score", () => {
    expect(finalVerdict({ ...plain, label: { kind: "challenge-solved", value: "human" } }, 0.99, 0.9, llm("bot", 1), 0.8)).toBe("human");
  });

  it("takes a confident LLM answer either way", () => {
    expect(finalVerdict(plain, 0.6, 0.9, llm("bot", 0.9), 0.8)).toBe("bot");
    expect(finalVerdict(plain, 0.6, 0.9, llm("human", 0.9), 0.8)).toBe("human");
  });

  it("never calls a verified crawler or a good-bot label a bot", () => {
    expect(isGoodBot({ reasons: [], signals: ["verified-crawler"] })).toBe(true);
    expect(isGoodBot({ reasons: [], label: { kind: "verified-crawler", value: "good-bot" } })).toBe(true);
    expect(finalVerdict({ reasons: [], signals: ["verified-crawler"] }, 0.99, 0.9, llm("bot", 1), 0.8)).toBe("good-bot");
  });
});

describe("blocklist entries", () => {
  it("say what decided, in the shape the edge parses", () => {
    const entry = escalationBlock(
      { score: 0.72, source: "model", version: "lr-abc", llm: { model: "openai:gpt-4o-mini", confidence: 0.91 } },
      5,
    );
    expect(entry.reason).toBe("model lr-abc scored 0.720; LLM openai:gpt-4o-mini said bot (0.91)");
    expect(parseBlocklistEntry(JSON.stringify(entry))).toEqual(entry);
    const prefix = prefixBlockEntry("45.12.34.0/24", 6, 600_000, 7);
    expect(parseBlocklistEntry(JSON.stringify(prefix))).toMatchObject({
      action: "block",
      source: "escalation",
      reason: "6 bot IPs in 45.12.34.0/24 within 10 min",
    });
    expect(kvKeys.cidr("45.12.34.0/24")).toBe("cidr:45.12.34.0/24");
  });
});

describe("prefix blocks", () => {
  const ips = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}.${i + 10}`);

  it("blocks a /24 or /64 with enough distinct bot IPs, and nothing else", () => {
    const groups = groupByPrefix([...ips("45.12.34", 5), ...ips("45.12.35", 4), "2a01:4f8:1:2::a", "2a01:4f8:1:2::b", "not an ip"]);
    expect(groups.get("45.12.34.0/24")?.size).toBe(5);
    expect(prefixesToBlock(groups, 5)).toEqual(["45.12.34.0/24"]);
    expect(prefixesToBlock(groups, 2)).toEqual(["2a01:04f8:0001:0002:0000:0000:0000:0000/64", "45.12.34.0/24", "45.12.35.0/24"]);
  });

  it.each([
    "10.1.2.0",
    "192.168.1.0",
    "127.0.0.0",
    "100.64.3.0",
    "203.0.113.0",
    "198.51.100.0",
    "169.254.9.0",
    "fd00::",
    "fe80::",
    "2001:db8::",
    "::1",
  ])("never blocks the special-purpose network of %s", (ip) => {
    expect(isSpecialPurpose(ip)).toBe(true);
    const groups = groupByPrefix(
      Array.from({ length: 10 }, (_, i) => (ip.includes(":") ? `${ip.replace(/::?1?$/, "")}::${i + 2}` : ip.replace(/\.0$/, `.${i + 2}`))),
    );
    expect(prefixesToBlock(groups, 2)).toEqual([]);
  });

  it("treats public addresses as blockable", () => {
    expect(isSpecialPurpose("45.12.34.7")).toBe(false);
    expect(isSpecialPurpose("2a01:4f8::1")).toBe(false);
  });
});
