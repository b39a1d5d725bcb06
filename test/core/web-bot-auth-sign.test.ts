import { describe, expect, it } from "vitest";
import { signatureField, webBotAuthSigningInput } from "../../core/web-bot-auth/sign";
import { readWebBotAuthSignature } from "../../core/web-bot-auth/signature-input";
import { createSigner, signatureHeaders } from "../support/web-bot-auth-signer";

const URL_ = "https://site.test/articles/france";
const AGENT = "https://crawler.example";

async function signed(privateKey: CryptoKey, base: string): Promise<string> {
  return Buffer.from(await crypto.subtle.sign("Ed25519", privateKey, new TextEncoder().encode(base))).toString("base64");
}

describe("webBotAuthSigningInput (the sample crawler's signer)", () => {
  it("signs exactly what an independent RFC 9421 signer signs (Ed25519 is deterministic: same bytes)", async () => {
    const signer = await createSigner();
    const window = { createdS: 1_800_000_000, expiresS: 1_800_000_300, nonce: "bm9uY2U=" };
    const theirs = await signatureHeaders(signer, URL_, { agent: AGENT, covered: { "crawler-exact-price": "USD 0.01" }, ...window });
    const input = webBotAuthSigningInput(
      { method: "GET", url: URL_, headers: { "crawler-exact-price": "USD 0.01" } },
      { agent: AGENT, keyid: signer.thumbprint, covered: ["crawler-exact-price"], ...window },
    );
    if (!input.ok) throw new Error(input.error);
    expect(input.value.headers).toEqual({ "signature-agent": theirs["signature-agent"], "signature-input": theirs["signature-input"] });
    expect(signatureField(await signed(signer.privateKey, input.value.base))).toBe(theirs.signature);
  });

  it("produces a signature the verifier reads, covering the price header", async () => {
    const signer = await createSigner();
    const now = Date.now();
    const createdS = Math.floor(now / 1000);
    const request = { method: "GET", url: URL_, headers: { "crawler-max-price": "USD 0.50" } };
    const input = webBotAuthSigningInput(request, {
      agent: AGENT,
      keyid: signer.thumbprint,
      createdS,
      expiresS: createdS + 60,
      nonce: "n1",
      covered: ["crawler-max-price"],
    });
    if (!input.ok) throw new Error(input.error);
    const headers = {
      ...request.headers,
      ...input.value.headers,
      signature: signatureField(await signed(signer.privateKey, input.value.base)),
    };
    const read = readWebBotAuthSignature({ ...request, headers }, now);
    expect(read?.ok).toBe(true);
    if (read?.ok !== true) return;
    expect(read.value).toMatchObject({ keyid: signer.thumbprint, agentOrigin: AGENT, nonce: "n1", base: input.value.base });
    expect(read.value.covered).toContain("crawler-max-price");
    const key = await crypto.subtle.importKey("jwk", signer.jwk, { name: "Ed25519" }, false, ["verify"]);
    const bytes = Buffer.from(read.value.signature, "base64");
    expect(await crypto.subtle.verify("Ed25519", key, bytes, new TextEncoder().encode(read.value.base))).toBe(true);
  });

  it("refuses to cover a header the request does not carry", () => {
    const input = webBotAuthSigningInput(
      { method: "GET", url: URL_, headers: {} },
      { agent: AGENT, keyid: "k", createdS: 1, expiresS: 2, nonce: "n", covered: ["crawler-exact-price"] },
    );
    expect(input).toEqual({ ok: false, error: "missing_component" });
  });
});
