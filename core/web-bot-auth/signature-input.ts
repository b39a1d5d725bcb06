import { integerParam, parseDictionary, parseItem, serializeMember, textParam, type InnerList, type Member } from "../structured-fields";

// Web Bot Auth: RFC 9421 HTTP Message Signatures profiled for bots.
// Profile: https://datatracker.ietf.org/doc/draft-meunier-webbotauth-httpsig-protocol/ (formerly
// draft-meunier-web-bot-auth-architecture). Signature base: https://www.rfc-editor.org/rfc/rfc9421#section-2.5

type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };
const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });

/**
 * The parts of a request a signature covers. `url` is absolute and WHATWG-serialised (as `Request.url`);
 * header names are lower-case, repeated fields already joined with ", " (RFC 9421 §2.1).
 */
export interface SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The `tag` a Web Bot Auth signature carries; other signatures are ignored (protocol draft §"Validating"). */
export const WEB_BOT_AUTH_TAG = "web-bot-auth";
/** How far in the future `created` may be, in seconds, to absorb the signer's clock drift. */
export const SIGNATURE_CLOCK_SKEW_S = 60;
/**
 * Longest validity window (`expires` − `created`) accepted, in seconds. The protocol draft caps it at 24 hours
 * (§"Generating HTTP Message Signature"): a longer-lived signature is refused, so one capture cannot replay for long.
 */
export const SIGNATURE_MAX_LIFETIME_S = 24 * 60 * 60;

/** Why a Web Bot Auth signature was rejected before any cryptography. Stable codes, logged, never sent. */
export type SignatureFailure =
  | "malformed_signature_headers"
  | "missing_signature"
  | "unsupported_alg"
  | "missing_keyid"
  | "missing_created"
  | "missing_expires"
  | "not_yet_valid"
  | "expired"
  | "lifetime_too_long"
  | "inverted_window"
  | "authority_not_covered"
  | "missing_signature_agent"
  | "agent_not_covered"
  | "unsupported_agent"
  | "missing_component"
  | "unsupported_component"
  | "duplicate_component";

/** A Web Bot Auth signature whose parameters passed validation; the Worker still has to check the bytes. */
export interface WebBotAuthSignature {
  readonly label: string;
  /** JWK SHA-256 thumbprint (RFC 7638) of the signing key, base64url. */
  readonly keyid: string;
  /** Epoch seconds, as in the `created` and `expires` parameters. */
  readonly createdS: number;
  readonly expiresS: number;
  /** The signature bytes, base64 (as sent in the Signature field). */
  readonly signature: string;
  /** Origin of the key directory named by the covered Signature-Agent member, e.g. `https://bot.example`. */
  readonly agentOrigin: string;
  /** The RFC 9421 signature base the signature must verify over. */
  readonly base: string;
  /** Names of the covered components, e.g. `@authority`, `crawler-exact-price` (what the signature vouches for). */
  readonly covered: readonly string[];
  /** The `nonce` parameter, when the signer sent one (the protocol draft recommends it against replay). */
  readonly nonce: string | null;
}

/** Options of readWebBotAuthSignature. */
export interface ReadOptions {
  /**
   * Loopback `http://` directory origins accepted as Signature-Agent, for local testing only (see
   * `dev-directories.ts`). Empty in production: only public https origins are ever fetched.
   */
  readonly devDirectoryOrigins?: ReadonlySet<string>;
}

/**
 * Finds the first `tag="web-bot-auth"` signature of a request and checks everything but the cryptography.
 * Null when the request carries no such signature (unsigned, or signed for another purpose): nothing to verify.
 */
export function readWebBotAuthSignature(
  request: SignedRequest,
  nowMs: number,
  options: ReadOptions = {},
): Result<WebBotAuthSignature, SignatureFailure> | null {
  const inputField = request.headers["signature-input"];
  const signatureField = request.headers["signature"];
  if (inputField === undefined && signatureField === undefined) return null;
  const inputs = parseDictionary(inputField ?? "");
  const signatures = parseDictionary(signatureField ?? "");
  if (inputs === null || signatures === null) return fail("malformed_signature_headers");
  const found = [...inputs].find(([, m]) => m.kind === "inner-list" && textParam(m.params, "tag") === WEB_BOT_AUTH_TAG);
  if (found === undefined) return null;
  const [label, member] = found;
  if (member.kind !== "inner-list") return null;

  const params = member.params;
  const alg = params.get("alg");
  if (alg !== undefined && !(alg.type === "string" && alg.value === "ed25519")) return fail("unsupported_alg");
  const keyid = textParam(params, "keyid");
  if (keyid === null) return fail("missing_keyid");
  // The profile makes `created` and `expires` mandatory (draft §"Generating HTTP Message Signature").
  const createdS = integerParam(params, "created");
  if (createdS === null) return fail("missing_created");
  const expiresS = integerParam(params, "expires");
  if (expiresS === null) return fail("missing_expires");
  if (createdS * 1000 > nowMs + SIGNATURE_CLOCK_SKEW_S * 1000) return fail("not_yet_valid");
  if (expiresS * 1000 <= nowMs) return fail("expired");
  if (expiresS <= createdS) return fail("inverted_window");
  if (expiresS - createdS > SIGNATURE_MAX_LIFETIME_S) return fail("lifetime_too_long");

  const signature = signatures.get(label);
  if (signature?.kind !== "item" || signature.value.type !== "bytes") return fail("missing_signature");
  const names = member.items.map((item) => (item.value.type === "string" ? item.value.value : ""));
  if (!names.includes("@authority") && !names.includes("@target-uri")) return fail("authority_not_covered");

  const agentOrigin = coveredAgentOrigin(request, label, member, options.devDirectoryOrigins);
  if (!agentOrigin.ok) return agentOrigin;
  const base = signatureBase(request, member);
  if (!base.ok) return base;
  const nonce = textParam(params, "nonce");
  return ok({
    label,
    keyid,
    createdS,
    expiresS,
    signature: signature.value.value,
    agentOrigin: agentOrigin.value,
    base: base.value,
    covered: names,
    nonce,
  });
}

/** Builds the RFC 9421 §2.5 signature base of `request` for one Signature-Input member (its covered components). */
export function signatureBase(request: SignedRequest, input: InnerList): Result<string, SignatureFailure> {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const component of input.items) {
    const id = serializeMember(component);
    if (seen.has(id)) return fail("duplicate_component");
    seen.add(id);
    const value = componentValue(request, component);
    if (!value.ok) return value;
    lines.push(`${id}: ${value.value}`);
  }
  lines.push(`"@signature-params": ${serializeMember(input)}`);
  return ok(lines.join("\n"));
}

/**
 * The directory origin a Signature-Agent value names, or null when it is not one edge-guard will fetch.
 * Rule: `https://` only (protocol draft §"Signature-Agent"), an origin with at most a `/` path (§"directory"
 * type), and never `localhost` or an IP literal (§"SSRF": clients choose this URL). Local tests use a separate,
 * dev-only allow-list of loopback origins (`dev-directories.ts`), never a loosening of this rule.
 */
export function directoryOrigin(value: string): string | null {
  const match = /^https:\/\/([a-z0-9.-]+)(:\d{1,5})?\/?$/i.exec(value);
  if (match === null) return null;
  const host = (match[1] ?? "").toLowerCase();
  // A last label that is a number makes the host an IPv4 address to WHATWG URL parsing ("0x7f.1" is 127.0.0.1).
  const ipLike = /(?:^|\.)(?:\d+|0x[0-9a-f]*)\.?$/i.test(host);
  if (ipLike || host === "localhost" || host.endsWith(".localhost") || !host.includes(".")) return null;
  const port = match[2] === ":443" ? "" : (match[2] ?? "");
  return `https://${host}${port}`;
}

function coveredAgentOrigin(
  request: SignedRequest,
  label: string,
  input: InnerList,
  devOrigins: ReadonlySet<string> | undefined,
): Result<string, SignatureFailure> {
  const field = request.headers["signature-agent"];
  if (field === undefined) return fail("missing_signature_agent");
  const covered = input.items.find((item) => item.value.type === "string" && item.value.value === "signature-agent");
  if (covered === undefined) return fail("agent_not_covered"); // a verifier must not use an uncovered member
  const key = textParam(covered.params, "key");
  let member: Member | undefined;
  if (key !== null) member = parseDictionary(field)?.get(key);
  else if (field.trimStart().startsWith('"'))
    member = parseItem(field) ?? undefined; // legacy bare-String form
  else member = parseDictionary(field)?.get(label); // the whole dictionary is covered: take this label's member
  if (member === undefined) return fail("missing_signature_agent"); // no member under the covered key
  if (member.kind !== "item" || member.value.type !== "string") return fail("unsupported_agent");
  const type = textParam(member.params, "type");
  if (type !== null && type !== "directory") return fail("unsupported_agent"); // jwks_uri / cimd: not supported
  const origin = directoryOrigin(member.value.value) ?? devOrigin(member.value.value, devOrigins);
  return origin === null ? fail("unsupported_agent") : ok(origin);
}

/** A loopback origin the operator named for local testing, normalised, or null. */
function devOrigin(value: string, devOrigins: ReadonlySet<string> | undefined): string | null {
  if (devOrigins === undefined || devOrigins.size === 0) return null;
  const origin = loopbackOrigin(value);
  return origin !== null && devOrigins.has(origin) ? origin : null;
}

/**
 * A loopback `http://` origin (`127.0.0.1`, `localhost` or `[::1]`, port required), normalised, or null.
 * Only ever accepted when named in the dev-only allow-list; never a directory edge-guard fetches in production.
 */
export function loopbackOrigin(value: string): string | null {
  const match = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})\/?$/i.exec(value.trim());
  if (match === null) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return `http://${(match[1] ?? "").toLowerCase()}:${port}`;
}

const DERIVED = ["@method", "@authority", "@scheme", "@target-uri", "@request-target", "@path", "@query"] as const;

function componentValue(request: SignedRequest, component: Member): Result<string, SignatureFailure> {
  if (component.kind !== "item" || component.value.type !== "string") return fail("malformed_signature_headers");
  const name = component.value.value;
  const paramKeys = [...component.params.keys()];
  if (name.startsWith("@")) {
    const derived = DERIVED.find((d) => d === name);
    if (derived === undefined || paramKeys.length > 0) return fail("unsupported_component");
    const parts = splitUrl(request.url);
    return parts === null ? fail("missing_component") : ok(derivedValue(derived, request.method, parts));
  }
  // Field names are lower-case in signature bases (RFC 9421 §2.1); only the `key` parameter is supported.
  if (name !== name.toLowerCase() || paramKeys.some((k) => k !== "key")) return fail("unsupported_component");
  const value = request.headers[name];
  if (value === undefined) return fail("missing_component");
  const key = textParam(component.params, "key");
  if (key === null) return ok(value.trim());
  const member = parseDictionary(value)?.get(key); // RFC 9421 §2.1.2: the member re-serialised
  return member === undefined ? fail("missing_component") : ok(serializeMember(member));
}

interface UrlParts {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  /** `?` and the query, or `?` alone when there is none (RFC 9421 §2.2.7). */
  readonly query: string;
  readonly targetUri: string;
}

function splitUrl(url: string): UrlParts | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)(\?[^#]*)?/i.exec(url);
  if (match === null) return null;
  const scheme = (match[1] ?? "").toLowerCase();
  const defaultPort = scheme === "https" ? ":443" : scheme === "http" ? ":80" : null;
  let authority = (match[2] ?? "").toLowerCase(); // RFC 9421 §2.2.3: normalised host, default port omitted
  if (defaultPort !== null && authority.endsWith(defaultPort)) authority = authority.slice(0, -defaultPort.length);
  const path = match[3] === "" || match[3] === undefined ? "/" : match[3];
  return { scheme, authority, path, query: match[4] ?? "?", targetUri: match[0] };
}

function derivedValue(name: (typeof DERIVED)[number], method: string, url: UrlParts): string {
  switch (name) {
    case "@method":
      return method;
    case "@authority":
      return url.authority;
    case "@scheme":
      return url.scheme;
    case "@target-uri":
      return url.targetUri;
    case "@request-target":
      return url.query === "?" ? url.path : url.path + url.query;
    case "@path":
      return url.path;
    case "@query":
      return url.query;
  }
}
