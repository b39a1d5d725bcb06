import { siteKeys } from "../../core/kv-keys";
import { DEFAULT_SITE_ID } from "../../core/sites";
import {
  SUMMARY_CLIENTS_MAX,
  SUMMARY_RECENT_MAX,
  type AllowedClient,
  type DecisionReport,
  type ReportMessage,
  type TrafficSummary,
} from "../../core/report";
import type { ReportStats } from "../../core/dev-stats";
import type { Faults } from "./faults";

/** Estimated body size at which a summary is sent: well under the Queues limit of 128 KB per message. */
export const SUMMARY_BYTES_MAX = 96_000;
/** Longest allowed traffic waits in the isolate before its summary is sent (a timer in `waitUntil`, under its 30 s). */
export const SUMMARY_MAX_WAIT_MS = 20_000;
/** Messages held per isolate while the Queue is unreachable; past this the oldest are dropped (counted as faults). */
export const MAX_HELD_REPORTS = 2_000;
/** After a failed send, the next attempt waits this long (a Queue outage costs one attempt a second, not one per request). */
const RETRY_AFTER_MS = 1_000;
/** One Queue batch: at most 100 messages and 256 KB (the Queues limits), with room to spare. */
const BATCH_MESSAGES = 50;
const BATCH_BYTES = 200_000;

/** The summary wait in force: the `SUMMARY_MAX_WAIT_MS` var (0 sends at the end of each request; tests use it), else the default. */
export function summaryMaxWaitMs(value: string | undefined): number {
  const ms = Number(value);
  return value === undefined || value === "" || !Number.isFinite(ms) || ms < 0 ? SUMMARY_MAX_WAIT_MS : Math.min(ms, SUMMARY_MAX_WAIT_MS);
}

/** A client's key in the summary: its address within its site (one client on two sites is two entries). */
function clientKey(site: string | undefined, ip: string): string {
  return siteKeys(site ?? DEFAULT_SITE_ID).counter(ip);
}

/** One quiet client's allowed traffic since the last flush. */
interface Pending {
  readonly ip: string;
  /** Absent: the default site. */
  readonly site?: string;
  readonly userAgent: string;
  readonly first: number;
  last: number;
  requests: number;
  pages: number;
  assets: number;
  readonly recent: { at: number; path: string }[];
}

/** What `allowed` needs to know of a request. */
export interface AllowedRequest {
  readonly ip: string;
  /** The request's site; absent: the default site. */
  readonly site?: string;
  readonly userAgent: string;
  readonly path: string;
  readonly at: number;
  readonly kind: "page" | "asset" | "other";
}

const CLIENT_BYTES = 160; // JSON overhead of one client entry besides its strings
const REQUEST_BYTES = 32; // JSON overhead of one `recent` entry besides its path

/**
 * Reports from edge-guard to escalation, off the response path, paid per suspicion: a non-allow (or suspicious)
 * decision is one message at once; a quiet client's allowed requests are counted per client in the isolate and
 * sent as one summary message per SUMMARY_BYTES_MAX / SUMMARY_CLIENTS_MAX / SUMMARY_MAX_WAIT_MS, whichever first.
 * Memory is bounded by the same caps: a full summary is sent, never grown.
 */
export class ReportBuffer {
  constructor(private readonly faults: Faults) {}

  readonly #clients = new Map<string, Pending>();
  #bytes = 0;
  #from = 0;
  #sequence = 0;
  #isolate: string | null = null;
  #timer = false;
  #evictions = 0;
  /** Messages the Queue refused (oldest first), sent again with the next send once RETRY_AFTER_MS has passed. */
  #held: ReportMessage[] = [];
  #retryAt = 0;
  readonly #stats: ReportStats = { allowed: 0, summaries: 0, decisions: 0, evictions: 0, pendingClients: 0, summaryBytes: 0 };

  /** Counts one allowed request of a quiet client. Returns work for `waitUntil` (a send, or the flush timer), or null. */
  allowed(request: AllowedRequest, queue: Queue<ReportMessage>, maxWaitMs: number = SUMMARY_MAX_WAIT_MS): Promise<void> | null {
    this.#stats.allowed++;
    if (this.#clients.size === 0) this.#from = request.at;
    const key = clientKey(request.site, request.ip);
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = {
        ip: request.ip,
        ...(request.site === undefined || request.site === DEFAULT_SITE_ID ? {} : { site: request.site }),
        userAgent: request.userAgent.slice(0, 1024),
        first: request.at,
        last: request.at,
        requests: 0,
        pages: 0,
        assets: 0,
        recent: [],
      };
      this.#clients.set(key, client);
      this.#bytes += CLIENT_BYTES + client.ip.length + client.userAgent.length;
    }
    client.last = Math.max(client.last, request.at);
    client.requests++;
    if (request.kind === "page") client.pages++;
    else if (request.kind === "asset") client.assets++;
    const path = request.path.slice(0, 2048);
    client.recent.push({ at: request.at, path });
    this.#bytes += REQUEST_BYTES + path.length;
    if (client.recent.length > SUMMARY_RECENT_MAX) this.#bytes -= REQUEST_BYTES + (client.recent.shift()?.path.length ?? 0);
    if (this.#bytes >= SUMMARY_BYTES_MAX || this.#clients.size >= SUMMARY_CLIENTS_MAX) {
      this.#evictions += this.#clients.size;
      this.#stats.evictions += this.#clients.size;
      return this.#send(queue, this.#takeAll(request.at), request.at);
    }
    if (this.#timer) return null;
    this.#timer = true;
    // Sent even if no other request ever comes: the timer runs inside this request's waitUntil.
    return new Promise<void>((resolve) => setTimeout(resolve, maxWaitMs)).then(() => {
      this.#timer = false;
      return this.flush(queue, Date.now());
    });
  }

  /**
   * Sends one decision at once. The client's pending allowed traffic goes first, in the same batch, so escalation
   * scores the decision with the client's full history.
   */
  decision(report: DecisionReport, queue: Queue<ReportMessage>, now: number = Date.now()): Promise<void> {
    const client = this.#clients.get(clientKey(report.site, report.ip));
    const messages: ReportMessage[] = [];
    if (client !== undefined) {
      this.#remove(client);
      messages.push(this.#summary([client], report.at));
    }
    messages.push(report);
    this.#stats.decisions++;
    return this.#send(queue, messages, now);
  }

  /** Sends whatever is pending (the timer's flush). */
  flush(queue: Queue<ReportMessage>, now: number): Promise<void> {
    if (this.#clients.size === 0) return Promise.resolve();
    return this.#send(queue, this.#takeAll(now), now);
  }

  /** Messages held now because the Queue refused them (at most MAX_HELD_REPORTS). */
  get size(): number {
    return this.#held.length;
  }

  /** Counters since the isolate started. */
  stats(): ReportStats {
    return { ...this.#stats, pendingClients: this.#clients.size };
  }

  #takeAll(now: number): ReportMessage[] {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    this.#bytes = 0;
    return [this.#summary(clients, now)];
  }

  #remove(client: Pending): void {
    this.#clients.delete(clientKey(client.site, client.ip));
    this.#bytes -=
      CLIENT_BYTES + client.ip.length + client.userAgent.length + client.recent.reduce((sum, r) => sum + REQUEST_BYTES + r.path.length, 0);
  }

  #summary(clients: readonly Pending[], now: number): TrafficSummary {
    this.#isolate ??= crypto.randomUUID(); // random values are not allowed at global scope: made on first use
    this.#sequence++;
    const evictions = this.#evictions;
    this.#evictions = 0;
    const from = Math.min(this.#from || now, ...clients.map((c) => c.first));
    return {
      v: 2,
      kind: "summary",
      id: `${this.#isolate}:${this.#sequence}`,
      source: "edge",
      from,
      to: Math.max(now, ...clients.map((c) => c.last)),
      clients: clients.map((c): AllowedClient => ({
        ip: c.ip,
        userAgent: c.userAgent,
        first: c.first,
        last: c.last,
        requests: c.requests,
        pages: c.pages,
        assets: c.assets,
        recent: c.recent,
        ...(c.site === undefined ? {} : { site: c.site }),
      })),
      evictions,
    };
  }

  #send(queue: Queue<ReportMessage>, messages: readonly ReportMessage[], now: number): Promise<void> {
    for (const m of messages) {
      if (m.v !== 2) continue;
      this.#stats.summaries++;
      this.#stats.summaryBytes += JSON.stringify(m).length;
    }
    // While the Queue is refusing, new messages wait behind the held ones for the next attempt.
    if (now < this.#retryAt) {
      this.#hold(messages, false);
      return Promise.resolve();
    }
    const pending = this.#held.length === 0 ? messages : [...this.#held.splice(0), ...messages];
    return this.#deliver(queue, pending, now);
  }

  /** Sends in Queue-sized batches; what the Queue refuses is held, in order, for the next attempt (never lost silently). */
  async #deliver(queue: Queue<ReportMessage>, pending: readonly ReportMessage[], now: number): Promise<void> {
    let i = 0;
    while (i < pending.length) {
      let end = i;
      let bytes = 0;
      while (end < pending.length && end - i < BATCH_MESSAGES) {
        const size = JSON.stringify(pending[end]).length;
        if (end > i && bytes + size > BATCH_BYTES) break;
        bytes += size;
        end++;
      }
      try {
        await queue.sendBatch(pending.slice(i, end).map((body) => ({ body })));
      } catch (error) {
        this.#retryAt = now + RETRY_AFTER_MS;
        this.#hold(pending.slice(i), true);
        this.faults.record("report", error);
        return;
      }
      i = end;
    }
  }

  #hold(messages: readonly ReportMessage[], older: boolean): void {
    this.#held = older ? [...messages, ...this.#held] : [...this.#held, ...messages];
    if (this.#held.length > MAX_HELD_REPORTS) {
      const dropped = this.#held.splice(0, this.#held.length - MAX_HELD_REPORTS);
      this.faults.record("report", new Error(`report buffer full: ${dropped.length} oldest messages dropped`));
    }
  }
}
