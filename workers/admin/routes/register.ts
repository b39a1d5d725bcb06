import { createRoute, z } from "@hono/zod-openapi";
import { count, eq } from "drizzle-orm";
import { crawlerAccounts } from "../../../adapters/db/schema";
import { AppError } from "../../../adapters/http";
import { AccountStateSchema, accountId } from "../../../core/crawler-account";
// The edge's verifier, shared as is (it imports only core, jose and zod); it belongs in adapters/ once both sides agree.
import { DirectoryCache, verifyWebBotAuth } from "../../edge-guard/web-bot-auth";
import { adminRouter } from "../router";
import { ErrorSchema, json, jsonBody } from "../schemas";
import { audit } from "../store/audit";
import { db } from "../store/db";
import { findAccount } from "../store/ledger";

/** Self-registered accounts waiting for the operator, at most: past it, registration answers 429 until some are handled. */
export const PENDING_REGISTRATIONS_MAX = 500;

let directories: DirectoryCache | null = null;
/** Key directories fetched for registrations, per isolate (tests put a signer's keys here, as the edge tests do). */
export const registrationDirectories = (): DirectoryCache => (directories ??= new DirectoryCache());

const RegistrationSchema = z
  .strictObject({
    name: z.string().min(1).max(100).openapi({ example: "ExampleBot" }),
    contact: z.string().max(200).optional().openapi({ example: "mailto:crawler-ops@crawler.example" }),
  })
  .openapi("AccountRegistration");

const RegisteredSchema = z
  .object({ id: z.string(), state: AccountStateSchema.openapi({ description: "`pending` until the operator approves" }) })
  .openapi("AccountRegistered");

/**
 * Self-registration: a crawler asks for a pay-per-crawl account by sending this request signed with Web Bot Auth; the
 * verified key (thumbprint) and its directory's origin become the account, `pending` until an operator approves.
 */
export const registerRoutes = adminRouter().openapi(
  createRoute({
    method: "post",
    path: "/register",
    summary: "A crawler asks for an account, proving its key with a Web Bot Auth signature (public)",
    "x-required-role": "public",
    description:
      'Sign this request as you sign your crawls (RFC 9421, `tag="web-bot-auth"`, Signature-Agent naming your key directory). The account starts `pending`; registering again answers its current state.',
    request: { body: jsonBody(RegistrationSchema) },
    responses: {
      201: json(RegisteredSchema, "registered, pending approval"),
      200: json(RegisteredSchema, "this key already has an account"),
      401: { description: "`signature_required`, `signature_invalid`", content: { "application/json": { schema: ErrorSchema } } },
      429: {
        description: "`registration_closed`: too many registrations await approval",
        content: { "application/json": { schema: ErrorSchema } },
      },
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const now = c.get("deps").now();
    const outcome = await verifyWebBotAuth(c.req.raw, now, registrationDirectories());
    if (outcome === null)
      throw new AppError(401, "signature_required", 'sign this request with your Web Bot Auth key (tag="web-bot-auth")');
    if (!outcome.verified) {
      console.warn(JSON.stringify({ code: "registration_signature_refused", reason: outcome.reason }));
      throw new AppError(401, "signature_invalid", "the Web Bot Auth signature did not verify against your key directory");
    }
    const existing = await db(c.env, (d) => findAccount(d, outcome.keyid));
    if (existing !== null) return c.json({ id: existing.id, state: AccountStateSchema.catch("pending").parse(existing.state) }, 200);
    const pending = await db(c.env, (d) =>
      d
        .select({ n: count() })
        .from(crawlerAccounts)
        .where(eq(crawlerAccounts.state, "pending"))
        .then((rows) => rows[0]?.n ?? 0),
    );
    if (pending >= PENDING_REGISTRATIONS_MAX)
      throw new AppError(429, "registration_closed", "registration is closed for now; try again later");
    const id = accountId(outcome.keyid, outcome.agent);
    try {
      await c.env.CRAWLER_ACCOUNT.getByName(id).configure(id, { state: "pending" });
    } catch (error) {
      throw new AppError(503, "account_unavailable", "registration is unavailable for now; try again later", { cause: error });
    }
    await db(c.env, (d) =>
      d.transaction(async (tx) => {
        await tx.insert(crawlerAccounts).values({
          id,
          thumbprint: outcome.keyid,
          directory: outcome.agent,
          name: input.name,
          origin: "self",
          contact: input.contact ?? null,
          state: "pending",
        });
        await audit(tx, { actor: `crawler:${outcome.agent}`, action: "account.register", target: `account:${id}`, old: null, new: input });
      }),
    );
    return c.json({ id, state: "pending" as const }, 201);
  },
);
