import { parseIp, type ClientIp } from "../core/client-ip";
import type { CfFacts } from "../core/report";
import { requestFacts, type RequestFacts } from "../core/request-facts";
import { evaluateRules } from "../core/rules/evaluate";
import type { PluginRule, RuleHit } from "../core/rules/plugin";

/** What a rule's test may set besides the request: the client's address, `request.cf` fields, the time (epoch ms). */
export interface FactOptions {
  readonly ip?: string;
  readonly cf?: CfFacts;
  readonly at?: number;
}

/**
 * The facts the edge reads from a request, for a rule's test: `factsFor("/wp-login.php")`, or a Request with headers.
 * The same reader as the edge's (core/request-facts.ts); the address defaults to a documentation one.
 */
export function factsFor(request: Request | string, options: FactOptions = {}): RequestFacts {
  const r = typeof request === "string" ? new Request(new URL(request, "https://site.test")) : request;
  const ip = parseIp(options.ip ?? "192.0.2.10");
  if (ip === null) throw new Error(`not an IP address: ${options.ip}`);
  return requestFacts(
    { method: r.method, path: new URL(r.url).pathname, headers: r.headers },
    ip as ClientIp,
    options.cf ?? {},
    options.at ?? 0,
  );
}

/** A rule's hits for a request, as the edge evaluates it (throws what the rule throws, so a test sees it). */
export function hitsOf(rule: PluginRule, request: Request | string, options?: FactOptions): readonly RuleHit[] {
  const outcome = evaluateRules([rule], factsFor(request, options));
  const [failure] = outcome.failed;
  if (failure !== undefined) throw failure.error;
  return outcome.reasons.map((r) => (r.detail === undefined ? {} : { detail: r.detail }));
}
