import { z } from "zod";
import type { ClientIp } from "../client-ip";
import { compilePayPerCrawl, type PayPerCrawl } from "../pay-per-crawl";
import type { RequestFacts } from "../request-facts";
import { fail, ok, type Result } from "../result";
import { compileSignerTrust, type SignerTrust } from "../web-bot-auth/trust";
import { compileIpList } from "./ip-list";
import { PRESETS } from "./presets";
import { REGEX_INPUT_MAX_CHARS } from "./regex-safety";
import { PolicySchema, type PresetName, type Rule, type Thresholds } from "./schema";
import { contentSignalRecord } from "../content-signals";

/** A rule with its matchers built once. `test` runs per request and allocates nothing. */
export interface CompiledRule {
  readonly name: string;
  readonly action: Rule["action"];
  readonly weight: number;
  /** Where the rule came from: the operator's policy or the preset. */
  readonly origin: "policy" | "preset";
  test(facts: RequestFacts, signals: ReadonlySet<string>): boolean;
}

/** A validated policy, ready to evaluate requests. */
export interface CompiledPolicy {
  readonly mode: "enforce" | "observe";
  readonly preset: PresetName;
  readonly thresholds: Thresholds;
  readonly signalWeights: Readonly<Record<string, number>>;
  readonly rules: readonly CompiledRule[];
  /** Web Bot Auth signers the operator trusts (with the bundled ones unless turned off). */
  readonly webBotAuth: SignerTrust;
  /** Crawler prices; null when the policy charges nothing. */
  readonly payPerCrawl: PayPerCrawl | null;
  /** The `Content-Signal` record of the managed robots.txt; null: the policy states none. */
  readonly contentSignal: string | null;
}

/**
 * Validates a policy document and builds its matchers once. The error text names the path of each bad
 * field (e.g. `rules[2].match.userAgent`), for operators.
 */
export function compilePolicy(input: unknown): Result<CompiledPolicy, string> {
  const parsed = PolicySchema.safeParse(input);
  if (!parsed.success) return fail(z.prettifyError(parsed.error));
  const policy = parsed.data;
  const preset = PRESETS[policy.preset];
  const rules: CompiledRule[] = [];
  const errors: string[] = [];
  const add = (list: readonly Rule[], origin: CompiledRule["origin"], prefix: string) =>
    list.forEach((rule, i) => {
      const compiled = compileRule(rule, origin);
      if (compiled.ok) rules.push(compiled.value);
      else errors.push(`✖ ${compiled.error}\n  → at ${prefix}[${i}].match.ip`);
    });
  add(policy.rules, "policy", "rules");
  add(preset.rules, "preset", `preset(${policy.preset}).rules`);
  if (errors.length > 0) return fail(errors.join("\n"));
  return ok({
    mode: policy.mode,
    preset: policy.preset,
    thresholds: policy.thresholds ?? preset.thresholds,
    signalWeights: policy.signalWeights,
    rules,
    webBotAuth: compileSignerTrust(policy.webBotAuth),
    payPerCrawl: policy.payPerCrawl === undefined ? null : compilePayPerCrawl(policy.payPerCrawl),
    contentSignal: contentSignalRecord(policy.contentSignals),
  });
}

/** What an operator regex runs against: at most REGEX_INPUT_MAX_CHARS, so even a slow pattern has a bounded cost. */
const capped = (text: string) => (text.length > REGEX_INPUT_MAX_CHARS ? text.slice(0, REGEX_INPUT_MAX_CHARS) : text);

function compileRule(rule: Rule, origin: CompiledRule["origin"]): Result<CompiledRule, string> {
  const m = rule.match;
  const tests: Array<(facts: RequestFacts, signals: ReadonlySet<string>) => boolean> = [];
  if (m.userAgent !== undefined) {
    const re = new RegExp(m.userAgent, "i");
    tests.push((f) => re.test(capped(f.userAgent)));
  }
  if (m.path !== undefined) {
    const re = new RegExp(m.path);
    tests.push((f) => re.test(capped(f.path)));
  }
  if (m.method !== undefined) {
    const methods = new Set(m.method);
    tests.push((f) => methods.has(f.method));
  }
  if (m.headers !== undefined) {
    const headerTests = Object.entries(m.headers).map(([name, source]) => [name, new RegExp(source, "i")] as const);
    tests.push((f) => headerTests.every(([name, re]) => re.test(capped(f.headers[name] ?? ""))));
  }
  if (m.ip !== undefined) {
    const list = compileIpList(m.ip);
    if (!list.ok) return fail(list.error);
    const contains = list.value;
    tests.push((f) => contains(f.ip as ClientIp));
  }
  if (m.asn !== undefined) {
    const asns = new Set(m.asn);
    tests.push((f) => f.cf.asn !== undefined && asns.has(f.cf.asn));
  }
  if (m.country !== undefined) {
    const countries = new Set(m.country);
    tests.push((f) => f.cf.country !== undefined && countries.has(f.cf.country));
  }
  if (m.signal !== undefined) {
    const wanted = m.signal;
    tests.push((_f, signals) => wanted.some((code) => signals.has(code)));
  }
  return ok({
    name: rule.name,
    action: rule.action,
    weight: rule.weight ?? 0,
    origin,
    test: (facts, signals) => tests.every((t) => t(facts, signals)),
  });
}
