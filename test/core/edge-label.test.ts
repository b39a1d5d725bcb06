import { describe, expect, it } from "vitest";
import type { Reason } from "../../core/verdict";
import { declaresBot } from "../../core/crawlers";
import { edgeLabel } from "../../core/edge-label";

describe("edgeLabel", () => {
  it("labels a first step into the labyrinth through the client's own hidden link a bot, but not a client already labelled", () => {
    const own: Reason[] = [
      { code: "trap-path", weight: 60 },
      { code: "honeypot-own", weight: 40 },
    ];
    expect(edgeLabel("/archive/x/index.html", false, "tarpit", own)).toEqual({ kind: "honeypot", value: "bot" });
    expect(edgeLabel("/archive/x/index.html", true, "tarpit", own)).toBeUndefined();
    expect(edgeLabel("/archive/x/index.html", false, "allow", own)).toBeUndefined();
    expect(edgeLabel("/articles/x", false, "tarpit", [])).toBeUndefined();
  });

  it("labels nobody for a guessed, stale or someone else's trap link", () => {
    expect(edgeLabel("/archive/x/index.html", false, "tarpit", [{ code: "trap-path", weight: 60 }])).toBeUndefined();
    expect(
      edgeLabel("/archive/x/index.html", false, "tarpit", [
        { code: "trap-path", weight: 60 },
        { code: "honeypot-foreign", weight: 20 },
      ]),
    ).toBeUndefined();
  });

  it("labels verified crawlers good bots and robots.txt violators bots, never from a score", () => {
    expect(edgeLabel("/", false, "allow", [{ code: "verified-crawler", weight: -100 }])).toEqual({
      kind: "verified-crawler",
      value: "good-bot",
    });
    expect(edgeLabel("/", false, "allow", [{ code: "web-bot-auth", weight: -100 }])?.value).toBe("good-bot");
    expect(edgeLabel("/x", false, "challenge", [{ code: "robots-violation", weight: 50 }])).toEqual({
      kind: "robots-violation",
      value: "bot",
    });
    expect(edgeLabel("/x", false, "block", [{ code: "rate-ip-burst", weight: 80 }])).toBeUndefined();
  });
});

describe("declaresBot", () => {
  it("holds declared crawlers to robots.txt, not browsers or bare libraries", () => {
    expect(declaresBot("Mozilla/5.0 (compatible; SomeBot/1.0)")).toBe(true);
    expect(declaresBot("ia_archiver")).toBe(true);
    expect(declaresBot("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36")).toBe(false);
    expect(declaresBot("curl/8.5.0")).toBe(false);
  });
});
