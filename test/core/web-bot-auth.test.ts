import { describe, expect, it } from "vitest";
import { parseDictionary, parseItem, parseList, serializeMember, type InnerList } from "../../core/structured-fields";
import { devDirectoryOrigins } from "../../core/web-bot-auth/dev-directories";
import {
  SIGNATURE_CLOCK_SKEW_S,
  SIGNATURE_MAX_LIFETIME_S,
  directoryOrigin,
  readWebBotAuthSignature,
  signatureBase,
  type SignedRequest,
} from "../../core/web-bot-auth/signature-input";

// RFC 9421 Appendix B.1.4 test key "test-key-ed25519" as a JWK (also examples/rfc9421-keys/ed25519.json in
// https://github.com/cloudflare/web-bot-auth). A public test key: never trust it in production.
const RFC_KEY = {
  kty: "OKP",
  crv: "Ed25519",
  x: "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs",
  d: "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU",
};

async function ed25519Verifies(signatureB64: string, base: string): Promise<boolean> {
  const key = await crypto.subtle.importKey("jwk", { kty: RFC_KEY.kty, crv: RFC_KEY.crv, x: RFC_KEY.x }, { name: "Ed25519" }, false, [
    "verify",
  ]);
  return crypto.subtle.verify("Ed25519", key, Buffer.from(signatureB64, "base64"), new TextEncoder().encode(base));
}

function innerList(field: string, label: string): InnerList {
  const member = parseDictionary(field)?.get(label);
  if (member?.kind !== "inner-list") throw new Error(`no inner list ${label} in ${field}`);
  return member;
}

describe("structured fields (RFC 8941)", () => {
  it("parses a Signature-Input dictionary of inner lists with parameters, and serialises it back", () => {
    const field =
      'sig1=("@authority" "signature-agent";key="agent1");created=1735689600;keyid="abc_-";tag="web-bot-auth", sig2=("@method");alg=token';
    const dict = parseDictionary(field);
    expect([...(dict?.keys() ?? [])]).toEqual(["sig1", "sig2"]);
    const sig1 = innerList(field, "sig1");
    expect(sig1.items.map((i) => i.value)).toEqual([
      { type: "string", value: "@authority" },
      { type: "string", value: "signature-agent" },
    ]);
    expect(sig1.items[1]?.params.get("key")).toEqual({ type: "string", value: "agent1" });
    expect(sig1.params.get("created")).toEqual({ type: "integer", value: 1735689600 });
    expect(innerList(field, "sig2").params.get("alg")).toEqual({ type: "token", value: "token" });
    expect(serializeMember(sig1)).toBe('("@authority" "signature-agent";key="agent1");created=1735689600;keyid="abc_-";tag="web-bot-auth"');
  });

  it("parses byte sequences, booleans, decimals, escapes and bare keys", () => {
    const dict = parseDictionary('a=:AQID:, b=?0, c=1.50, d="say \\"hi\\" \\\\", e;x');
    expect(dict?.get("a")).toMatchObject({ value: { type: "bytes", value: "AQID" } });
    expect(dict?.get("b")).toMatchObject({ value: { type: "boolean", value: false } });
    expect(dict?.get("c")).toMatchObject({ value: { type: "decimal", value: 1.5 } });
    expect(dict?.get("d")).toMatchObject({ value: { type: "string", value: 'say "hi" \\' } });
    expect(dict?.get("e")).toMatchObject({
      value: { type: "boolean", value: true },
      params: new Map([["x", { type: "boolean", value: true }]]),
    });
    expect([...(dict?.values() ?? [])].map(serializeMember)).toEqual([":AQID:", "?0", "1.5", '"say \\"hi\\" \\\\"', "?1;x"]);
  });

  it("keeps a repeated key in its first position with its last value", () => {
    expect([...(parseDictionary("a=1, b=2, a=3") ?? [])].map(([k, m]) => `${k}=${serializeMember(m)}`)).toEqual(["a=3", "b=2"]);
  });

  it("parses a Sec-CH-UA list", () => {
    const brands = parseList('"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"');
    expect(brands?.map(serializeMember)).toEqual(['"Google Chrome";v="131"', '"Chromium";v="131"', '"Not_A Brand";v="24"']);
    expect(parseItem('"https://signature-agent.test"')).toMatchObject({ value: { type: "string", value: "https://signature-agent.test" } });
  });

  it.each([
    ["a=1,", "trailing comma"],
    ['a="open', "unterminated string"],
    ["A=1", "upper-case key"],
    ["a=:AQ$D:", "bad byte sequence"],
    ['a=("x""y")', "items not separated"],
    ["a=1234567890123456", "16-digit integer"],
    ['a="tab\there"', "control character in string"],
    ["a=?2", "bad boolean"],
  ])("refuses %s (%s)", (field) => {
    expect(parseDictionary(field)).toBeNull();
  });
});

describe("RFC 9421 signature base", () => {
  // RFC 9421 Appendix B.2.6, "Signing a Request Using ed25519": https://www.rfc-editor.org/rfc/rfc9421#appendix-B.2.6
  const request: SignedRequest = {
    method: "POST",
    url: "https://example.com/foo?param=Value&Pet=dog",
    headers: { date: "Tue, 20 Apr 2021 02:07:55 GMT", "content-type": "application/json", "content-length": "18" },
  };
  const input =
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
  const signature = "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";
  const expectedBase = [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@method": POST',
    '"@path": /foo',
    '"@authority": example.com',
    '"content-type": application/json',
    '"content-length": 18',
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
  ].join("\n");

  it("matches the Appendix B.2.6 signature base byte for byte, and the RFC's signature verifies over it", async () => {
    const base = signatureBase(request, innerList(input, "sig-b26"));
    expect(base).toEqual({ ok: true, value: expectedBase });
    expect(await ed25519Verifies(signature, expectedBase)).toBe(true);
  });

  it("reproduces the RFC's signature (Ed25519 is deterministic)", async () => {
    const key = await crypto.subtle.importKey("jwk", RFC_KEY, { name: "Ed25519" }, false, ["sign"]);
    const signed = await crypto.subtle.sign("Ed25519", key, new TextEncoder().encode(expectedBase));
    expect(Buffer.from(signed).toString("base64")).toBe(signature);
  });

  it("derives @target-uri, @query, @scheme and @request-target, and normalises @authority", () => {
    const list = innerList('s=("@target-uri" "@query" "@scheme" "@request-target" "@authority")', "s");
    const base = signatureBase({ method: "GET", url: "https://Example.COM:443/a%20b?x=1", headers: {} }, list);
    expect(base.ok && base.value.split("\n").slice(0, 5)).toEqual([
      '"@target-uri": https://Example.COM:443/a%20b?x=1',
      '"@query": ?x=1',
      '"@scheme": https',
      '"@request-target": /a%20b?x=1',
      '"@authority": example.com',
    ]);
    expect(
      signatureBase({ method: "GET", url: "http://h.test:8080", headers: {} }, innerList('s=("@authority" "@path" "@query")', "s")),
    ).toMatchObject({
      value: expect.stringMatching(/^"@authority": h\.test:8080\n"@path": \/\n"@query": \?\n/),
    });
  });

  it.each([
    ['s=("x-missing")', "missing_component"],
    ['s=("@status")', "unsupported_component"],
    ['s=("@authority";req)', "unsupported_component"],
    ['s=("date";sf)', "unsupported_component"],
    ['s=("date" "date")', "duplicate_component"],
  ])("refuses %s with %s", (field, error) => {
    expect(signatureBase(request, innerList(field, "s"))).toEqual({ ok: false, error });
  });
});

describe("readWebBotAuthSignature", () => {
  // Ed25519 vector with a dictionary Signature-Agent, from web_bot_auth_architecture_v2.json in
  // https://github.com/cloudflare/web-bot-auth (packages/web-bot-auth/test/test_data).
  const KEYID = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U";
  const NONCE = "n9p433xm+NJ3ph3upfBIGmsuwHw387YV7Q/F+6BSpGCVjYCqQw6rznNA8PVVLySrAWsv0hQtFioQb6E1YsauiA==";
  const CREATED = 1735689600;
  // The vector's own window runs for a century (expires=4889289600): longer than the 24 h the protocol allows.
  const VECTOR_INPUT = `sig2=("@authority" "signature-agent";key="agent2");created=${CREATED};keyid="${KEYID}";alg="ed25519";expires=4889289600;nonce="${NONCE}";tag="web-bot-auth"`;
  const SIGNATURE = "RdNFx5Bj6au3YgAMQL/RzmUlZE8QZLIaXGRpw985hWnwPfMxT228NMk6ehRS1PSl4e8PhbNZACSanGdhEwYCCg==";
  /** The vector with a one-hour window (its signature no longer verifies; only the checks before crypto run here). */
  const INPUT = VECTOR_INPUT.replace("expires=4889289600", `expires=${CREATED + 3600}`);
  const NOW_MS = (CREATED + 60) * 1000;
  const signed = (headers: Record<string, string> = {}, url = "https://example.com/path/to/resource"): SignedRequest => ({
    method: "GET",
    url,
    headers: {
      "signature-input": INPUT,
      signature: `sig2=:${SIGNATURE}:`,
      "signature-agent": 'agent2="https://signature-agent.test"',
      ...headers,
    },
  });
  const withParams = (params: string) => signed({ "signature-input": INPUT.replace(/;created=.*$/, params) });

  it("builds the base the test vector's signature verifies over, and refuses the vector's century-long window", async () => {
    const request = signed({ "signature-input": VECTOR_INPUT });
    const base = signatureBase(request, innerList(VECTOR_INPUT, "sig2"));
    expect(base).toEqual({
      ok: true,
      value: `"@authority": example.com\n"signature-agent";key="agent2": "https://signature-agent.test"\n"@signature-params": ${VECTOR_INPUT.slice(5)}`,
    });
    expect(await ed25519Verifies(SIGNATURE, base.ok ? base.value : "")).toBe(true);
    // Another authority gives another base, so the same signature no longer verifies.
    const moved = signatureBase({ ...request, url: "https://elsewhere.example/path/to/resource" }, innerList(VECTOR_INPUT, "sig2"));
    expect(await ed25519Verifies(SIGNATURE, moved.ok ? moved.value : "")).toBe(false);
    expect(readWebBotAuthSignature(request, NOW_MS)).toEqual({ ok: false, error: "lifetime_too_long" });
  });

  it("accepts a signature with a window of at most 24 hours and reads its parts", () => {
    const result = readWebBotAuthSignature(signed(), NOW_MS);
    expect(result).toMatchObject({
      ok: true,
      value: { label: "sig2", keyid: KEYID, agentOrigin: "https://signature-agent.test", signature: SIGNATURE, createdS: CREATED },
    });
    const day = withParams(`;created=${CREATED};keyid="${KEYID}";expires=${CREATED + SIGNATURE_MAX_LIFETIME_S};tag="web-bot-auth"`);
    expect(readWebBotAuthSignature(day, NOW_MS)).toMatchObject({ ok: true });
  });

  it("ignores unsigned requests and signatures without the web-bot-auth tag", () => {
    expect(readWebBotAuthSignature({ method: "GET", url: "https://example.com/", headers: {} }, NOW_MS)).toBeNull();
    expect(readWebBotAuthSignature(signed({ "signature-input": INPUT.replace("web-bot-auth", "other") }), NOW_MS)).toBeNull();
    expect(readWebBotAuthSignature(signed({ "signature-input": INPUT.replace(';tag="web-bot-auth"', "") }), NOW_MS)).toBeNull();
  });

  it("allows a little clock skew on created, not more", () => {
    const future = (aheadS: number) =>
      withParams(`;created=${CREATED + 60 + aheadS};keyid="${KEYID}";expires=${CREATED + 3600};tag="web-bot-auth"`);
    expect(readWebBotAuthSignature(future(SIGNATURE_CLOCK_SKEW_S - 5), NOW_MS)).toMatchObject({ ok: true });
    expect(readWebBotAuthSignature(future(SIGNATURE_CLOCK_SKEW_S + 5), NOW_MS)).toEqual({ ok: false, error: "not_yet_valid" });
  });

  it.each([
    [{ "signature-input": INPUT.replace(`expires=${CREATED + 3600}`, `expires=${CREATED + 30}`) }, "expired"],
    [{ "signature-input": INPUT.replace(`created=${CREATED}`, "created=4000000000") }, "not_yet_valid"],
    [
      { "signature-input": INPUT.replace(`expires=${CREATED + 3600}`, `expires=${CREATED + SIGNATURE_MAX_LIFETIME_S + 1}`) },
      "lifetime_too_long",
    ],
    [{ "signature-input": INPUT.replace(`expires=${CREATED + 3600}`, `expires=${CREATED + 7 * 86_400}`) }, "lifetime_too_long"],
    [
      {
        "signature-input": INPUT.replace(`created=${CREATED}`, `created=${CREATED + 90}`).replace(
          `expires=${CREATED + 3600}`,
          `expires=${CREATED + 70}`,
        ),
      },
      "inverted_window",
    ],
    [{ "signature-input": INPUT.replace(`created=${CREATED};`, "") }, "missing_created"],
    [{ "signature-input": INPUT.replace(/keyid="[^"]*";/, "") }, "missing_keyid"],
    [{ "signature-input": INPUT.replace(/expires=\d+;/, "") }, "missing_expires"],
    [{ "signature-input": INPUT.replace('alg="ed25519"', 'alg="rsa-pss-sha512"') }, "unsupported_alg"],
    [{ "signature-input": INPUT.replace('"@authority" ', "") }, "authority_not_covered"],
    [{ "signature-input": INPUT.replace(' "signature-agent";key="agent2"', "") }, "agent_not_covered"],
    [{ "signature-input": 'sig2=("@authority"' }, "malformed_signature_headers"],
    [{ "signature-input": "\u0000garbage=;;" }, "malformed_signature_headers"],
    [{ signature: "sig1=:AAAA:" }, "missing_signature"],
    [{ signature: "sig2=:not base64:" }, "malformed_signature_headers"],
    [{ signature: "sig2=12" }, "missing_signature"],
    [{ "signature-agent": 'agent2="http://signature-agent.test"' }, "unsupported_agent"],
    [{ "signature-agent": 'agent2="https://signature-agent.test/jwks.json";type=jwks_uri' }, "unsupported_agent"],
    [{ "signature-agent": 'agent1="https://signature-agent.test"' }, "missing_signature_agent"],
    [{ "signature-agent": "agent2=https" }, "unsupported_agent"],
    [{ "signature-agent": 'agent2="http://127.0.0.1:8788"' }, "unsupported_agent"],
  ])("refuses %o with %s", (headers, error) => {
    expect(readWebBotAuthSignature(signed(headers), NOW_MS)).toEqual({ ok: false, error });
  });

  it("refuses a signed request without Signature-Agent", () => {
    const { "signature-agent": _, ...headers } = signed().headers;
    expect(readWebBotAuthSignature({ ...signed(), headers }, NOW_MS)).toEqual({ ok: false, error: "missing_signature_agent" });
  });

  it("accepts the legacy bare-String Signature-Agent when the whole field is covered", () => {
    const input = INPUT.replace(';key="agent2"', "");
    const result = readWebBotAuthSignature(
      signed({ "signature-input": input, "signature-agent": '"https://signature-agent.test"' }),
      NOW_MS,
    );
    expect(result).toMatchObject({ ok: true, value: { agentOrigin: "https://signature-agent.test" } });
  });

  it("accepts a loopback http directory only when the dev allow-list names it", () => {
    const request = signed({ "signature-agent": 'agent2="http://127.0.0.1:8788"' });
    const dev = devDirectoryOrigins("http://127.0.0.1:8788, http://localhost:9000", true);
    expect(readWebBotAuthSignature(request, NOW_MS, { devDirectoryOrigins: dev })).toMatchObject({
      ok: true,
      value: { agentOrigin: "http://127.0.0.1:8788" },
    });
    const other = devDirectoryOrigins("http://127.0.0.1:9999", true);
    expect(readWebBotAuthSignature(request, NOW_MS, { devDirectoryOrigins: other })).toEqual({ ok: false, error: "unsupported_agent" });
    const https = signed({ "signature-agent": 'agent2="https://127.0.0.1:8788"' });
    expect(readWebBotAuthSignature(https, NOW_MS, { devDirectoryOrigins: dev })).toEqual({ ok: false, error: "unsupported_agent" });
  });
});

describe("devDirectoryOrigins", () => {
  it("is empty outside dev mode, whatever the variable says", () => {
    expect(devDirectoryOrigins("http://127.0.0.1:8788", false).size).toBe(0);
  });

  it("keeps loopback http origins, normalised, and drops everything else", () => {
    const origins = devDirectoryOrigins(
      "http://127.0.0.1:8788/ http://LOCALHOST:9000,http://[::1]:7000 http://10.0.0.1:80 https://bot.example http://127.0.0.1 http://127.0.0.1:0",
      true,
    );
    expect([...origins]).toEqual(["http://127.0.0.1:8788", "http://localhost:9000", "http://[::1]:7000"]);
  });
});

describe("directoryOrigin", () => {
  it.each([
    ["https://signature-agent.test", "https://signature-agent.test"],
    ["https://Bot.Example.com/", "https://bot.example.com"],
    ["https://bot.example.com:443", "https://bot.example.com"],
    ["https://bot.example.com:8443", "https://bot.example.com:8443"],
  ])("takes %s as %s", (value, origin) => {
    expect(directoryOrigin(value)).toBe(origin);
  });

  it.each([
    "http://bot.example.com",
    "https://bot.example.com/keys",
    "https://bot.example.com?x",
    "https://user@bot.example.com",
    "https://localhost",
    "https://api.localhost",
    "https://127.0.0.1",
    "https://10.0.0.1:8443",
    "https://0x7f.1",
    "https://[::1]",
    "https://intranet",
  ])("refuses %s", (value) => {
    expect(directoryOrigin(value)).toBeNull();
  });
});
