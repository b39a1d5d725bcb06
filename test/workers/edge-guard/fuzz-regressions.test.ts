import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../../workers/edge-guard/app";
import { refreshData } from "../../../workers/edge-guard/data-refresh";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { isolateState } from "../../../workers/edge-guard/app";

const env = rawEnv as unknown as EdgeGuardEnv;

// Inputs the header fuzzer (fuzz.test.ts) found, kept as plain tests.
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const get = (path: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(
    new Request(`http://site.test${path}`, {
      redirect: "manual",
      headers: { "user-agent": CHROME_UA, "cf-connecting-ip": "198.51.100.230", accept: "text/html", ...headers },
    }),
  );

describe("found by fuzzing", () => {
  it("keeps a path starting with // on the origin (it used to be read as another host, or as an invalid URL: 500)", async () => {
    const response = await get("//no-such-host.test/page");
    expect(response.status).toBe(404); // the demo origin's own answer for a path it does not have
    await response.body?.cancel();
  });

  it("answers 502 origin_unreachable, not 500, when the origin cannot be reached", async () => {
    const ctx = createExecutionContext();
    const request = new Request("http://site.test/", {
      headers: { "user-agent": CHROME_UA, "cf-connecting-ip": "198.51.100.231", accept: "text/html" },
    });
    const response = await app.fetch(request, { ...env, ORIGIN_URL: "http://127.0.0.1:9" }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain("Code: origin_unreachable");
  });

  it("keeps the bundled ranges when a refreshed crawler list names a range as wide as 0.0.0.0/0", async () => {
    const source = "https://developers.google.com/static/crawling/ipranges/common-crawlers.json";
    const fetcher = (async (input: RequestInfo | URL) =>
      String(input instanceof Request ? input.url : input) === source
        ? Response.json({ prefixes: [{ ipv4Prefix: "0.0.0.0/0" }] })
        : new Response("", { status: 404 })) as typeof fetch;
    const outcome = await refreshData(env.BLOCKLIST, fetcher, Date.parse("2026-11-22T00:00:00Z"), isolateState().faults);
    expect(outcome.crawlersKept).toContain("googlebot");
    expect(outcome.crawlersRefreshed).not.toContain("googlebot");
  });
});
