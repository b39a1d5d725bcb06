import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { ledgerEntries } from "../../../adapters/db/schema";
import type { LedgerBatch } from "../../../core/ledger-entry";
import type { DeadLetter } from "../../../workers/escalation/env";
import { deliver, env } from "./deliver";

const AT = Date.UTC(2026, 10, 20, 12);
const ACCOUNT = "ledgerTestThumbprint0000000000000000000000 https://ledger.example";

function aBatch(keys: readonly string[]): LedgerBatch {
  return { v: 3, kind: "ledger", account: ACCOUNT, entries: keys.map((key, i) => ({ key, kind: "charge", micros: 10_000, at: AT + i })) };
}

const rowsOf = (account: string) => withDb(env, (db) => db.select().from(ledgerEntries).where(eq(ledgerEntries.account, account)));

const recordingDlq = (dead: DeadLetter[]) => ({ send: async (body: DeadLetter) => void dead.push(body) }) as unknown as typeof env.DLQ;

describe("escalation: the ledger", () => {
  it("writes each outbox entry once, however often its batch is delivered", async () => {
    const first = await deliver([aBatch(["charge-key-1", "charge-key-2"])]);
    expect(first.explicitAcks).toEqual(["msg-1-0"]);
    // The account resent after a crash (one more entry since), and the Queue redelivered the first message as well.
    const again = await deliver(
      [aBatch(["charge-key-1", "charge-key-2", "charge-key-3"]), aBatch(["charge-key-1", "charge-key-2"])],
      env,
      2,
    );
    expect(again.explicitAcks.sort()).toEqual(["msg-2-0", "msg-2-1"]);
    const rows = await rowsOf(ACCOUNT);
    expect(rows.map((r) => r.key).sort()).toEqual(["charge-key-1", "charge-key-2", "charge-key-3"]);
    expect(rows[0]).toMatchObject({ kind: "charge", micros: 10_000, account: ACCOUNT });
  });

  it("dead-letters a batch with a negative or fractional amount, writing nothing", async () => {
    const dead: DeadLetter[] = [];
    const bad = { ...aBatch(["bad-key-01"]), account: "bad-account https://bad.example" };
    const negative = { ...bad, entries: [{ key: "bad-key-01", kind: "charge", micros: -5, at: AT }] };
    const fractional = { ...bad, entries: [{ key: "bad-key-02", kind: "refund", micros: 0.5, at: AT }] };
    const result = await deliver([negative, fractional], { ...env, DLQ: recordingDlq(dead) });
    expect(result.explicitAcks.sort()).toEqual(["msg-1-0", "msg-1-1"]);
    expect(dead).toHaveLength(2);
    expect(await rowsOf("bad-account https://bad.example")).toEqual([]);
  });
});
