import type { RequestFacts } from "../request-facts";

/** One finding of a plugin rule: becomes one reason `rule:<name>` with the rule's weight and this detail. */
export interface RuleHit {
  /** Short operator-facing detail (the matched path, header, token…); cut to 100 characters. Never sent to the client. */
  readonly detail?: string;
}

/** What an operator writes in `rules/<name>.ts`: a pure function over one request's facts, with its name and weight. */
export interface RuleDefinition {
  /** Lower-case letters, digits and dashes; the reason code is `rule:<name>` (GET /api/signals lists it). */
  readonly name: string;
  /** Default weight of each hit (positive: more bot-like); the policy's `signalWeights` may override it by code. */
  readonly weight: number;
  /** One line for the dashboard and GET /api/signals. */
  readonly description: string;
  /**
   * The findings for one request, or null (or []) for none. Pure: no I/O, no clock, no state between requests
   * (rules/ is type-checked with core's settings, so `fetch`, `Request` and `console` do not exist there).
   * A throw fails open: the request is decided without this rule, and the edge counts a `rule` fault.
   */
  readonly evaluate: (facts: RequestFacts) => readonly RuleHit[] | null;
}

/** A checked rule definition with its reason code. */
export interface PluginRule extends RuleDefinition {
  readonly code: `rule:${string}`;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** The weight range a policy's `signalWeights` accepts too. */
export const MAX_RULE_WEIGHT = 1000;

/**
 * Checks a rule definition and gives it its reason code. Throws on a bad name, weight or description: the rule's own
 * test and `npm run typecheck` (the generated index) load every rule, so a broken definition never reaches a deploy.
 */
export function defineRule(definition: RuleDefinition): PluginRule {
  const { name, weight, description, evaluate } = definition;
  if (!NAME.test(name)) throw new Error(`rule name ${JSON.stringify(name)}: use 1-40 lower-case letters, digits and dashes`);
  if (!Number.isInteger(weight) || Math.abs(weight) > MAX_RULE_WEIGHT)
    throw new Error(`rule ${name}: weight must be a whole number from -${MAX_RULE_WEIGHT} to ${MAX_RULE_WEIGHT}`);
  if (description.trim() === "" || description.length > 200 || description.includes("\n"))
    throw new Error(`rule ${name}: description must be one line of at most 200 characters`);
  if (typeof evaluate !== "function") throw new Error(`rule ${name}: evaluate must be a function`);
  return { name, weight, description, evaluate, code: `rule:${name}` };
}
