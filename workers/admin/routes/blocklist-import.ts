import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../../adapters/http";
import { formatExport, planImport } from "../../../core/admin/import-lines";
import { targetOfBlocklistKey, targetText } from "../../../core/admin/block-target";
import { actorOf, principalOf } from "../auth/principal";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, json, jsonBody } from "../schemas";
import { writeBlocks } from "../store/blocklist";
import { allKeys } from "../store/kv";
import { TargetKindSchema, TtlSchema } from "./blocklist";
import { securedSite } from "../auth/site-scope";

const ImportSchema = z
  .object({
    text: z.string().max(200_000).openapi({ description: "one IP, CIDR or AS<n> per line; `#` starts a comment" }),
    action: z.enum(["block", "tarpit"]).default("block"),
    reason: z.string().min(1).max(200),
    ttlSeconds: TtlSchema,
    dryRun: z.boolean().default(false).openapi({ description: "check every line, write nothing" }),
  })
  .openapi("BlocklistImport");

const ImportResultSchema = z
  .object({
    added: z.number().int(),
    targets: z.array(z.string()),
    refused: z.array(z.object({ line: z.number().int(), text: z.string(), error: z.string() })),
    dryRun: z.boolean(),
  })
  .openapi("BlocklistImportResult");

/** Bulk import (with the same safety checks as one add) and plain-text export. */
export const blocklistImportRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/import",
      summary: "Import a plain list into a site; unsafe or malformed lines are refused and reported, the rest written",
      ...securedSite("operator"),
      request: { body: jsonBody(ImportSchema) },
      responses: { 200: json(ImportResultSchema, "what was written and what was refused"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const site = c.get("site");
      const plan = planImport(input.text, await c.get("state").safety.load(c.env, c.get("config").devMode, site));
      if (!plan.ok) throw new AppError(400, "invalid_request", plan.error);
      const { targets, refused } = plan.value;
      if (!input.dryRun)
        await writeBlocks(c.env, actorOf(principalOf(c)), "blocklist.import", targets, { ...input, site }, c.get("deps").now());
      return c.json(
        { added: input.dryRun ? 0 : targets.length, targets: targets.map(targetText), refused: [...refused], dryRun: input.dryRun },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/export",
      summary: "Export a site's entries as plain text, one per line (the import format)",
      ...securedSite("viewer"),
      request: { query: z.object({ kind: TargetKindSchema.optional().openapi({ description: "one kind; all when absent" }) }) },
      responses: { 200: { description: "one target per line", content: { "text/plain": { schema: z.string() } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const kind = c.req.valid("query").kind;
      const kinds = kind === undefined ? (["ip", "cidr", "asn"] as const) : [kind];
      const keys = (await Promise.all(kinds.map((k) => allKeys(c.env, k, 10_000, c.get("site"))))).flat();
      const targets = keys.map((k) => targetOfBlocklistKey(k.name)).filter((t) => t !== null);
      c.header("Content-Disposition", 'attachment; filename="blocklist.txt"');
      return c.text(formatExport(targets), 200);
    },
  );
