import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env as rawEnv, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accountId } from "../../../core/crawler-account";
import { OUTBOX_RETRY_MS, type CrawlerAccountEnv } from "../../../durable-objects/crawler-account";
import { isolateState } from "../../../workers/edge-guard/app";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { DIRECTORY_TTL_MS } from "../../../workers/edge-guard/web-bot-auth";
import { createSigner, signatureHeaders, type TestSigner } from "../../support/web-bot-auth-signer";

const env = rawEnv as unknown as EdgeGuardEnv;
const CENT = 10_000;
const account = (name: string) => env.CRAWLER_ACCOUNT.getByName(name);

/** Rows waiting in an account's outbox (read inside the object, as its alarm would). */
async function outbox(name: string): Promise<{ key: string; kind: string; micros: number }[]> {
  return runInDurableObject(account(name), (_, state) =>
    state.storage.sql.exec<{ key: string; kind: string; micros: number }>("SELECT key, kind, micros FROM outbox ORDER BY key").toArray(),
  );
}

describe("CrawlerAccount: prepaid balances", () => {
  it("never takes a prepaid balance below zero, under 20 concurrent charges", async () => {
    const name = "prepaid-concurrent";
    await account(name).configure(name, { state: "active", prepaid: true });
    expect((await account(name).topUp("evt_seed_concurrent", 7 * CENT, Date.now())).credited).toBe(true);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => account(name).charge(`req-${i}`, CENT, null, Date.now())));
    expect(outcomes.filter((o) => o.status === "charged")).toHaveLength(7);
    expect(outcomes.filter((o) => o.status === "insufficient-funds")).toHaveLength(13);
    const view = await account(name).view();
    expect(view).toMatchObject({ balanceMicros: 0, charges: 7, spentMicros: 7 * CENT });
  });

  it("credits a top-up once per payment event, and gives a refund back to the balance", async () => {
    const name = "prepaid-topup";
    await account(name).configure(name, { state: "active", prepaid: true });
    expect(await account(name).topUp("evt_once", 5 * CENT, Date.now())).toEqual({ credited: true, balanceMicros: 5 * CENT, known: true });
    expect(await account(name).topUp("evt_once", 5 * CENT, Date.now())).toEqual({ credited: false, balanceMicros: 5 * CENT, known: true });
    expect(await account(name).charge("req-a", 2 * CENT, null, Date.now())).toEqual({ status: "charged", micros: 2 * CENT });
    expect((await account(name).view()).balanceMicros).toBe(3 * CENT);
    expect(await account(name).refund("req-a")).toBe(true);
    expect(await account(name).refund("req-a")).toBe(false);
    expect((await account(name).view()).balanceMicros).toBe(5 * CENT);
  });

  it("never creates an account from a top-up", async () => {
    expect(await account("no-such-account").topUp("evt_stray", CENT, Date.now())).toEqual({
      credited: false,
      balanceMicros: 0,
      known: false,
    });
    expect((await account("no-such-account").view()).configured).toBe(false);
  });
});

describe("CrawlerAccount: states, rates and caps", () => {
  it("refuses a pending or suspended account, and charges it again once active", async () => {
    const name = "states";
    expect((await account(name).configure(name, {})).state).toBe("pending");
    expect(await account(name).charge("s-1", CENT, null, Date.now())).toEqual({ status: "forbidden", state: "pending" });
    await account(name).configure(name, { state: "suspended" });
    expect(await account(name).charge("s-1", CENT, null, Date.now())).toEqual({ status: "forbidden", state: "suspended" });
    await account(name).configure(name, { state: "active" });
    expect(await account(name).charge("s-1", CENT, null, Date.now())).toEqual({ status: "charged", micros: CENT });
  });

  it("charges a negotiated rate below the agreed price, and quotes one above it", async () => {
    const name = "rates";
    await account(name).configure(name, { state: "active", priceMicros: CENT / 2 });
    expect(await account(name).charge("r-1", CENT, null, Date.now())).toEqual({ status: "charged", micros: CENT / 2 });
    await account(name).configure(name, { priceMicros: 3 * CENT });
    expect(await account(name).charge("r-2", CENT, null, Date.now())).toEqual({ status: "over-price", priceMicros: 3 * CENT });
    await account(name).configure(name, { priceMicros: null });
    expect(await account(name).charge("r-3", CENT, null, Date.now())).toEqual({ status: "charged", micros: CENT });
  });

  it("applies the account's cap as well as the policy's", async () => {
    const name = "caps";
    await account(name).configure(name, { state: "active", capMicros: 2 * CENT });
    expect((await account(name).charge("c-1", CENT, 10 * CENT, Date.now())).status).toBe("charged");
    expect((await account(name).charge("c-2", CENT, 10 * CENT, Date.now())).status).toBe("charged");
    expect(await account(name).charge("c-3", CENT, 10 * CENT, Date.now())).toEqual({ status: "over-cap", spentMicros: 2 * CENT });
  });
});

describe("CrawlerAccount: the outbox", () => {
  it("keeps a ledger row for every charge, refund and top-up until its alarm hands them to the queue", async () => {
    const name = "outbox-flush";
    await account(name).configure(name, { state: "active", prepaid: true });
    await account(name).topUp("evt_outbox", 3 * CENT, Date.now());
    await account(name).charge("o-1", CENT, null, Date.now());
    await account(name).charge("o-1", CENT, null, Date.now()); // a retry: no second row
    await account(name).charge("o-2", CENT, null, Date.now());
    await account(name).refund("o-2");
    expect(await outbox(name)).toEqual([
      { key: "evt_outbox", kind: "topup", micros: 3 * CENT },
      { key: "o-1", kind: "charge", micros: CENT },
      { key: "o-2", kind: "charge", micros: CENT },
      { key: "refund:o-2", kind: "refund", micros: CENT },
    ]);
    expect(await runDurableObjectAlarm(account(name))).toBe(true);
    expect(await outbox(name)).toEqual([]);
    expect((await account(name).view()).outbox).toBe(0);
  });

  it("keeps every row when the queue refuses a flush, and tries again later", async () => {
    const name = "outbox-queue-down";
    await account(name).charge("q-1", CENT, null, Date.now());
    const retryAt = await runInDurableObject(account(name), async (instance, state) => {
      const holder = instance as unknown as { env: CrawlerAccountEnv };
      const real = holder.env;
      holder.env = { REPORTS: { send: () => Promise.reject(new Error("queue unavailable")) } as unknown as CrawlerAccountEnv["REPORTS"] };
      try {
        await instance.alarm();
      } finally {
        holder.env = real;
      }
      return state.storage.getAlarm();
    });
    expect(retryAt).toBeGreaterThan(Date.now() + OUTBOX_RETRY_MS / 2);
    expect(await outbox(name)).toEqual([{ key: "q-1", kind: "charge", micros: CENT }]);
    expect(await runDurableObjectAlarm(account(name))).toBe(true);
    expect(await outbox(name)).toEqual([]);
  });

  it("flushes an account the operator never set up, under the name the edge gave it", async () => {
    const name = "implicit-account";
    expect(await account(name).charge("i-1", CENT, null, Date.now())).toEqual({ status: "charged", micros: CENT });
    expect(await runInDurableObject(account(name), (_, state) => state.id.name)).toBe(name);
    expect(await runDurableObjectAlarm(account(name))).toBe(true);
    expect(await outbox(name)).toEqual([]);
  });
});

describe("the edge and account states", () => {
  const ORIGIN = "https://suspended.example";
  const POLICY = {
    version: 1,
    webBotAuth: { trustedSigners: [{ origin: ORIGIN, name: "suspended-bot" }] },
    payPerCrawl: { prices: [{ path: "/articles/*", price: "USD 0.01" }] },
  };
  let signer: TestSigner;

  beforeAll(async () => {
    await env.BLOCKLIST.put("policy:active", JSON.stringify(POLICY));
    signer = await createSigner();
    const now = Date.now();
    isolateState().directories.set(ORIGIN, {
      keys: new Map([[signer.thumbprint, { x: signer.jwk.x }]]),
      failure: null,
      checkedAt: now,
      retryAt: now + DIRECTORY_TTL_MS,
    });
  });

  const paidCrawl = async (path: string, price: Record<string, string>) => {
    const url = `https://site.test${path}`;
    const headers = await signatureHeaders(signer, url, { agent: ORIGIN, covered: price });
    return exports.default.fetch(
      new Request(url, { headers: { "user-agent": "SuspendedCrawler/1.0", "cf-connecting-ip": "198.18.91.1", ...headers } }),
      {
        redirect: "manual",
      },
    );
  };

  it("answers a suspended account 403 CrawlerForbidden and charges nothing; a lower negotiated rate is what it pays", async () => {
    const id = accountId(signer.thumbprint, ORIGIN);
    await account(id).configure(id, { state: "suspended" });
    const refused = await paidCrawl("/articles/peru", { "crawler-exact-price": "USD 0.01" });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("crawler-error")).toBe("CrawlerForbidden");
    expect(await refused.text()).not.toMatch(/suspend/i);
    expect((await account(id).totals()).charges).toBe(0);

    await account(id).configure(id, { state: "active", priceMicros: 5_000 });
    const paid = await paidCrawl("/articles/chile", { "crawler-max-price": "USD 0.01" });
    expect(paid.status).toBe(200);
    expect(paid.headers.get("crawler-charged")).toBe("USD 0.005");
    await paid.body?.cancel();

    await account(id).configure(id, { priceMicros: 20_000 });
    const quoted = await paidCrawl("/articles/bolivia", { "crawler-exact-price": "USD 0.01" });
    expect(quoted.status).toBe(402);
    expect(quoted.headers.get("crawler-price")).toBe("USD 0.02");
    await quoted.body?.cancel();
  });
});
