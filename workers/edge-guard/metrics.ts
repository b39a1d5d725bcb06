import { formatMetrics, type MetricFamily } from "../../core/admin/metrics-text";
import { constantTimeEqual } from "../../core/admin/totp";
import { CHALLENGE_BASE } from "./challenge-assets";
import { MAX_CACHED } from "./blocklist";
import { MAX_KEYS } from "./counters";
import type { EdgeGuardEnv } from "./env";
import { MAX_LEARNED } from "./fleet-flags";
import { CONSISTENCY_MEMO_MAX, type IsolateState } from "./guard";
import { MAX_HELD_REPORTS } from "./reports";
import { CACHE_MAX_ORIGINS } from "./web-bot-auth";

/** This isolate's own metrics (Prometheus text), for a scraper holding METRICS_TOKEN. Under edge-guard's own prefix, never the site's. */
export const EDGE_METRICS_PATH = `${CHALLENGE_BASE}/metrics`;

/** Counts one request this isolate handled (for the metrics' request total). */
export function countRequest(state: IsolateState, now: number): void {
  state.requests.since ??= now;
  state.requests.count += 1;
}

/** Each isolate map with its size now and its cap: a map at its cap is evicting, never growing. */
function mapSizes(state: IsolateState): { map: string; size: number; cap: number }[] {
  return [
    { map: "blocklist", size: state.blocklist.size, cap: MAX_CACHED },
    { map: "counters", size: state.counters.size().keys, cap: MAX_KEYS },
    { map: "fleet", size: state.fleets.size, cap: MAX_LEARNED },
    { map: "directories", size: state.directories.size, cap: CACHE_MAX_ORIGINS },
    { map: "reports", size: state.reports.size, cap: MAX_HELD_REPORTS },
    { map: "consistency", size: state.consistency.size, cap: CONSISTENCY_MEMO_MAX },
  ];
}

/** The metrics answer, or null when the request is not for EDGE_METRICS_PATH. 404 without METRICS_TOKEN, 401 on a wrong token. */
export function edgeMetrics(request: Request, env: EdgeGuardEnv, state: IsolateState, now: number): Response | null {
  // A substring test first: the allow path pays no second URL parse for this.
  if (request.method !== "GET" || !request.url.includes(EDGE_METRICS_PATH) || new URL(request.url).pathname !== EDGE_METRICS_PATH)
    return null;
  const token = env.METRICS_TOKEN ?? "";
  if (token === "") return Response.json({ error: "not_found" }, { status: 404 });
  const sent = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!constantTimeEqual(sent, token))
    return Response.json({ error: "unauthenticated" }, { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
  const sizes = mapSizes(state);
  const families: MetricFamily[] = [
    {
      name: "edge_guard_edge_faults_total",
      help: "Faults this edge isolate failed open on, by kind, since it started.",
      type: "counter",
      samples: Object.entries(state.faults.counts()).map(([kind, value]) => ({ labels: { kind }, value })),
    },
    {
      name: "edge_guard_edge_requests_total",
      help: "Requests this edge isolate handled since it started.",
      type: "counter",
      samples: [{ value: state.requests.count }],
    },
    {
      name: "edge_guard_edge_isolate_age_seconds",
      help: "Seconds since this isolate's first request.",
      type: "gauge",
      samples: [{ value: state.requests.since === null ? 0 : Math.max(0, now - state.requests.since) / 1000 }],
    },
    {
      name: "edge_guard_edge_map_entries",
      help: "Entries in each isolate map now.",
      type: "gauge",
      samples: sizes.map((s) => ({ labels: { map: s.map }, value: s.size })),
    },
    {
      name: "edge_guard_edge_map_cap",
      help: "Most entries each isolate map holds before evicting.",
      type: "gauge",
      samples: sizes.map((s) => ({ labels: { map: s.map }, value: s.cap })),
    },
  ];
  return new Response(formatMetrics(families), {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
  });
}
