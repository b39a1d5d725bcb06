import type { SignalCode } from "./signals/registry";
import { fail, ok, type Result } from "./result";

/**
 * Automation evidence the challenge script collects in the browser and posts with its proof of work. Cheap
 * traits a real person's browser does not show. The client can lie (send clean evidence), so evidence is a
 * signal that can only take a pass away, never grant one: identity and behaviour still decide.
 */
export const EVIDENCE_FLAGS = [
  /** `navigator.webdriver` is true: the browser is driven over WebDriver or CDP (Playwright, Puppeteer, Selenium). */
  "webdriver",
  /** `HeadlessChrome` in navigator.userAgent or in the User-Agent Client Hints brands. */
  "headless-ua",
  /** Globals that automation frameworks leave on `window` (Selenium's `cdc_…`, PhantomJS, Nightmare…). */
  "automation-globals",
  /** `navigator.languages` is empty: old headless modes and some frameworks. Weak on its own. */
  "no-languages",
] as const;
export type EvidenceFlag = (typeof EVIDENCE_FLAGS)[number];

/** Flags that prove automation on their own. `no-languages` is reported but never decides. */
const STRONG: ReadonlySet<string> = new Set<EvidenceFlag>(["webdriver", "headless-ua", "automation-globals"]);

/** What the verifier concluded from the posted evidence. */
export interface EvidenceFinding {
  /** Flags as posted, plus `ua-mismatch` when the script's navigator.userAgent differs from the request's header. */
  readonly flags: readonly string[];
  /** True when any flag proves automation: the solve earns no pass and labels the client a bot. */
  readonly automation: boolean;
}

/** Why posted evidence was refused: the challenge script always posts well-formed evidence, so this is forged. */
export type EvidenceRefusal = "missing" | "malformed";

const MAX_EVIDENCE_CHARS = 256;
const MAX_NAVIGATOR_UA_CHARS = 1024;

/**
 * Reads the evidence fields of a challenge form. `evidence` is a comma-separated list of EVIDENCE_FLAGS (empty:
 * clean), `nua` the page's navigator.userAgent. A User-Agent header that differs from navigator.userAgent means
 * the header was rewritten outside the browser (a proxy or a framework's header override): automation.
 */
export function readEvidence(
  evidence: string | null,
  navigatorUa: string | null,
  headerUa: string,
): Result<EvidenceFinding, EvidenceRefusal> {
  if (evidence === null || navigatorUa === null || navigatorUa === "") return fail("missing");
  if (evidence.length > MAX_EVIDENCE_CHARS || navigatorUa.length > MAX_NAVIGATOR_UA_CHARS) return fail("malformed");
  const flags = evidence === "" ? [] : evidence.split(",");
  const known: ReadonlySet<string> = new Set(EVIDENCE_FLAGS);
  if (flags.some((f) => !known.has(f)) || new Set(flags).size !== flags.length) return fail("malformed");
  const all = navigatorUa.trim() === headerUa.trim() ? flags : [...flags, "ua-mismatch"];
  return ok({ flags: all, automation: all.some((f) => STRONG.has(f) || f === "ua-mismatch") });
}

/**
 * Signal codes that mark a client as automation whatever it solves: a headless or automation User-Agent, or
 * automation the challenge script saw. A pass never clears a request that carries one.
 */
export const AUTOMATION_SIGNALS: ReadonlySet<string> = new Set<SignalCode>(["hdr-headless", "ua-automation", "automation-evidence"]);
