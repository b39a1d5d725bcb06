import { z } from "zod";
import { directoryOrigin, loopbackOrigin } from "./signature-input";

// A valid Web Bot Auth signature proves who signed, not that the signer is welcome: anyone can publish a key
// directory. Trust is the operator's: only signers named here (or in the bundled list) count as wanted bots.

/** A JWK SHA-256 thumbprint (RFC 7638), base64url without padding: 43 characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * A directory origin as the verifier normalises it: `https://host[:port]`, or a loopback `http://127.0.0.1:PORT`
 * (only ever reachable through the dev-only WEB_BOT_AUTH_DEV_DIRECTORIES, so harmless in production).
 */
const SignerOrigin = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const origin = directoryOrigin(value) ?? loopbackOrigin(value);
    if (origin === null) {
      ctx.addIssue({ code: "custom", message: "a directory origin such as https://signer.example (no path, no IP address)" });
      return z.NEVER;
    }
    return origin;
  });

/** One signer an operator trusts: by directory origin (any key it lists) or by one key's thumbprint. */
export const TrustedSignerSchema = z.union([
  z.strictObject({ origin: SignerOrigin, name: z.string().min(1).max(60).optional() }),
  z.strictObject({
    thumbprint: z.string().regex(THUMBPRINT, "a JWK SHA-256 thumbprint (RFC 7638), 43 base64url characters"),
    name: z.string().min(1).max(60).optional(),
  }),
]);

/** The `webBotAuth` section of a policy. */
export const WebBotAuthPolicySchema = z.strictObject({
  /** Signers whose valid signatures are welcome (signal `web-bot-auth`); every other signer is an identified bot. */
  trustedSigners: z.array(TrustedSignerSchema).max(200).default([]),
  /** Also trust BUNDLED_TRUSTED_SIGNERS. `false`: only `trustedSigners` (the operator replaces the bundled list). */
  bundledSigners: z.boolean().default(true),
});

export type TrustedSigner = z.infer<typeof TrustedSignerSchema>;
export type WebBotAuthPolicy = z.infer<typeof WebBotAuthPolicySchema>;

/**
 * Well-known signers trusted unless a policy sets `bundledSigners: false`. Kept short on purpose: an entry is
 * listed only where its operator documents the Signature-Agent origin.
 * - ChatGPT agent: "Each request includes a Signature and Signature-Input set of headers and a companion
 *   Signature-Agent header set to "https://chatgpt.com"" (OpenAI, https://help.openai.com/en/articles/11845367).
 * Not listed, because no public page gives the origin their requests name: Cloudflare Browser Rendering (its
 * docs link the directory without naming it), Browserbase (beta, on request). Operators add them by origin.
 */
export const BUNDLED_TRUSTED_SIGNERS: readonly TrustedSigner[] = [{ origin: "https://chatgpt.com", name: "chatgpt-agent" }];

/** A policy's trust list, indexed once when the policy compiles. */
export interface SignerTrust {
  readonly byOrigin: ReadonlyMap<string, string>;
  readonly byThumbprint: ReadonlyMap<string, string>;
}

/** Indexes the trusted signers of a policy section (bundled ones first, so the operator's names win). */
export function compileSignerTrust(section: WebBotAuthPolicy | undefined): SignerTrust {
  const entries = [...(section?.bundledSigners === false ? [] : BUNDLED_TRUSTED_SIGNERS), ...(section?.trustedSigners ?? [])];
  const byOrigin = new Map<string, string>();
  const byThumbprint = new Map<string, string>();
  for (const entry of entries) {
    if ("origin" in entry) byOrigin.set(entry.origin, entry.name ?? entry.origin);
    else byThumbprint.set(entry.thumbprint, entry.name ?? entry.thumbprint);
  }
  return { byOrigin, byThumbprint };
}

/**
 * The name of the trusted signer behind a verified signature (its directory origin and key thumbprint), or null
 * for a signer the operator does not trust. A thumbprint entry trusts that key whichever directory lists it.
 */
export function trustedSignerName(trust: SignerTrust, agentOrigin: string, keyid: string): string | null {
  return trust.byThumbprint.get(keyid) ?? trust.byOrigin.get(agentOrigin) ?? null;
}
