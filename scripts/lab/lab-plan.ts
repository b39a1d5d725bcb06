/**
 * The traffic lab's plan: which clients run, in what order, from which addresses and networks, asking for how many
 * pages at what pace. All of it comes from one seed (scripts/model/seeded-random.ts), so a seed names a run.
 */
import { createHash } from "node:crypto";
import { SeededRandom } from "../model/seeded-random";

/** Who a client is, as training labels it: a person, a wanted bot (never blocked by rule: set aside), or a bot. */
export type LabRole = "person" | "good-bot" | "bot";

/** Every client kind the lab drives (drivers in test/support/real-clients.ts). */
export const LAB_KINDS = {
  "person-chromium": { role: "person", quick: 2, full: 8, pages: [3, 8] },
  "person-lynx": { role: "person", quick: 1, full: 4, pages: [3, 6] },
  "feed-reader": { role: "good-bot", quick: 1, full: 4, pages: [4, 12] },
  "verified-crawler": { role: "good-bot", quick: 1, full: 3, pages: [6, 20] },
  "ai-crawler": { role: "bot", quick: 1, full: 4, pages: [6, 20] },
  curl: { role: "bot", quick: 1, full: 3, pages: [10, 30] },
  wget: { role: "bot", quick: 1, full: 3, pages: [0, 0] },
  scrapy: { role: "bot", quick: 1, full: 3, pages: [15, 40] },
  httrack: { role: "bot", quick: 1, full: 2, pages: [0, 0] },
  requests: { role: "bot", quick: 1, full: 3, pages: [10, 40] },
  "headless-chromium": { role: "bot", quick: 1, full: 4, pages: [8, 25] },
  "requests-fleet": { role: "bot", quick: 1, full: 2, pages: [40, 150] },
} as const satisfies Record<string, { role: LabRole; quick: number; full: number; pages: readonly [number, number] }>;

export type LabKind = keyof typeof LAB_KINDS;
export const LAB_KIND_NAMES = Object.keys(LAB_KINDS) as LabKind[];

/** One client of the plan. */
export interface LabClient {
  /** `<kind>-<n>`: the group a held-out split keeps together. */
  readonly id: string;
  readonly kind: LabKind;
  readonly role: LabRole;
  readonly ips: readonly string[];
  readonly cf: Readonly<Record<string, string | number>>;
  readonly pages: number;
  /** Seed of the client's own random choices (pages, pauses, agents). */
  readonly seed: number;
}

export interface LabPlan {
  readonly seed: number;
  readonly quick: boolean;
  /** People's reading pace (1 = 2–9 s a page). */
  readonly pace: number;
  readonly clients: readonly LabClient[];
}

/** Residential access networks (cable, DSL, mobile): never hosting. */
const RESIDENTIAL = [
  { asn: 7922, asOrganization: "Comcast Cable Communications, LLC", country: "US" },
  { asn: 3320, asOrganization: "Deutsche Telekom AG", country: "DE" },
  { asn: 701, asOrganization: "Verizon Business", country: "US" },
  { asn: 3215, asOrganization: "Orange", country: "FR" },
  { asn: 12322, asOrganization: "Free SAS", country: "FR" },
  { asn: 2856, asOrganization: "British Telecommunications PLC", country: "GB" },
  { asn: 1136, asOrganization: "KPN B.V.", country: "NL" },
  { asn: 4766, asOrganization: "Korea Telecom", country: "KR" },
] as const;
/** Hosting networks (core/signals/network.ts knows them). */
const HOSTING = [
  { asn: 16509, asOrganization: "Amazon.com, Inc.", country: "US" },
  { asn: 14061, asOrganization: "DigitalOcean, LLC", country: "US" },
  { asn: 24940, asOrganization: "Hetzner Online GmbH", country: "DE" },
  { asn: 396982, asOrganization: "Google LLC", country: "US" },
] as const;
const GOOGLE = { asn: 15169, asOrganization: "Google LLC", country: "US" };

/** Which networks a kind comes from (people: mostly home, sometimes a VPN or office cloud). */
function networkFor(kind: LabKind, n: number, random: SeededRandom) {
  const role = LAB_KINDS[kind].role;
  if (kind === "verified-crawler") return GOOGLE;
  // The first person of each kind browses from a hosting network (a VPN, an office cloud): the edge challenges them,
  // so even the quick lab has people whose reports reach escalation (quiet people reach it only as summaries).
  if (role === "person" && n === 0) return random.pick(HOSTING);
  if (role === "person") return random.chance(0.3) ? random.pick(HOSTING) : random.pick(RESIDENTIAL);
  if (kind === "requests-fleet") return random.pick(RESIDENTIAL);
  return random.chance(0.7) ? random.pick(HOSTING) : random.pick(RESIDENTIAL);
}

/**
 * The TLS library each kind's real software handshakes with. The lab speaks plain HTTP on loopback, so there is no
 * ClientHello to digest; each stack gets a stand-in `tlsClientCiphersSha1` of its own, as Cloudflare reports a different
 * digest for Chromium's BoringSSL than for Python's OpenSSL. Alike where the real software is alike: headless Chromium
 * handshakes as Chromium does, a requests fleet as python-requests does. Without it every lab client shared one fleet
 * group's transport half, and a fleet's flag fell on people in Chromium (the seed-2 run, models/README.md).
 */
const TLS_STACKS: Readonly<Record<LabKind, string>> = {
  "person-chromium": "chromium",
  "headless-chromium": "chromium",
  "person-lynx": "lynx-gnutls",
  "feed-reader": "python-feedparser",
  "verified-crawler": "googlebot",
  "ai-crawler": "ai-crawler",
  curl: "curl-openssl",
  wget: "wget-gnutls",
  scrapy: "python-twisted",
  httrack: "httrack-openssl",
  requests: "python-requests",
  "requests-fleet": "python-requests",
};

/** A stand-in ClientHello digest for a TLS stack: base64 of its name's SHA-1, the shape Cloudflare reports. */
function tlsStandIn(stack: string): string {
  return createHash("sha1").update(stack).digest("base64");
}

/**
 * The plan for `seed`: every kind's clients (quick: a few; full: more), shuffled. Each client gets addresses of its
 * own: a /24 per client (prefix counters must not mix clients), from 198.18.0.0/15 (benchmarking range) for all but
 * the verified crawler, whose address lies in Google's published crawler range 192.178.4.0/27.
 */
export function labPlan(seed: number, quick: boolean): LabPlan {
  const random = new SeededRandom(seed);
  const clients: LabClient[] = [];
  let block = 0;
  let googleHost = 1;
  for (const kind of LAB_KIND_NAMES) {
    const spec = LAB_KINDS[kind];
    const count = quick ? spec.quick : spec.full;
    for (let n = 0; n < count; n++) {
      const network = networkFor(kind, n, random);
      const cf = { ...network, httpProtocol: "HTTP/2", tlsVersion: "TLSv1.3", tlsClientCiphersSha1: tlsStandIn(TLS_STACKS[kind]) };
      const fleetSize = kind === "requests-fleet" ? (quick ? 8 : random.int(10, 30)) : 1;
      const ips = Array.from({ length: fleetSize }, () => {
        if (kind === "verified-crawler") return `192.178.4.${googleHost++}`;
        block++;
        return `198.${18 + (block >> 8)}.${block & 255}.${random.int(2, 250)}`;
      });
      const [low, high] = spec.pages;
      const pages = quick ? low : random.int(low, high);
      clients.push({ id: `${kind}-${n + 1}`, kind, role: spec.role, ips, cf, pages, seed: random.int(1, 2 ** 31 - 1) });
    }
  }
  return { seed, quick, pace: quick ? 0.15 : 1, clients: random.shuffle(clients) };
}
