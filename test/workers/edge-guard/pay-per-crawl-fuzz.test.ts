import { env as rawEnv, exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { PAY_ERRORS, parsePrice, type PayError } from "../../../core/pay-per-crawl";
import { isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { DIRECTORY_TTL_MS } from "../../../workers/edge-guard/web-bot-auth";
import { fuzzRuns } from "../../support/fuzz-runs";
import { createSigner, signatureHeaders, type TestSigner } from "../../support/web-bot-auth-signer";

// Bad input to the pay-per-crawl exchange, signed by a crawler the policy prices: malformed price values, other
// currencies, negative and absurd amounts, both headers, uncovered headers, replays. Whatever arrives, the answer is
// one of the protocol's (never a 5xx), a charge happens only for an offer that meets the price, and one signed request
// is charged at most once however often it is sent; only a page the origin delivered (2xx) is billed.

const env = rawEnv as unknown as EdgeGuardEnv;
const runs = fuzzRuns(40);
const AGENT = "https://fuzz-payer.example";
const PRICE = "USD 0.01";
const PRICE_MICROS = 10_000;
let signer: TestSigner;

beforeAll(async () => {
  await env.BLOCKLIST.put(
    "policy:active",
    JSON.stringify({
      version: 1,
      webBotAuth: { trustedSigners: [{ origin: AGENT, name: "fuzz-payer" }] },
      payPerCrawl: { prices: [{ path: "/articles/*", price: PRICE }] },
    }),
  );
  signer = await createSigner();
  const now = Date.now();
  isolateState().directories.set(AGENT, {
    keys: new Map([[signer.thumbprint, { x: signer.jwk.x }]]),
    failure: null,
    checkedAt: now,
    retryAt: now + DIRECTORY_TTL_MS,
  });
});

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength }).map((s) => s.trim());
/** Price header values: near misses of the format, other currencies, signs, huge and tiny amounts, and noise. */
const priceValue = fc.oneof(
  fc.constantFrom(PRICE, "USD 0.010000", "USD 0.02", "USD 0.009", "USD 1000", "USD 1000.000001", "USD 0", "USD -0.01", "usd 0.01"),
  fc.constantFrom("EUR 0.01", "GBP 1", "USD 0,01", "USD 1e3", "USD 0x10", "USD .01", "USD 01", "USD  0.01", "0.01", "USD", ""),
  fc
    .tuple(fc.constantFrom("USD", "EUR", "usd", "US$", ""), fc.constantFrom(" ", "", "  ", "\t"), fc.double({ noNaN: false }))
    .map(([c, sep, n]) => `${c}${sep}${String(n)}`.trim()),
  fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat({ max: 9_999_999 })).map(([w, f]) => `USD ${w}.${f}`),
  printable(40),
);
const offer = fc.record(
  {
    exact: priceValue,
    max: priceValue,
    coverExact: fc.boolean(),
    coverMax: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** A page the demo origin has, and one it answers 404 (a priced path all the same). */
const PAGES = ["/articles/france", "/articles/no-such-page"] as const;
let sent = 0;
type Offer = typeof offer extends fc.Arbitrary<infer T> ? T : never;
async function signedRequest(o: Offer, path: string): Promise<Request> {
  const url = `https://site.test${path}`;
  const page = sent++;
  const covered: Record<string, string> = {};
  const plain: Record<string, string> = {};
  if (o.exact !== undefined) (o.coverExact === true ? covered : plain)["crawler-exact-price"] = o.exact;
  if (o.max !== undefined) (o.coverMax === true ? covered : plain)["crawler-max-price"] = o.max;
  const headers = { ...plain, ...(await signatureHeaders(signer, url, { agent: AGENT, covered })) };
  return new Request(url, { headers: { "user-agent": "FuzzPayer/1.0", "cf-connecting-ip": `198.18.77.${page % 250}`, ...headers } });
}

const account = () => env.CRAWLER_ACCOUNT.getByName(`${signer.thumbprint} ${AGENT}`);

/** Whether an offer meets the price: exactly one covered header that parses and is the price (exact) or above (max). */
function meets(o: Offer): boolean {
  if ((o.exact === undefined) === (o.max === undefined)) return false;
  const [value, covered, exact] = o.exact !== undefined ? [o.exact, o.coverExact, true] : [o.max ?? "", o.coverMax, false];
  const micros = parsePrice(value);
  if (micros === null || covered !== true) return false;
  return exact ? micros === PRICE_MICROS : micros >= PRICE_MICROS;
}

describe("pay per crawl under bad input (fast-check)", () => {
  it("answers every offer with a protocol status and code, never a 5xx, and charges exactly the offers that meet the price", async () => {
    await fc.assert(
      fc.asyncProperty(offer, fc.constantFrom(...PAGES), fc.integer({ min: 1, max: 3 }), async (o, path, sends) => {
        const request = await signedRequest(o, path);
        const before = await account().totals();
        const answers: Response[] = [];
        // The same signed request, `sends` times: a replay is never a second charge.
        for (let i = 0; i < sends; i++) answers.push(await exports.default.fetch(request.clone(), { redirect: "manual" }));
        for (const answer of answers) {
          await answer.body?.cancel();
          expect(answer.status).toBeLessThan(500);
          const error = answer.headers.get("crawler-error");
          if (answer.status === 200) {
            expect(error).toBeNull();
            expect(answer.headers.get("crawler-charged")).toBe(PRICE);
          } else if (answer.status === 404) {
            // The origin's own answer to a paid request: delivered nothing, billed nothing.
            expect(error).toBeNull();
            expect(answer.headers.get("crawler-charged")).toBeNull();
          } else {
            expect(error !== null && error in PAY_ERRORS, `status ${answer.status} with crawler-error ${error}`).toBe(true);
            expect(answer.status).toBe(PAY_ERRORS[error as PayError]);
            expect(answer.headers.get("crawler-charged")).toBeNull();
          }
        }
        const served = meets(o);
        const paid = served && path === "/articles/france";
        for (const answer of answers)
          expect(answer.status < 400 || answer.status === 404, `${JSON.stringify(o)} → ${answer.status}`).toBe(served);
        // A refund (the 404) is settled off the response path: wait for it.
        const expected = { charges: before.charges + (paid ? 1 : 0), spentMicros: before.spentMicros + (paid ? PRICE_MICROS : 0) };
        const deadline = Date.now() + 2_000;
        let after = await account().totals();
        while (JSON.stringify(after) !== JSON.stringify(expected) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          after = await account().totals();
        }
        expect(after).toEqual(expected);
      }),
      { numRuns: runs },
    );
  });
});
