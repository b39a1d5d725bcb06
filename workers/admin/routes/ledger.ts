import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../../adapters/http";
import { ThumbprintSchema } from "../../../core/crawler-account";
import { csvRecord, usdText } from "../../../core/csv";
import { LedgerKindSchema } from "../../../core/ledger-entry";
import { priceDryRun } from "../../../core/pay-per-crawl-dry-run";
import { compilePolicy } from "../../../core/policy/compile";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, NOT_FOUND, PageQuerySchema, json, jsonBody } from "../schemas";
import { db } from "../store/db";
import {
  LEDGER_CSV_MAX_ROWS,
  crawlerRequestsByPath,
  findAccount,
  ledgerTotals,
  listLedger,
  monthlyStatements,
  type LedgerFilter,
  type LedgerRow,
} from "../store/ledger";
import { readPolicy } from "../store/policy";
import { securedAllSites } from "../auth/site-scope";

const DAY_MS = 86_400_000;

const LedgerEntrySchema = z
  .object({
    key: z.string(),
    account: z.string(),
    kind: LedgerKindSchema,
    micros: z.number().int(),
    at: z.string(),
    recordedAt: z.string(),
  })
  .openapi("LedgerEntry");
const TotalsSchema = z
  .object({
    charges: z.number().int(),
    chargedMicros: z.number().int(),
    refundedMicros: z.number().int(),
    toppedUpMicros: z.number().int(),
    netMicros: z.number().int().openapi({ description: "charged net of refunds: revenue" }),
  })
  .openapi("LedgerTotals");
const StatementSchema = TotalsSchema.extend({ month: z.string().openapi({ example: "2026-11" }) }).openapi("MonthlyStatement");

const AccountFilter = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9_-]{43}( \S+)?$/, "a key thumbprint, or an account id `thumbprint directory`")
  .openapi({ description: "a key thumbprint, or a full account id" });
const FilterSchema = z.object({
  account: AccountFilter.optional(),
  kind: LedgerKindSchema.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});
const LedgerQuerySchema = PageQuerySchema.extend(FilterSchema.shape).extend({
  cursor: z
    .string()
    .regex(/^\d{1,15}:[^\s]{1,200}$/)
    .optional(),
});
const MonthFileSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])\.csv$/, "a month's file, YYYY-MM.csv");

function filterOf(q: z.infer<typeof FilterSchema>): LedgerFilter {
  return {
    account: q.account,
    kind: q.kind,
    since: q.since === undefined ? undefined : new Date(q.since),
    until: q.until === undefined ? undefined : new Date(q.until),
  };
}

const entryJson = (r: LedgerRow) => ({
  key: r.key,
  account: r.account,
  kind: LedgerKindSchema.catch("charge").parse(r.kind),
  micros: r.micros,
  at: r.at.toISOString(),
  recordedAt: r.recordedAt.toISOString(),
});

function csvResponse(rows: readonly LedgerRow[], filename: string): Response {
  const lines = [csvRecord(["at", "account", "kind", "micros", "usd", "key"])];
  for (const r of rows) lines.push(csvRecord([r.at.toISOString(), r.account, r.kind, r.micros, usdText(r.micros), r.key]));
  return new Response(lines.join(""), {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"` },
  });
}

const csvContent = (description: string) => ({ description, content: { "text/csv": { schema: z.string() } } });

/** The ledger in Postgres: filtered lists and totals, CSV exports, monthly statements, revenue and a price dry run. */
export const ledgerRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "Ledger rows (charges, refunds, top-ups), newest first, with totals over the filter",
      ...securedAllSites("viewer"),
      request: { query: LedgerQuerySchema },
      responses: {
        200: json(z.object({ entries: z.array(LedgerEntrySchema), totals: TotalsSchema, nextCursor: z.string().nullable() }), "a page"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const filter = filterOf(q);
      const [atText, ...key] = q.cursor?.split(":") ?? [];
      const cursor = q.cursor === undefined ? undefined : { at: new Date(Number(atText)), key: key.join(":") };
      const [rows, totals] = await db(c.env, (d) =>
        Promise.all([listLedger(d, { ...filter, cursor }, q.limit + 1), ledgerTotals(d, filter)]),
      );
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      const nextCursor = rows.length > q.limit && last !== undefined ? `${last.at.getTime()}:${last.key}` : null;
      return c.json({ entries: page.map(entryJson), totals, nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/export.csv",
      summary: `The ledger rows of a filter as CSV (at most ${LEDGER_CSV_MAX_ROWS})`,
      ...securedAllSites("viewer"),
      request: { query: FilterSchema },
      responses: { 200: csvContent("at, account, kind, micros, usd, key"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const rows = await db(c.env, (d) => listLedger(d, filterOf(c.req.valid("query")), LEDGER_CSV_MAX_ROWS));
      return csvResponse(rows, "ledger.csv");
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/statements/{thumbprint}",
      summary: "An account's monthly statements (UTC months), newest first",
      ...securedAllSites("viewer"),
      request: { params: z.object({ thumbprint: ThumbprintSchema.openapi({ param: { name: "thumbprint", in: "path" } }) }) },
      responses: {
        200: json(z.object({ account: z.string(), statements: z.array(StatementSchema) }), "statements"),
        404: NOT_FOUND,
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const { thumbprint } = c.req.valid("param");
      const row = await db(c.env, (d) => findAccount(d, thumbprint));
      if (row === null) throw new AppError(404, "not_found", `no crawler account for key ${thumbprint}`);
      return c.json({ account: row.id, statements: await db(c.env, (d) => monthlyStatements(d, row.id)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/statements/{thumbprint}/{file}",
      summary: "One month of an account's ledger as CSV, with its totals in the last lines",
      ...securedAllSites("viewer"),
      request: {
        params: z.object({
          thumbprint: ThumbprintSchema.openapi({ param: { name: "thumbprint", in: "path" } }),
          file: MonthFileSchema.openapi({ param: { name: "file", in: "path" }, example: "2026-11.csv" }),
        }),
      },
      responses: { 200: csvContent("the month's rows"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { thumbprint, file } = c.req.valid("param");
      const month = file.slice(0, 7);
      const row = await db(c.env, (d) => findAccount(d, thumbprint));
      if (row === null) throw new AppError(404, "not_found", `no crawler account for key ${thumbprint}`);
      const since = new Date(`${month}-01T00:00:00Z`);
      const until = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth() + 1, 1));
      const filter = { account: row.id, since, until };
      const [rows, totals] = await db(c.env, (d) => Promise.all([listLedger(d, filter, LEDGER_CSV_MAX_ROWS), ledgerTotals(d, filter)]));
      const response = csvResponse(rows, `statement-${month}.csv`);
      const footer = [
        csvRecord([null, row.id, "total-charged", totals.chargedMicros, usdText(totals.chargedMicros), null]),
        csvRecord([null, row.id, "total-refunded", totals.refundedMicros, usdText(totals.refundedMicros), null]),
        csvRecord([null, row.id, "total-net", totals.netMicros, usdText(totals.netMicros), null]),
        csvRecord([null, row.id, "total-topped-up", totals.toppedUpMicros, usdText(totals.toppedUpMicros), null]),
      ].join("");
      return new Response((await response.text()) + footer, response);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/revenue",
      summary: "Pay-per-crawl revenue (charged net of refunds) over the last 7 and 30 days and in total",
      ...securedAllSites("viewer"),
      responses: {
        200: json(z.object({ last7Days: TotalsSchema, last30Days: TotalsSchema, allTime: TotalsSchema }), "totals"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const now = c.get("deps").now();
      const [last7Days, last30Days, allTime] = await db(c.env, (d) =>
        Promise.all([
          ledgerTotals(d, { since: new Date(now - 7 * DAY_MS) }),
          ledgerTotals(d, { since: new Date(now - 30 * DAY_MS) }),
          ledgerTotals(d, {}),
        ]),
      );
      return c.json({ last7Days, last30Days, allTime }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/price-dry-run",
      summary: "What a policy's prices would have earned from last week's crawler requests (default: the active policy)",
      ...securedAllSites("viewer"),
      request: {
        body: jsonBody(
          z.object({
            policy: z.record(z.string(), z.unknown()).optional().openapi({ description: "a candidate policy document" }),
            days: z.int().min(1).max(90).default(7),
          }),
        ),
      },
      responses: {
        200: json(
          z
            .object({
              requests: z.number().int(),
              pricedRequests: z.number().int(),
              inBandRequests: z.number().int(),
              estimatedMicros: z.number().int(),
              topPaths: z.array(
                z.object({ path: z.string(), requests: z.number().int(), priceMicros: z.number().int(), micros: z.number().int() }),
              ),
              earnedMicros: z.number().int().openapi({ description: "what paying crawlers actually paid in the same days (ledger, net)" }),
              since: z.string(),
            })
            .openapi("PriceDryRun"),
          "the estimate",
        ),
        422: json(z.object({ error: z.string(), message: z.string() }), "`invalid_policy`, `no_prices`"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const compiled = compilePolicy(input.policy ?? (await readPolicy(c.env.BLOCKLIST)).document);
      if (!compiled.ok) throw new AppError(422, "invalid_policy", "the policy does not compile; check it with POST /api/policy/validate");
      const pricing = compiled.value.payPerCrawl;
      if (pricing === null) throw new AppError(422, "no_prices", "the policy has no payPerCrawl section to price with");
      const until = new Date(c.get("deps").now());
      const since = new Date(until.getTime() - input.days * DAY_MS);
      const [counts, earned] = await db(c.env, (d) =>
        Promise.all([crawlerRequestsByPath(d, since, until), ledgerTotals(d, { since, until })]),
      );
      const estimate = priceDryRun(pricing, counts);
      return c.json({ ...estimate, topPaths: [...estimate.topPaths], earnedMicros: earned.netMicros, since: since.toISOString() }, 200);
    },
  );
