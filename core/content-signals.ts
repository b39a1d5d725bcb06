import { z } from "zod";

// Content Signals (https://contentsignals.org): a site's preferences for how its content may be used, stated in
// robots.txt as `Content-Signal: search=yes, ai-input=no, ai-train=no` inside a `User-agent: *` group.
// search: building a search index and linking to results; ai-input: feeding content into an AI answer (RAG, grounding);
// ai-train: training or fine-tuning AI models. A preference, not enforcement: edge-guard enforces with its own checks.

/** The `contentSignals` section of a policy; each absent preference takes edge-guard's default. `false`: state none. */
export const ContentSignalsSchema = z.union([
  z.literal(false),
  z.strictObject({
    search: z.boolean().default(true),
    "ai-input": z.boolean().default(false),
    "ai-train": z.boolean().default(false),
  }),
]);
export type ContentSignals = Exclude<z.infer<typeof ContentSignalsSchema>, false>;

/** edge-guard's default preferences: be found by search engines, not used as AI input or for training. */
export const DEFAULT_CONTENT_SIGNALS: ContentSignals = { search: true, "ai-input": false, "ai-train": false };

/** The robots.txt record for a policy's preferences, e.g. `Content-Signal: search=yes, ai-input=no, ai-train=no`; null: none. */
export function contentSignalRecord(signals: ContentSignals | false | undefined): string | null {
  if (signals === false) return null;
  const s = signals ?? DEFAULT_CONTENT_SIGNALS;
  const yesNo = (value: boolean) => (value ? "yes" : "no");
  return `Content-Signal: search=${yesNo(s.search)}, ai-input=${yesNo(s["ai-input"])}, ai-train=${yesNo(s["ai-train"])}`;
}
