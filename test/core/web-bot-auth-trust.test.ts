import { describe, expect, it } from "vitest";
import { factsOf } from "../support/request-facts";
import { edgeLabel } from "../../core/edge-label";
import { finalVerdict, isGoodBot } from "../../core/escalation-verdict";
import { compilePolicy, type CompiledPolicy } from "../../core/policy/compile";
import { evaluatePolicy } from "../../core/policy/evaluate";
import type { RequestFacts } from "../../core/request-facts";
import type { Reason } from "../../core/verdict";
import { BUNDLED_TRUSTED_SIGNERS, trustedSignerName } from "../../core/web-bot-auth/trust";

const THUMB_A = "A".repeat(43);
const THUMB_B = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";

function compiled(input: unknown): CompiledPolicy {
  const result = compilePolicy(input);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}
const facts = (): RequestFacts => factsOf({ path: "/articles/x" });
const trusted: Reason = { code: "web-bot-auth", weight: -100, detail: "signer" };
const unknown: Reason = { code: "web-bot-auth-unknown", weight: 50, detail: "https://scraper.example" };

describe("trusted Web Bot Auth signers", () => {
  it("trusts only the bundled signers by default", () => {
    const policy = compiled({ version: 1 });
    expect(BUNDLED_TRUSTED_SIGNERS.length).toBeGreaterThan(0);
    expect(trustedSignerName(policy.webBotAuth, "https://chatgpt.com", THUMB_A)).toBe("chatgpt-agent");
    expect(trustedSignerName(policy.webBotAuth, "https://scraper.example", THUMB_A)).toBeNull();
  });

  it("trusts a signer by directory origin (normalised) or by key thumbprint, under the operator's name", () => {
    const policy = compiled({
      version: 1,
      webBotAuth: { trustedSigners: [{ origin: "https://Signer.Example/", name: "partner" }, { thumbprint: THUMB_B }] },
    });
    expect(trustedSignerName(policy.webBotAuth, "https://signer.example", THUMB_A)).toBe("partner");
    expect(trustedSignerName(policy.webBotAuth, "https://signer.example:8443", THUMB_A)).toBeNull();
    // A trusted key is trusted whichever directory lists it; another key from an unknown directory is not.
    expect(trustedSignerName(policy.webBotAuth, "https://elsewhere.example", THUMB_B)).toBe(THUMB_B);
    expect(trustedSignerName(policy.webBotAuth, "https://elsewhere.example", THUMB_A)).toBeNull();
    expect(trustedSignerName(policy.webBotAuth, "https://chatgpt.com", THUMB_A)).toBe("chatgpt-agent");
  });

  it("lets the operator drop the bundled list", () => {
    const policy = compiled({ version: 1, webBotAuth: { bundledSigners: false, trustedSigners: [{ origin: "https://signer.example" }] } });
    expect(trustedSignerName(policy.webBotAuth, "https://chatgpt.com", THUMB_A)).toBeNull();
    expect(trustedSignerName(policy.webBotAuth, "https://signer.example", THUMB_A)).toBe("https://signer.example");
  });

  it("accepts a loopback http origin (reachable only through the dev-only setting)", () => {
    const policy = compiled({ version: 1, webBotAuth: { trustedSigners: [{ origin: "http://127.0.0.1:8788" }] } });
    expect(trustedSignerName(policy.webBotAuth, "http://127.0.0.1:8788", THUMB_A)).toBe("http://127.0.0.1:8788");
  });

  it.each([
    [{ origin: "http://signer.example" }, "webBotAuth.trustedSigners[0]"],
    [{ origin: "https://signer.example/keys" }, "webBotAuth.trustedSigners[0]"],
    [{ origin: "https://10.0.0.1" }, "webBotAuth.trustedSigners[0]"],
    [{ thumbprint: "short" }, "webBotAuth.trustedSigners[0]"],
    [{ origin: "https://signer.example", thumbprint: THUMB_A }, "webBotAuth.trustedSigners[0]"],
    [{ name: "nobody" }, "webBotAuth.trustedSigners[0]"],
  ])("refuses the signer entry %o", (entry, path) => {
    const result = compilePolicy({ version: 1, webBotAuth: { trustedSigners: [entry] } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(path);
  });
});

describe("a signature proves who, not welcome", () => {
  it("allows a trusted signer and tarpits an unknown one through the preset rules", () => {
    const policy = compiled({ version: 1 });
    const botLike: Reason = { code: "hdr-browser-no-sec-fetch", weight: 100 };
    expect(evaluatePolicy(policy, facts(), [trusted, botLike])).toMatchObject({ action: "allow", decidedBy: "trusted-signers" });
    expect(evaluatePolicy(policy, facts(), [unknown])).toMatchObject({ action: "tarpit", decidedBy: "identified-bots" });
    expect(evaluatePolicy(policy, facts(), [{ code: "verified-crawler", weight: -100 }])).toMatchObject({
      action: "allow",
      decidedBy: "verified-crawlers",
    });
  });

  it("lets an operator rule decide for unknown signers before the preset", () => {
    const policy = compiled({
      version: 1,
      rules: [{ name: "let-signed-bots-in", match: { signal: ["web-bot-auth-unknown"] }, action: "challenge" }],
    });
    expect(evaluatePolicy(policy, facts(), [unknown])).toMatchObject({ action: "challenge", decidedBy: "let-signed-bots-in" });
  });

  it("labels only a trusted signer a good bot", () => {
    expect(edgeLabel("/articles/x", false, "allow", [trusted])?.value).toBe("good-bot");
    expect(edgeLabel("/articles/x", false, "tarpit", [unknown])).toBeUndefined();
  });

  it("lets escalation block an unknown signer, never a trusted one", () => {
    const report = { reasons: [unknown], signals: ["web-bot-auth-unknown"] };
    expect(isGoodBot(report)).toBe(false);
    expect(finalVerdict(report, 0.95, 0.9, null, 0.8)).toBe("bot");
    const good = { reasons: [trusted], signals: ["web-bot-auth"], label: edgeLabel("/", false, "allow", [trusted]) };
    expect(finalVerdict(good, 0.95, 0.9, null, 0.8)).toBe("good-bot");
  });
});
