import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { crawlerAccounts } from "../../../adapters/db/schema";
import { AppError } from "../../../adapters/http";
import {
  AccountSettingsSchema,
  AccountStateSchema,
  DirectorySchema,
  MicrosSchema,
  ThumbprintSchema,
  accountId,
  type AccountSettings,
} from "../../../core/crawler-account";
import type { AccountView } from "../../../durable-objects/crawler-account";
import { actorOf, principalOf } from "../auth/principal";
import type { AdminEnv } from "../env";
import { gatewayFor } from "../payments/gateways";
import { adminRouter } from "../router";
import { ERROR_RESPONSES, NOT_FOUND, json, jsonBody } from "../schemas";
import { audit } from "../store/audit";
import { db } from "../store/db";
import { findAccount, listAccounts, type AccountRow } from "../store/ledger";
import { securedAllSites } from "../auth/site-scope";

const AccountSchema = z
  .object({
    id: z.string().openapi({ description: "`thumbprint directory`: the Web Bot Auth key and its directory's origin" }),
    thumbprint: z.string(),
    directory: z.string(),
    name: z.string(),
    origin: z.enum(["operator", "self"]).openapi({ description: "created by an operator, or self-registered by the crawler" }),
    contact: z.string().nullable(),
    state: AccountStateSchema,
    prepaid: z.boolean(),
    priceMicros: z.number().int().nullable().openapi({ description: "negotiated rate per request; null: the policy's price" }),
    capMicros: z.number().int().nullable(),
    balanceMicros: z.number().int().nullable().openapi({ description: "prepaid balance; null when the account's object was unreachable" }),
    spentMicros: z.number().int().nullable().openapi({ description: "charged net of refunds, as the edge counts it" }),
    charges: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("CrawlerAccount");
type AccountJson = z.infer<typeof AccountSchema>;

const ThumbprintParams = z.object({ thumbprint: ThumbprintSchema.openapi({ param: { name: "thumbprint", in: "path" } }) });

const NewAccountSchema = z
  .strictObject({
    thumbprint: ThumbprintSchema,
    directory: DirectorySchema,
    name: z.string().min(1).max(100),
    contact: z.string().max(200).optional(),
    state: AccountStateSchema.default("active"),
    prepaid: z.boolean().default(false),
    priceMicros: MicrosSchema.nullable().default(null),
    capMicros: MicrosSchema.nullable().default(null),
  })
  .openapi("NewCrawlerAccount");

const AccountPatchSchema = AccountSettingsSchema.extend({
  name: z.string().min(1).max(100).optional(),
  contact: z.string().max(200).nullable().optional(),
}).openapi("CrawlerAccountPatch", { description: "approve: `state: active`; suspend: `state: suspended`; null clears a rate or cap" });

const TopUpSchema = z
  .strictObject({
    micros: MicrosSchema.min(1),
    reference: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{4,100}$/)
      .openapi({ description: "your reference (a bank transfer id): the same reference credits once" }),
  })
  .openapi("ManualTopUp");

const CheckoutSchema = z
  .strictObject({
    gateway: z.enum(["stripe", "http"]).default("stripe"),
    micros: MicrosSchema.min(10_000).openapi({ description: "whole cents, in micro-dollars (10 000 = USD 0.01)" }),
    email: z.email().max(200).optional(),
  })
  .openapi("Checkout");

/** The edge's object for an account, or null when it cannot be reached (the list still answers). */
async function viewOf(env: AdminEnv, id: string): Promise<AccountView | null> {
  try {
    return await env.CRAWLER_ACCOUNT.getByName(id).view();
  } catch (error) {
    console.error(JSON.stringify({ code: "crawler_account_unreachable", account: id, message: String(error) }));
    return null;
  }
}

function accountJson(row: AccountRow, view: AccountView | null): AccountJson {
  return {
    id: row.id,
    thumbprint: row.thumbprint,
    directory: row.directory,
    name: row.name,
    origin: row.origin === "self" ? "self" : "operator",
    contact: row.contact,
    // What the edge enforces comes from the object; Postgres mirrors it for lists and statements.
    state: view?.configured ? view.state : AccountStateSchema.catch("pending").parse(row.state),
    prepaid: view?.configured ? view.prepaid : row.prepaid,
    priceMicros: view?.configured ? view.priceMicros : row.priceMicros,
    capMicros: view?.configured ? view.capMicros : row.capMicros,
    balanceMicros: view?.balanceMicros ?? null,
    spentMicros: view?.spentMicros ?? null,
    charges: view?.charges ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function mustFind(env: AdminEnv, thumbprint: string): Promise<AccountRow> {
  const row = await db(env, (d) => findAccount(d, thumbprint));
  if (row === null) throw new AppError(404, "not_found", `no crawler account for key ${thumbprint}`);
  return row;
}

/** Sets the edge's terms first (what is enforced), then mirrors them in Postgres with an audit entry. */
async function configure(env: AdminEnv, id: string, settings: AccountSettings): Promise<AccountView> {
  try {
    return await env.CRAWLER_ACCOUNT.getByName(id).configure(id, settings);
  } catch (error) {
    throw new AppError(503, "account_unavailable", "the account's Durable Object is not reachable; nothing was changed", { cause: error });
  }
}

/** Crawler accounts: create, approve, suspend, negotiated rates, caps, prepaid balances and their top-ups. */
export const accountRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      summary: "Crawler accounts with their balances",
      ...securedAllSites("viewer"),
      request: { query: z.object({ state: AccountStateSchema.optional() }) },
      responses: { 200: json(z.object({ accounts: z.array(AccountSchema) }), "accounts, oldest first"), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const rows = await db(c.env, (d) => listAccounts(d, c.req.valid("query").state ?? null));
      const views = await Promise.all(rows.map((r) => viewOf(c.env, r.id)));
      return c.json({ accounts: rows.map((r, i) => accountJson(r, views[i] ?? null)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      summary: "Create a crawler account (active unless said otherwise)",
      ...securedAllSites("operator"),
      request: { body: jsonBody(NewAccountSchema) },
      responses: {
        201: json(AccountSchema, "created"),
        409: json(z.object({ error: z.string(), message: z.string() }), "`conflict`: that key has an account"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const id = accountId(input.thumbprint, input.directory);
      if ((await db(c.env, (d) => findAccount(d, input.thumbprint))) !== null) {
        throw new AppError(409, "conflict", `key ${input.thumbprint} already has an account`);
      }
      const { state, prepaid, priceMicros, capMicros } = input;
      const view = await configure(c.env, id, { state, prepaid, priceMicros, capMicros });
      const actor = actorOf(principalOf(c));
      const row = await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const [created] = await tx
            .insert(crawlerAccounts)
            .values({
              id,
              thumbprint: input.thumbprint,
              directory: input.directory,
              name: input.name,
              origin: "operator",
              contact: input.contact ?? null,
              state,
              prepaid,
              priceMicros,
              capMicros,
            })
            .returning();
          if (created === undefined) throw new Error("insert returned no row");
          await audit(tx, { actor, action: "account.create", target: `account:${id}`, old: null, new: input });
          return created;
        }),
      );
      return c.json(accountJson(row, view), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{thumbprint}",
      summary: "One crawler account",
      ...securedAllSites("viewer"),
      request: { params: ThumbprintParams },
      responses: { 200: json(AccountSchema, "the account"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const row = await mustFind(c.env, c.req.valid("param").thumbprint);
      return c.json(accountJson(row, await viewOf(c.env, row.id)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{thumbprint}",
      summary: "Approve, suspend, set a negotiated rate, a cap, prepaid; rename",
      ...securedAllSites("operator"),
      request: { params: ThumbprintParams, body: jsonBody(AccountPatchSchema) },
      responses: { 200: json(AccountSchema, "the account after the change"), 404: NOT_FOUND, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const old = await mustFind(c.env, c.req.valid("param").thumbprint);
      const { name, contact, ...settings } = c.req.valid("json");
      const view = await configure(c.env, old.id, settings);
      const actor = actorOf(principalOf(c));
      const row = await db(c.env, (d) =>
        d.transaction(async (tx) => {
          const [updated] = await tx
            .update(crawlerAccounts)
            .set({
              ...(name === undefined ? {} : { name }),
              ...(contact === undefined ? {} : { contact }),
              state: view.state,
              prepaid: view.prepaid,
              priceMicros: view.priceMicros,
              capMicros: view.capMicros,
              updatedAt: new Date(),
            })
            .where(eq(crawlerAccounts.id, old.id))
            .returning();
          if (updated === undefined) throw new AppError(404, "not_found", "the account was deleted meanwhile");
          const action =
            settings.state === "active" && old.state === "pending"
              ? "account.approve"
              : settings.state === "suspended"
                ? "account.suspend"
                : "account.update";
          await audit(tx, { actor, action, target: `account:${old.id}`, old: accountJson(old, null), new: c.req.valid("json") });
          return updated;
        }),
      );
      return c.json(accountJson(row, view), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{thumbprint}/top-ups",
      summary: "Credit a prepaid balance by hand (a payment received outside the gateways); once per reference",
      ...securedAllSites("admin"),
      request: { params: ThumbprintParams, body: jsonBody(TopUpSchema) },
      responses: {
        200: json(
          z.object({ credited: z.boolean(), balanceMicros: z.number().int() }),
          "`credited: false`: that reference was credited before",
        ),
        404: NOT_FOUND,
        409: json(z.object({ error: z.string(), message: z.string() }), "`not_prepaid`"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const row = await mustFind(c.env, c.req.valid("param").thumbprint);
      const input = c.req.valid("json");
      const view = await viewOf(c.env, row.id);
      if (view === null)
        throw new AppError(503, "account_unavailable", "the account's Durable Object is not reachable; nothing was credited");
      if (!view.prepaid) throw new AppError(409, "not_prepaid", "this account is postpaid; make it prepaid first (PATCH prepaid: true)");
      const { known: _, ...result } = await c.env.CRAWLER_ACCOUNT.getByName(row.id).topUp(
        `manual:${input.reference}`,
        input.micros,
        c.get("deps").now(),
      );
      if (result.credited) {
        await db(c.env, (d) =>
          audit(d, { actor: actorOf(principalOf(c)), action: "account.top-up", target: `account:${row.id}`, old: null, new: input }),
        );
      }
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{thumbprint}/checkout",
      summary: "Start a top-up through a payment gateway; the balance is credited when its webhook confirms payment",
      ...securedAllSites("operator"),
      request: { params: ThumbprintParams, body: jsonBody(CheckoutSchema) },
      responses: {
        200: json(z.object({ gateway: z.string(), paymentId: z.string(), status: z.string() }), "the payment the gateway opened"),
        404: NOT_FOUND,
        502: json(z.object({ error: z.string(), message: z.string() }), "`gateway_refused`, `gateway_unreachable`"),
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const row = await mustFind(c.env, c.req.valid("param").thumbprint);
      const input = c.req.valid("json");
      const gateway = gatewayFor(c.env, input.gateway);
      let customerId = row.customerId;
      if (customerId === null) {
        const created = await gateway.createCustomer({ accountId: row.id, name: row.name, email: input.email ?? null });
        if (!created.ok) throw new AppError(502, created.error.code, created.error.message);
        customerId = created.value.customerId;
        const id = customerId;
        await db(c.env, (d) => d.update(crawlerAccounts).set({ customerId: id }).where(eq(crawlerAccounts.id, row.id)));
      }
      const payment = await gateway.topUp({
        customerId,
        accountId: row.id,
        micros: input.micros,
        // One payment per account, amount and minute: a double click or a retried request opens one payment.
        idempotencyKey: `topup:${row.thumbprint}:${input.micros}:${Math.floor(c.get("deps").now() / 60_000)}`,
      });
      if (!payment.ok) throw new AppError(payment.error.code === "invalid_amount" ? 400 : 502, payment.error.code, payment.error.message);
      return c.json({ gateway: gateway.name, ...payment.value }, 200);
    },
  );
