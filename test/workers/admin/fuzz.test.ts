import { count, eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { auditLog, peerSyncs, peers } from "../../../adapters/db/schema";
import { fuzzRuns } from "../../support/fuzz-runs";
import { call as peersCall, makeKeyPair, signedPush } from "./peers-fixtures";
import { apiToken, baseEnv, bearer, call } from "./support";

const runs = fuzzRuns(30);
/** Operations whose answer depends on the network or that sign the caller out: fuzzed elsewhere or not at all. */
const SKIP = new Set(["post /api/peers/sync", "post /api/auth/logout"]);
/** Operations that record failures on purpose (failed logins are audited). */
const AUDITS_FAILURES = new Set(["post /api/auth/login"]);

type Operation = { readonly method: string; readonly path: string };
const auditCount = async () => (await withDb(baseEnv, (d) => d.select({ n: count() }).from(auditLog)))[0]?.n ?? 0;

/** Field names the admin API uses, with values of any type: bodies that get past the first checks more often. */
const FIELDS = [
  "name",
  "role",
  "password",
  "totp",
  "email",
  "disabled",
  "revokeSessions",
  "target",
  "reason",
  "ttlSeconds",
  "action",
  "text",
  "dryRun",
  "note",
  "policy",
  "label",
  "verdict",
  "expiresInDays",
  "trust",
  "feedUrl",
  "issuer",
  "publicJwk",
  "keyThumbprint",
  "kind",
  "enabled",
  "repin",
  "entries",
];
const nearValid = fc.dictionary(
  fc.constantFrom(...FIELDS),
  fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.ipV4(),
    fc.constantFrom("admin", "viewer", "block", "bot", "human", "low", "https://x.test/feed", 3600, true),
  ),
  { maxKeys: 5 },
);
const bodies = fc.oneof(
  { arbitrary: nearValid.map((v) => JSON.stringify(v)), weight: 6 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 3 },
  { arbitrary: fc.object({ maxDepth: 2 }).map((v) => JSON.stringify(v)), weight: 3 },
  { arbitrary: fc.string({ maxLength: 300 }), weight: 1 },
  { arbitrary: fc.constantFrom("", "{", "null", "[]", '{"__proto__":{"admin":true}}', `{"target":"${"9".repeat(5000)}"}`), weight: 1 },
);
const pathParam = fc.oneof(
  fc.constantFrom("1", "0", "-1", "99999999999", "admin", "%00", "..%2F..", "a".repeat(300)),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

describe("fuzz: every admin API body", () => {
  let operations: Operation[] = [];
  let token = "";
  const statuses = new Map<number, number>();
  beforeAll(async () => {
    token = await apiToken("admin", "fuzz-admin");
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method, op]) => op.requestBody !== undefined && !SKIP.has(`${method} ${path}`))
        .map(([method]) => ({ method: method.toUpperCase(), path })),
    );
  });
  afterAll(() =>
    console.log(`fuzz admin: ${operations.length} operations with a body, statuses ${JSON.stringify(Object.fromEntries(statuses))}`),
  );

  it("finds the operations to fuzz", { timeout: 30_000 + runs * 200 }, () => {
    expect(operations.length).toBeGreaterThan(10);
  });

  it(
    "answers junk with a 4xx and a stable code, never a 5xx, and audits nothing it refused",
    { timeout: 30_000 + runs * 200 },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          bodies,
          pathParam,
          fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
          async (pick, body, param, asJson) => {
            const op = operations[pick % operations.length];
            if (op === undefined) return;
            const path = op.path.replace(/\{[^}]+\}/g, param);
            const before = AUDITS_FAILURES.has(`${op.method.toLowerCase()} ${op.path}`) ? null : await auditCount();
            const response = await call(path, {
              method: op.method,
              body,
              headers: { ...bearer(token), "content-type": asJson ? "application/json" : "text/plain" },
            });
            const text = await response.text();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            expect(response.status, `${op.method} ${path}: ${text.slice(0, 300)}`).toBeLessThan(500);
            if (response.status >= 400) {
              expect(JSON.parse(text), `${op.method} ${path}`).toMatchObject({ error: expect.stringMatching(/^[a-z_]+$/) });
              if (before !== null) expect(await auditCount(), `${op.method} ${path} wrote to the audit log`).toBe(before);
            }
          },
        ),
        { numRuns: runs * 3 },
      );
    },
  );
});

describe("fuzz: peer pushes", () => {
  it(
    "refuses junk naming a real peer's key with a 4xx, writing no sync row and leaving its status alone",
    { timeout: 30_000 + runs * 200 },
    async () => {
      const keys = await makeKeyPair();
      const added = await peersCall("/api/peers", {
        method: "POST",
        body: JSON.stringify({ name: "fuzz-target", issuer: "f.test", publicJwk: keys.publicJwk, trust: "low" }),
        role: "operator",
      });
      expect(added.status).toBe(201);
      const [peer] = await withDb(baseEnv, (d) => d.select().from(peers).where(eq(peers.name, "fuzz-target")));
      if (peer === undefined) throw new Error("no peer");
      const genuine = (await signedPush(keys, "f.test", "b.test", [])).split(".");
      const b64 = (text: string) => btoa(text).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      const header = fc.oneof(
        fc.constant(genuine[0] ?? ""),
        fc
          .record(
            {
              alg: fc.constantFrom("EdDSA", "none", "HS256", "RS256"),
              kid: fc.constantFrom(keys.kid, "x"),
              typ: fc.constantFrom("edge-guard-push+jws", "JWT", "edge-guard-feed+jws"),
            },
            { requiredKeys: ["kid"] },
          )
          .map((h) => b64(JSON.stringify(h))),
      );
      const part = fc.oneof(
        fc.constant(genuine[1] ?? ""),
        fc.jsonValue({ maxDepth: 2 }).map((v) => b64(JSON.stringify(v))),
        fc.base64String({ maxLength: 80 }),
        fc.string({ maxLength: 40 }),
      );
      const signature = fc.oneof(
        fc.constant(""),
        fc.base64String({ maxLength: 120 }).map((s) => s.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")),
        fc.string({ maxLength: 20 }),
      );
      let n = 0;
      await fc.assert(
        fc.asyncProperty(header, part, signature, fc.constantFrom(".", ".."), async (h, p, s, sep) => {
          n++;
          const response = await peersCall("/api/peers/push", {
            method: "POST",
            body: `${h}.${p}${sep}${s}`,
            headers: { "content-type": "application/jose", "cf-connecting-ip": `203.0.113.${n % 250}` },
          });
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(await response.json()).toMatchObject({ error: expect.stringMatching(/^[a-z_]+$/) });
        }),
        { numRuns: runs * 2 },
      );
      expect(await withDb(baseEnv, (d) => d.select().from(peerSyncs).where(eq(peerSyncs.peerId, peer.id)))).toEqual([]);
    },
  );
});
