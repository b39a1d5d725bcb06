import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { withDb } from "../../../adapters/db/client";
import { decisions } from "../../../adapters/db/schema";
import type { AdminEnv } from "../../../workers/admin/env";

const env = rawEnv as unknown as AdminEnv;
const HOSTILE_UA = `<script>alert("x")</script> GPTBot/1.2`;

async function insertDecision(reportId: string, ip: string, userAgent: string): Promise<void> {
  await withDb(env, (db) =>
    db.insert(decisions).values({
      reportId,
      at: new Date(),
      source: "edge",
      ip,
      method: "GET",
      path: "/articles/x",
      userAgent,
      edgeAction: "tarpit",
      edgeScore: 50,
      reasons: [{ code: "ua-ai-crawler", weight: 50, detail: "GPTBot" }],
      modelScore: 0.97,
      modelVersion: "test-model",
      verdict: "bot",
      blocked: true,
    }),
  );
}

describe("admin", () => {
  it("lists the latest decisions as JSON, newest first", async () => {
    await insertDecision("admin-json-1", "192.0.2.10", "first");
    await insertDecision("admin-json-2", "192.0.2.11", "second");
    const response = await exports.default.fetch("http://admin.test/api/decisions?limit=2");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { decisions: Array<{ ip: string; modelScore: number; reasons: unknown; blocked: boolean }> };
    expect(body.decisions.map((d) => d.ip)).toEqual(["192.0.2.11", "192.0.2.10"]);
    expect(body.decisions[0]).toMatchObject({ modelScore: 0.97, blocked: true, reasons: [{ code: "ua-ai-crawler" }] });
  });

  it("shows decisions on the HTML page with reasons and scores, escaping what the client sent", async () => {
    await insertDecision("admin-html-1", "192.0.2.12", HOSTILE_UA);
    const response = await exports.default.fetch("http://admin.test/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain("192.0.2.12");
    expect(html).toContain("ua-ai-crawler (GPTBot)");
    expect(html).toContain("0.970");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;");
  });

  it("rejects a bad limit with a stable code and a message naming the field", async () => {
    const response = await exports.default.fetch("http://admin.test/api/decisions?limit=abc");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request", message: expect.stringContaining("limit") });
  });

  it("answers 503 with a clear code when the database is unreachable", async () => {
    const { app } = await import("../../../workers/admin/app");
    const response = await app.request("/api/decisions", {}, { ...env, NEON_LOCAL_PROXY: "127.0.0.1:1" });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "database_unavailable" });
  });
});
