import defaultPolicy from "../policies/default.json";

/** The loopback port whose key directory `npm run dev` trusts: the sample crawler's default (`npm run crawler:paid`). */
export const SAMPLE_CRAWLER_DIRECTORY_PORT = 8791;
/** The name the demo policy gives the sample crawler (in admin, logs and per-crawler terms). */
export const SAMPLE_CRAWLER_NAME = "sample-crawler";
/** The demo origin's path whose price the origin itself sets (in-band pricing, dev/origin/articles.ts). */
export const IN_BAND_PATH_PATTERN = "/premium/*";

/** The sample crawler's key-directory origin on the dev stack. */
export const sampleCrawlerOrigin = (port = SAMPLE_CRAWLER_DIRECTORY_PORT): string => `http://127.0.0.1:${port}`;

/**
 * The policy `npm run dev` starts with: the bundled default, plus a demo price on the demo site's articles for the
 * sample crawler (trusted by its loopback key directory), and in-band pricing on /premium/* (the origin names the price).
 */
export function demoPayPolicy(crawlerOrigin = sampleCrawlerOrigin()): Record<string, unknown> {
  return {
    ...defaultPolicy,
    webBotAuth: { trustedSigners: [{ origin: crawlerOrigin, name: SAMPLE_CRAWLER_NAME }] },
    payPerCrawl: {
      prices: [
        { path: "/articles/*", price: "USD 0.01" },
        { path: IN_BAND_PATH_PATTERN, price: "in-band" },
      ],
      message: "The articles on this demo site are licensed per crawl: USD 0.01 a page for signed crawlers.",
      licenseUrl: "https://example.com/licensing",
    },
  };
}

/**
 * Activates the demo policy through the admin API, as an operator would (history and audit included), unless an
 * operator already saved a policy: a restart never overwrites one. Returns whether it did.
 */
export async function seedDemoPolicy(
  adminUrl: string,
  token: string,
  policy?: Record<string, unknown>,
  crawlerOrigin = sampleCrawlerOrigin(),
): Promise<boolean> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const current = await fetch(`${adminUrl}/api/policy`, { headers });
  if (!current.ok) throw new Error(`GET /api/policy answered ${current.status}`);
  if (((await current.json()) as { source?: string }).source !== "default") return false;
  const put = await fetch(`${adminUrl}/api/policy`, {
    method: "PUT",
    headers,
    body: JSON.stringify({
      policy: policy ?? demoPayPolicy(crawlerOrigin),
      note: "npm run dev: demo price on /articles/* for the sample crawler",
    }),
  });
  if (!put.ok) throw new Error(`PUT /api/policy answered ${put.status}: ${await put.text()}`);
  return true;
}
