import type { PriceDryRun } from "./api-types";
import { api, fmtInt, h, messageOf } from "./app";
import { fmtUsd } from "./money";

/**
 * For the policy editor's preview: what the candidate's pay-per-crawl prices would have earned from last week's
 * crawler requests, next to what paying crawlers actually paid. null when the candidate prices nothing.
 */
export async function pricePreview(policy: unknown): Promise<HTMLElement | null> {
  if (typeof policy !== "object" || policy === null || !("payPerCrawl" in policy)) return null;
  try {
    const run = await api<PriceDryRun>("/api/ledger/price-dry-run", { method: "POST", body: { policy, days: 7 } });
    return h(
      "div",
      { class: "price-preview", id: "price-preview" },
      h(
        "p",
        null,
        h("strong", null, `These prices would have earned ${fmtUsd(run.estimatedMicros)} from last week's crawlers`),
        ` (${fmtInt(run.pricedRequests)} of ${fmtInt(run.requests)} crawler requests on priced paths${
          run.inBandRequests > 0 ? `; ${fmtInt(run.inBandRequests)} more on paths the origin prices in-band, not estimated` : ""
        }); paying crawlers paid ${fmtUsd(run.earnedMicros)}.`,
      ),
      run.topPaths.length === 0
        ? null
        : h(
            "ul",
            { class: "issues" },
            run.topPaths
              .slice(0, 5)
              .map((p) =>
                h(
                  "li",
                  { class: "ok" },
                  h("code", null, p.path),
                  ` ${fmtInt(p.requests)} × ${fmtUsd(p.priceMicros)} = ${fmtUsd(p.micros)}`,
                ),
              ),
          ),
    );
  } catch (error) {
    return h("p", { class: "muted", id: "price-preview" }, "No price estimate: " + messageOf(error));
  }
}
