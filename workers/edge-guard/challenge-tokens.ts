import { errors, jwtVerify, SignJWT } from "jose";
import type { z } from "zod";
import {
  bindingText,
  PASS_AUDIENCE,
  PASS_TTL_S,
  PassClaimsSchema,
  passPrefix,
  TICKET_AUDIENCE,
  TICKET_TTL_S,
  TicketClaimsSchema,
  type PassClaims,
  type SolveMethod,
  type TicketClaims,
} from "../../core/challenge";
import type { RequestFacts } from "../../core/request-facts";
import { fail, ok, type Result } from "../../core/result";
import { base64url } from "../../core/text";

// Tickets and passes are HS256 JWTs under TOKEN_SECRET; the audience keeps one kind from passing for the other.
const ALG = "HS256";
const ISSUER = "edge-guard";
/** Longest token accepted: a pass or ticket is ~300 characters. */
const MAX_TOKEN_CHARS = 2048;

/** Why a token was refused. Internal: logged, never shown to the client. */
export type TokenRefusal = "malformed" | "signature" | "expired" | "binding";

/** A refused ticket; `claims` is set when only the expiry failed (the signature was good), so the page can be re-issued. */
export interface TicketRefusal {
  readonly reason: TokenRefusal;
  readonly claims?: TicketClaims;
}

/** What a new ticket asks for. */
export interface TicketFields {
  readonly bits: number;
  readonly returnPath: string;
  readonly method: "pow" | "turnstile";
}

/** The client's binding: base64url of the first 16 bytes of SHA-256(prefix + "\n" + User-Agent). */
export async function bindingOf(facts: RequestFacts): Promise<string> {
  const digest = await sha256(bindingText(passPrefix(facts.ip), facts.userAgent));
  return base64url(digest.subarray(0, 16));
}

/** Signs a ticket for this client, with a fresh random nonce. */
export async function issueTicket(
  secret: string,
  facts: RequestFacts,
  fields: TicketFields,
  now: number,
): Promise<{ token: string; claims: TicketClaims }> {
  const iat = Math.floor(now / 1000);
  const claims: TicketClaims = {
    aud: TICKET_AUDIENCE,
    n: base64url(crypto.getRandomValues(new Uint8Array(16))),
    d: fields.bits,
    r: fields.returnPath,
    b: await bindingOf(facts),
    m: fields.method,
    iat,
    exp: iat + TICKET_TTL_S,
  };
  return { token: await sign(secret, claims), claims };
}

/** Checks a ticket's signature, expiry and binding to this client. */
export async function verifyTicket(
  secret: string,
  token: string,
  facts: RequestFacts,
  now: number,
): Promise<Result<TicketClaims, TicketRefusal>> {
  const verified = await verifyJwt(secret, token, TICKET_AUDIENCE, TicketClaimsSchema, now);
  if (!verified.ok) {
    const expired = verified.error.reason === "expired" ? TicketClaimsSchema.safeParse(verified.error.payload) : null;
    return fail({ reason: verified.error.reason, claims: expired?.success ? expired.data : undefined });
  }
  if (verified.value.b !== (await bindingOf(facts))) return fail({ reason: "binding" });
  return verified;
}

/** Signs a pass for this client, valid PASS_TTL_S. */
export async function issuePass(secret: string, facts: RequestFacts, method: SolveMethod, now: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  const claims: PassClaims = { aud: PASS_AUDIENCE, b: await bindingOf(facts), m: method, iat, exp: iat + PASS_TTL_S };
  return sign(secret, claims);
}

/** Checks a pass's signature, expiry and binding (same IP prefix and User-Agent as when it was earned). */
export async function verifyPass(
  secret: string,
  token: string,
  facts: RequestFacts,
  now: number,
): Promise<Result<PassClaims, TokenRefusal>> {
  const verified = await verifyJwt(secret, token, PASS_AUDIENCE, PassClaimsSchema, now);
  if (!verified.ok) return fail(verified.error.reason);
  if (verified.value.b !== (await bindingOf(facts))) return fail("binding");
  return verified;
}

/** SHA-256 of a UTF-8 string. */
export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

async function sign(secret: string, claims: TicketClaims | PassClaims): Promise<string> {
  const { aud, iat, exp, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: ALG, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(aud)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key(secret));
}

interface JwtRefusal {
  readonly reason: TokenRefusal;
  readonly payload?: unknown;
}

async function verifyJwt<S extends z.ZodType>(
  secret: string,
  token: string,
  audience: string,
  schema: S,
  now: number,
): Promise<Result<z.infer<S>, JwtRefusal>> {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return fail({ reason: "malformed" });
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: [ALG], issuer: ISSUER, audience, currentDate: new Date(now) });
    const parsed = schema.safeParse(payload);
    return parsed.success ? ok(parsed.data) : fail({ reason: "malformed" });
  } catch (error) {
    // jose checks the signature before the claims, so an expired token's payload is authentic.
    if (error instanceof errors.JWTExpired) return fail({ reason: "expired", payload: error.payload });
    if (error instanceof errors.JWSSignatureVerificationFailed) return fail({ reason: "signature" });
    if (error instanceof errors.JOSEError) return fail({ reason: "malformed" });
    throw error;
  }
}
