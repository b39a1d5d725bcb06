import { env as rawEnv, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FLEET_MIN_ADDRESSES, fleetGroup } from "../../../core/fleet";
import type { EdgeGuardEnv } from "../../../workers/edge-guard/env";
import { readFacts } from "../../../workers/edge-guard/facts";
import { CHROME_NAVIGATION_HEADERS } from "../../support/browser-headers";

const env = rawEnv as unknown as EdgeGuardEnv;
/** A browser through a VPN exit on a hosting network (AWS): `asn-datacenter` and `browser-from-datacenter`, 40 points. */
const VPN_CF = JSON.stringify({
  asn: 16509,
  asOrganization: "Amazon.com, Inc.",
  country: "DE",
  httpProtocol: "HTTP/2",
  tlsVersion: "TLSv1.3",
});
const HEADLESS_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36";

const visit = (ip: string, headers: Readonly<Record<string, string>> = CHROME_NAVIGATION_HEADERS) =>
  new Request("http://site.test/articles/a", { headers: { ...headers, "cf-connecting-ip": ip, "x-dev-cf": VPN_CF } });

/** Flags the fleet group `request` belongs to, as bots sharing its browser build would, from FLEET_MIN_ADDRESSES addresses. */
async function flagGroupOf(request: Request): Promise<void> {
  const facts = readFacts(request, true, Date.now());
  const group = fleetGroup(facts);
  for (let i = 0; i < FLEET_MIN_ADDRESSES; i++)
    await env.FLEET_LEDGER.getByName(group).evidence(group, `24.60.${i}.9`, ["honeypot-foreign"], facts.userAgent, Date.now());
}

describe("a person whose browser build a fleet has flagged, through a VPN on a hosting network", () => {
  // fleet (40) + asn-datacenter (15) + browser-from-datacenter (25) = 80, past the moderate preset's tarpit score (70):
  // all of it context, things people share with bots. Before this cap such a person got the labyrinth's fake pages.
  it("gets the challenge, never the labyrinth, from its first request (context alone raises friction, not a sentence)", async () => {
    await flagGroupOf(visit("203.0.113.40"));
    const response = await exports.default.fetch(visit("203.0.113.41"), { redirect: "manual" });
    expect(response.headers.get("x-stub")).toBeNull(); // not the tarpit (its stub answers here)
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("eg-form"); // the challenge page a person passes
  });

  it("still goes to the labyrinth with one piece of evidence of its own (a headless browser in the same place)", async () => {
    const headless = { ...CHROME_NAVIGATION_HEADERS, "user-agent": HEADLESS_UA };
    await flagGroupOf(visit("203.0.113.50", headless));
    const response = await exports.default.fetch(visit("203.0.113.51", headless), { redirect: "manual" });
    expect(response.headers.get("x-stub")).toBe("tarpit");
    await response.body?.cancel();
  });
});
