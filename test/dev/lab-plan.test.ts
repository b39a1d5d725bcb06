import { describe, expect, it } from "vitest";
import { LAB_KIND_NAMES, labPlan } from "../../scripts/lab/lab-plan";

describe("the traffic lab's plan", () => {
  it("is the same for the same seed and differs for another", () => {
    expect(labPlan(7, false)).toEqual(labPlan(7, false));
    expect(labPlan(8, false).clients.map((c) => c.id)).not.toEqual(labPlan(7, false).clients.map((c) => c.id));
  });

  it("runs every kind even when quick, each client on addresses of its own, people first from a hosting network", () => {
    for (const quick of [true, false]) {
      const plan = labPlan(1, quick);
      expect(new Set(plan.clients.map((c) => c.kind))).toEqual(new Set(LAB_KIND_NAMES));
      const ips = plan.clients.flatMap((c) => c.ips);
      expect(new Set(ips).size).toBe(ips.length);
      const prefixes = plan.clients
        .filter((c) => c.kind !== "verified-crawler")
        .flatMap((c) => c.ips.map((ip) => ip.split(".").slice(0, 3).join(".")));
      expect(new Set(prefixes).size).toBe(prefixes.length);
      for (const c of plan.clients)
        expect(
          c.ips.every((ip) => /^198\.1[89]\.|^192\.178\.4\./.test(ip)),
          c.id,
        ).toBe(true);
      const firstPeople = plan.clients.filter((c) => c.role === "person" && c.id.endsWith("-1"));
      expect(firstPeople).toHaveLength(2);
      for (const c of firstPeople) expect([16509, 14061, 24940, 396982]).toContain(c.cf["asn"]);
    }
  });

  it("gives each client software's TLS stack a ClientHello digest of its own: Chromium alike, headless or not, unlike Python", () => {
    const plan = labPlan(2, false);
    const digest = (kind: string) => new Set(plan.clients.filter((c) => c.kind === kind).map((c) => c.cf["tlsClientCiphersSha1"]));
    const [chromium] = digest("person-chromium");
    expect(digest("person-chromium").size).toBe(1);
    expect(digest("headless-chromium")).toEqual(new Set([chromium]));
    expect(digest("requests-fleet")).toEqual(digest("requests"));
    expect(digest("requests-fleet").has(chromium)).toBe(false);
    expect(String(chromium)).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });
});
