// The secrets each Worker reads (its env.ts `…Secrets` interface), where a deploy gets their values, and how it
// checks them. Values come from the environment first; a missing required one is asked for (never echoed), a
// missing random one is generated. Values are never printed or passed on a command line (stdin only).
import { randomBytes } from "node:crypto";
import { generatePeerKeyPair } from "../ops/peer-key";

/** Where a value comes from when the environment does not have it. */
export type SecretSource =
  | { readonly kind: "ask"; readonly about: string } // the operator must give it (e.g. the database)
  | { readonly kind: "generate"; readonly make: () => Promise<string> } // random; generated once, kept by Cloudflare
  | { readonly kind: "optional" }; // set only when the environment has it

export interface SecretSpec {
  readonly name: string;
  /** Worker names (wrangler `name`) that get it. */
  readonly workers: readonly string[];
  readonly source: SecretSource;
  /** Refuses a bad value with a message that never contains the value. */
  readonly check?: (value: string) => string | null;
}

const random = (bytes: number) => async () => randomBytes(bytes).toString("base64url");
const minLength = (n: number) => (value: string) => (value.length >= n ? null : `must be at least ${n} characters`);

/** Every secret of the four Workers (a test holds this list to the Workers' env.ts files). */
export const SECRETS: readonly SecretSpec[] = [
  {
    name: "DATABASE_URL",
    workers: ["edge-guard-tarpit", "edge-guard-escalation", "edge-guard-admin"],
    source: {
      kind: "ask",
      about: "Postgres connection string (Neon), e.g. postgresql://user:password@ep-….neon.tech/neondb?sslmode=require",
    },
    check: (v) => (/^postgres(ql)?:\/\/[^\s]+$/.test(v) ? null : "must be a postgres:// or postgresql:// URL"),
  },
  { name: "TOKEN_SECRET", workers: ["edge-guard"], source: { kind: "generate", make: random(32) }, check: minLength(32) },
  { name: "SESSION_SECRET", workers: ["edge-guard-admin"], source: { kind: "generate", make: random(32) }, check: minLength(32) },
  { name: "METRICS_TOKEN", workers: ["edge-guard-admin"], source: { kind: "generate", make: random(24) }, check: minLength(16) },
  {
    name: "PEER_SIGNING_JWK",
    workers: ["edge-guard-admin"],
    source: { kind: "generate", make: async () => JSON.stringify((await generatePeerKeyPair()).privateJwk) },
    check: (v) => (/^\{.*"d"\s*:/.test(v) ? null : "must be a private JWK (JSON with a d member)"),
  },
  { name: "LABYRINTH_SECRET", workers: ["edge-guard-tarpit"], source: { kind: "generate", make: random(32) } },
  { name: "LLM_API_KEY", workers: ["edge-guard-escalation"], source: { kind: "optional" } },
  {
    name: "ALERT_WEBHOOK_URL",
    workers: ["edge-guard-escalation"],
    source: { kind: "optional" },
    check: (v) => (v.startsWith("https://") ? null : "must be an https:// URL"),
  },
  { name: "TURNSTILE_SITE_KEY", workers: ["edge-guard"], source: { kind: "optional" } },
  { name: "TURNSTILE_SECRET", workers: ["edge-guard"], source: { kind: "optional" } },
  // Pay per crawl top-ups: set from the environment when present (both Stripe values, or the generic gateway's).
  {
    name: "STRIPE_SECRET_KEY",
    workers: ["edge-guard-admin"],
    source: { kind: "optional" },
    check: (v) => (/^(sk|rk)_(live|test)_\S+$/.test(v) ? null : "must be a Stripe secret or restricted key (sk_… / rk_…)"),
  },
  {
    name: "STRIPE_WEBHOOK_SECRET",
    workers: ["edge-guard-admin"],
    source: { kind: "optional" },
    check: (v) => (v.startsWith("whsec_") ? null : "must be a webhook signing secret (whsec_…)"),
  },
  { name: "PAYMENTS_HTTP_TOKEN", workers: ["edge-guard-admin"], source: { kind: "optional" } },
  { name: "PAYMENTS_HTTP_WEBHOOK_SECRET", workers: ["edge-guard-admin"], source: { kind: "optional" }, check: minLength(32) },
];

/** Secret specs naming a Worker no config defines (the list went stale). */
export function secretProblems(specs: readonly SecretSpec[], workerNames: readonly string[]): string[] {
  return specs.flatMap((s) =>
    s.workers.filter((w) => !workerNames.includes(w)).map((w) => `secret ${s.name} is meant for Worker "${w}", which no config defines`),
  );
}

/** Asks the operator for one value without echoing it; null when nobody can answer (no terminal). */
export type Ask = (name: string, about: string) => Promise<string | null>;

/** What the deploy will set: one value per secret name (the same value on every Worker that takes it). */
export type SecretValues = ReadonlyMap<string, { readonly value: string; readonly origin: "environment" | "asked" | "generated" }>;

/**
 * Values for the secrets some Worker still lacks (`missing`: secret name → Worker names). Environment first, then
 * asked or generated; an optional secret absent from the environment is skipped. Throws, naming the secret, when a
 * required one cannot be had or a value fails its check.
 */
export async function resolveSecrets(
  specs: readonly SecretSpec[],
  missing: ReadonlySet<string>,
  environment: Readonly<Record<string, string | undefined>>,
  ask: Ask,
): Promise<SecretValues> {
  const values = new Map<string, { value: string; origin: "environment" | "asked" | "generated" }>();
  for (const spec of specs) {
    if (!missing.has(spec.name)) continue;
    const fromEnv = environment[spec.name];
    let entry: { value: string; origin: "environment" | "asked" | "generated" } | null = null;
    if (fromEnv !== undefined && fromEnv !== "") entry = { value: fromEnv, origin: "environment" };
    else if (spec.source.kind === "generate") entry = { value: await spec.source.make(), origin: "generated" };
    else if (spec.source.kind === "ask") {
      const answer = await ask(spec.name, spec.source.about);
      if (answer === null || answer === "")
        throw new Error(
          `secret ${spec.name} is needed (${spec.source.about}): set it in the environment, e.g. ${spec.name}=… npm run deploy`,
        );
      entry = { value: answer, origin: "asked" };
    }
    if (entry === null) continue;
    const problem = spec.check?.(entry.value) ?? null;
    if (problem !== null)
      throw new Error(`secret ${spec.name} (from ${entry.origin === "asked" ? "your answer" : "the environment"}) ${problem}`);
    values.set(spec.name, entry);
  }
  return values;
}
