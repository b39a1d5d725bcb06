import { beforeAll, describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { crawlerAccounts, ledgerEntries } from "../../../adapters/db/schema";
import { apiToken, baseEnv, bearer, call, clock, insertDecision, jsonInit } from "./support";

const CENT = 10_000;
const A = "ledgerAccountA00000000000000000000000000000";
const B = "ledgerAccountB00000000000000000000000000000";
const ID_A = `${A} https://a.example`;
const ID_B = `${B} https://b.example`;
const at = (iso: string) => new Date(iso);

let viewer: Record<string, string>;
beforeAll(async () => {
  viewer = bearer(await apiToken("viewer", "ledger-viewer"));
  // As escalation writes them from the accounts' outboxes (test/workers/escalation/ledger.test.ts covers that path).
  await withDb(baseEnv, async (d) => {
    await d.insert(crawlerAccounts).values([
      { id: ID_A, thumbprint: A, directory: "https://a.example", name: "A", origin: "operator", state: "active", prepaid: true },
      { id: ID_B, thumbprint: B, directory: "https://b.example", name: "B", origin: "self", state: "pending" },
    ]);
    await d.insert(ledgerEntries).values([
      { key: "a-topup-oct", account: ID_A, kind: "topup", micros: 100 * CENT, at: at("2025-10-01T00:00:00Z") },
      { key: "a-charge-oct-1", account: ID_A, kind: "charge", micros: CENT, at: at("2025-10-30T23:59:59Z") },
      { key: "a-charge-nov-1", account: ID_A, kind: "charge", micros: 2 * CENT, at: at("2025-11-01T00:00:00Z") },
      { key: "a-charge-nov-2", account: ID_A, kind: "charge", micros: 3 * CENT, at: at("2025-11-02T10:00:00Z") },
      { key: "refund:a-charge-nov-2", account: ID_A, kind: "refund", micros: 3 * CENT, at: at("2025-11-02T10:00:01Z") },
      { key: "b-charge-nov-1", account: ID_B, kind: "charge", micros: 5 * CENT, at: at("2025-11-03T00:00:00Z") },
      { key: "=cmd|' /C calc'!A0", account: ID_B, kind: "charge", micros: CENT, at: at("2025-11-04T00:00:00Z") },
    ]);
  });
});

type Page = { entries: { key: string }[]; totals: Record<string, number>; nextCursor: string | null };
const ledger = async (query: string) => (await (await call(`/api/ledger?${query}`, { headers: viewer })).json()) as Page;

describe("the ledger API", () => {
  it("filters by account (id or thumbprint), kind and date range, with totals over the filter", async () => {
    const nov = "since=2025-11-01T00:00:00Z&until=2025-12-01T00:00:00Z";
    const byThumbprint = await ledger(`account=${A}&${nov}`);
    expect(byThumbprint.entries.map((e) => e.key)).toEqual(["refund:a-charge-nov-2", "a-charge-nov-2", "a-charge-nov-1"]);
    expect(byThumbprint.totals).toEqual({
      charges: 2,
      chargedMicros: 5 * CENT,
      refundedMicros: 3 * CENT,
      toppedUpMicros: 0,
      netMicros: 2 * CENT,
    });
    const byId = await ledger(`account=${encodeURIComponent(ID_A)}&kind=topup`);
    expect(byId.entries.map((e) => e.key)).toEqual(["a-topup-oct"]);
    expect((await ledger(`kind=charge&${nov}`)).totals.chargedMicros).toBe(11 * CENT);
  });

  it("pages with a cursor without skipping or repeating a row", async () => {
    const first = await ledger(`limit=3&since=2025-10-01T00:00:00Z&until=2025-12-01T00:00:00Z`);
    expect(first.entries).toHaveLength(3);
    const second = await ledger(
      `limit=10&since=2025-10-01T00:00:00Z&until=2025-12-01T00:00:00Z&cursor=${encodeURIComponent(first.nextCursor ?? "")}`,
    );
    const keys = [...first.entries, ...second.entries].map((e) => e.key);
    expect(new Set(keys).size).toBe(7);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses a bad filter with the field named", async () => {
    const response = await call("/api/ledger?kind=bonus", { headers: viewer });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request", message: expect.stringContaining("kind") });
  });

  it("exports CSV, a formula-looking field neutralised", async () => {
    const response = await call(`/api/ledger/export.csv?account=${B}`, { headers: viewer });
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("at,account,kind,micros,usd,key");
    expect(lines).toContain(`2025-11-03T00:00:00.000Z,${ID_B},charge,50000,0.050000,b-charge-nov-1`);
    expect(lines.some((l) => l.endsWith(`,"'=cmd|' /C calc'!A0"`) || l.endsWith(`,'=cmd|' /C calc'!A0`))).toBe(true);
  });

  it("gives monthly statements (UTC months) and one month as CSV with its totals", async () => {
    const statements = (await (await call(`/api/ledger/statements/${A}`, { headers: viewer })).json()) as {
      statements: Record<string, unknown>[];
    };
    expect(statements.statements).toEqual([
      { month: "2025-11", charges: 2, chargedMicros: 5 * CENT, refundedMicros: 3 * CENT, toppedUpMicros: 0, netMicros: 2 * CENT },
      { month: "2025-10", charges: 1, chargedMicros: CENT, refundedMicros: 0, toppedUpMicros: 100 * CENT, netMicros: CENT },
    ]);
    const monthly = await call(`/api/ledger/statements/${A}/2025-11.csv`, { headers: viewer });
    const csv = await monthly.text();
    expect(monthly.status, csv).toBe(200);
    expect(csv.split("\r\n").filter((l) => l.includes(",a-charge-") || l.includes(",refund:"))).toHaveLength(3);
    expect(csv).toContain(`,${ID_A},total-net,20000,0.020000,`);
    expect((await call(`/api/ledger/statements/${A}/2025-13.csv`, { headers: viewer })).status).toBe(400);
  });
});

describe("revenue and the price dry run", () => {
  it("sums revenue net of refunds over the last 7 and 30 days", async () => {
    const saved = clock.now;
    clock.now = Date.parse("2025-11-07T00:00:00Z");
    try {
      const revenue = (await (await call("/api/ledger/revenue", { headers: viewer })).json()) as Record<string, { netMicros: number }>;
      expect(revenue.last7Days?.netMicros).toBe(8 * CENT); // since Oct 31: 2 + 3 - 3 + 5 + 1
      expect(revenue.last30Days?.netMicros).toBe(9 * CENT); // and the charge of Oct 30
    } finally {
      clock.now = saved;
    }
  });

  it("prices last week's crawler requests on priced paths with a candidate policy", async () => {
    const saved = clock.now;
    clock.now = Date.parse("2021-03-10T00:00:00Z");
    try {
      for (let i = 0; i < 3; i++)
        await insertDecision(`dry-run-a-${i}`, "198.51.100.31", { path: "/articles/france?page=2", at: at("2021-03-08T00:00:00Z") });
      await insertDecision("dry-run-free", "198.51.100.31", { path: "/about", at: at("2021-03-08T00:00:00Z") });
      await insertDecision("dry-run-old", "198.51.100.31", { path: "/articles/spain", at: at("2021-02-01T00:00:00Z") });
      await insertDecision("dry-run-person", "198.51.100.32", {
        path: "/articles/spain",
        at: at("2021-03-08T00:00:00Z"),
        reasons: [{ code: "hdr-headless", weight: 60 }],
      });
      const policy = { version: 1, payPerCrawl: { prices: [{ path: "/articles/*", price: "USD 0.01" }] } };
      const response = await call("/api/ledger/price-dry-run", jsonInit("POST", { policy }, viewer));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        requests: 4,
        pricedRequests: 3,
        estimatedMicros: 3 * CENT,
        topPaths: [{ path: "/articles/france", requests: 3, priceMicros: CENT, micros: 3 * CENT }],
        earnedMicros: 0,
      });
      const unpriced = await call("/api/ledger/price-dry-run", jsonInit("POST", { policy: { version: 1 } }, viewer));
      expect(unpriced.status).toBe(422);
      expect(await unpriced.json()).toMatchObject({ error: "no_prices" });
    } finally {
      clock.now = saved;
    }
  });
});
