import { fail, ok, type Result } from "../result";
import { serializeMember, type BareItem, type InnerList, type Item } from "../structured-fields";
import { WEB_BOT_AUTH_TAG, signatureBase, type SignatureFailure, type SignedRequest } from "./signature-input";

// The signing half of Web Bot Auth (draft-meunier-webbotauth-httpsig-protocol; RFC 9421 §2.3, §3.1): the fields a
// signer sends and the signature base it signs, built with the very `signatureBase` the verifier checks against, so
// the two can never disagree. The Ed25519 signing itself is the caller's (core has no crypto).

/** The label of the one signature a Web Bot Auth request carries. */
export const SIGNATURE_LABEL = "sig1";

/** What one signature covers and states. Epoch seconds; `covered` are extra request headers (lower-case names). */
export interface SigningParams {
  /** The signer's key-directory origin, sent as the Signature-Agent member. */
  readonly agent: string;
  /** JWK SHA-256 thumbprint of the signing key (RFC 7638), base64url. */
  readonly keyid: string;
  readonly createdS: number;
  readonly expiresS: number;
  /** Unique per signed request (the protocol draft recommends it against replay). */
  readonly nonce: string;
  /** Request headers to cover besides @authority and Signature-Agent, e.g. `crawler-exact-price`. */
  readonly covered: readonly string[];
}

/** The headers to send (Signature added once `base` is signed) and the signature base to sign. */
export interface SigningInput {
  readonly headers: { readonly "signature-agent": string; readonly "signature-input": string };
  readonly base: string;
}

const text = (value: string): BareItem => ({ type: "string", value });
const component = (name: string, params: ReadonlyArray<readonly [string, BareItem]> = []): Item => ({
  kind: "item",
  value: text(name),
  params: new Map(params),
});

/**
 * The Signature-Agent and Signature-Input fields of a request and its RFC 9421 signature base. `request.headers` must
 * hold every `covered` header (lower-case names); a missing one is `missing_component`.
 */
export function webBotAuthSigningInput(request: SignedRequest, params: SigningParams): Result<SigningInput, SignatureFailure> {
  const agentField = `${SIGNATURE_LABEL}=${serializeMember(component(params.agent))}`;
  const input: InnerList = {
    kind: "inner-list",
    items: [
      component("@authority"),
      component("signature-agent", [["key", text(SIGNATURE_LABEL)]]),
      ...params.covered.map((name) => component(name.toLowerCase())),
    ],
    params: new Map<string, BareItem>([
      ["created", { type: "integer", value: params.createdS }],
      ["expires", { type: "integer", value: params.expiresS }],
      ["keyid", text(params.keyid)],
      ["alg", text("ed25519")],
      ["nonce", text(params.nonce)],
      ["tag", text(WEB_BOT_AUTH_TAG)],
    ]),
  };
  const base = signatureBase({ ...request, headers: { ...request.headers, "signature-agent": agentField } }, input);
  if (!base.ok) return fail(base.error);
  return ok({
    headers: { "signature-agent": agentField, "signature-input": `${SIGNATURE_LABEL}=${serializeMember(input)}` },
    base: base.value,
  });
}

/** The Signature field for the signature bytes (base64) over a SigningInput's base. */
export function signatureField(signatureBase64: string): string {
  return `${SIGNATURE_LABEL}=:${signatureBase64}:`;
}
