import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));
const files = readdirSync(MIGRATIONS)
  .filter((f) => f.endsWith(".sql"))
  .sort();

async function apply(pg: PGlite, file: string): Promise<void> {
  for (const statement of readFileSync(join(MIGRATIONS, file), "utf8").split("--> statement-breakpoint")) await pg.exec(statement);
}

// Rows written by the schema before sites (migrations up to 0005), then 0006 applied on top: nothing lost, all default.
describe("migration 0006 (sites)", () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = await PGlite.create();
    for (const file of files.filter((f) => f < "0006")) await apply(pg, file);
    await pg.exec(`
      INSERT INTO decisions (report_id, at, source, ip, method, path, user_agent, edge_action, edge_score, reasons, verdict)
        VALUES ('r-1', now(), 'edge', '192.0.2.1', 'GET', '/', 'ua', 'block', 90, '[]', 'bot'),
               ('r-2', now(), 'edge', '192.0.2.2', 'GET', '/a', 'ua', 'allow', 0, '[]', 'human');
      INSERT INTO operator_labels (ip, value) VALUES ('192.0.2.1', 'bot');
      INSERT INTO prefix_blocks (cidr, at, bot_ips, reason, expires_at) VALUES ('192.0.2.0/24', now(), 5, 'many bots', now() + interval '1 day');
      INSERT INTO audit_log (actor, action, target) VALUES ('user:alice', 'blocklist.add', 'ip:192.0.2.1');
      INSERT INTO policy_versions (actor, policy) VALUES ('user:alice', '{"version":1}');
      INSERT INTO traffic_summaries (id, from_at, to_at, clients, requests) VALUES ('iso:1', now(), now(), 1, 3);
      INSERT INTO allowed_traffic (summary_id, ip, user_agent, first_at, last_at, requests, pages, assets, recent)
        VALUES ('iso:1', '192.0.2.3', 'ua', now(), now(), 3, 2, 1, '[]');
    `);
    await apply(pg, files.find((f) => f.startsWith("0006")) ?? "missing 0006");
  }, 60_000);
  afterAll(async () => {
    await pg.close();
  });

  it.each([
    ["decisions", 2],
    ["operator_labels", 1],
    ["prefix_blocks", 1],
    ["audit_log", 1],
    ["policy_versions", 1],
    ["allowed_traffic", 1],
  ])("keeps every %s row and gives it to the default site", async (table, rows) => {
    const result = await pg.query<{ site: string; n: number }>(`SELECT site, count(*)::int AS n FROM ${table} GROUP BY site`);
    expect(result.rows).toEqual([{ site: "default", n: rows }]);
  });

  it("lets one summary carry the same address for two sites (the key includes the site)", async () => {
    await pg.exec(`INSERT INTO allowed_traffic (summary_id, ip, user_agent, first_at, last_at, requests, pages, assets, recent, site)
      VALUES ('iso:1', '192.0.2.3', 'ua', now(), now(), 1, 1, 0, '[]', 'blog')`);
    const result = await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM allowed_traffic WHERE ip = '192.0.2.3'");
    expect(result.rows[0]?.n).toBe(2);
  });
});
