import { LruMap } from "../../core/lru";
import { FLEET_INDEX_KV_KEY, FleetIndexSchema } from "../../core/fleet-index";
import { DueRefresh } from "./due-refresh";
import type { Faults } from "./faults";

/** How often an isolate reloads the flagged-groups snapshot: a group flagged elsewhere is challenged here within this. */
const FLEET_REFRESH_MS = 10_000;
/** Groups learned first-hand (from this isolate's own evidence calls), and evidence sends remembered, at most. */
export const MAX_LEARNED = 5_000;
/** The same evidence is sent again after this long. */
const RESEND_MS = 60_000;
/** A group flagged for longer than this from now needs no per-address evidence from this isolate. */
const FLAGGED_QUIET_MS = 50 * 60_000;

/**
 * The fleet groups flagged now, per isolate: the KV snapshot the FleetLedger index writes, plus what this
 * isolate's own evidence calls answered (at once, before the snapshot catches up). One KV read per refresh period,
 * whatever the traffic.
 */
export class FleetFlags {
  constructor(private readonly faults: Faults) {}

  #snapshot = new Map<string, number>();
  readonly #learned = new LruMap<string, number>(MAX_LEARNED);
  /** Last time evidence was sent, per (group, address, codes), or per group once it is flagged here. */
  readonly #sent = new LruMap<string, number>(MAX_LEARNED);
  readonly #due = new DueRefresh(FLEET_REFRESH_MS);

  /** The larger of the learned-groups and sent-evidence maps (each at most MAX_LEARNED). */
  get size(): number {
    return Math.max(this.#learned.size, this.#sent.size);
  }

  /** Epoch ms until which `group` is challenged, or null. */
  flaggedUntil(group: string, now: number): number | null {
    const until = Math.max(this.#snapshot.get(group) ?? 0, this.#learned.get(group) ?? 0);
    return until > now ? until : null;
  }

  /**
   * Whether to send evidence `codes` of `ip` in `group` to the group's ledger now: the same evidence of the same
   * address at most once a minute, and for a group already flagged here for a good while, at most once a minute per
   * group (enough to keep its flag alive). A busy fleet then costs a few ledger calls a minute per isolate, not one
   * per request.
   */
  shouldSend(group: string, ip: string, codes: readonly string[], now: number): boolean {
    const until = this.flaggedUntil(group, now);
    const key = until !== null && until - now > FLAGGED_QUIET_MS ? group : `${group}|${ip}|${codes.join(",")}`;
    const last = this.#sent.get(key);
    if (last !== undefined && now - last < RESEND_MS) return false;
    this.#sent.set(key, now);
    return true;
  }

  /** Takes a FleetLedger answer for `group`. */
  learn(group: string, until: number | null): void {
    if (until === null) return;
    this.#learned.set(group, until);
  }

  /** Reloads the snapshot when due: awaited once per isolate, in the background afterwards. */
  refresh(kv: KVNamespace, now: number, waitUntil: (p: Promise<unknown>) => void): Promise<void> {
    return this.#due.run(now, waitUntil, () => this.#load(kv));
  }

  async #load(kv: KVNamespace): Promise<void> {
    try {
      const json = await kv.get(FLEET_INDEX_KV_KEY, "json");
      if (json === null) return;
      const parsed = FleetIndexSchema.safeParse(json);
      if (!parsed.success) {
        this.faults.record("fleet", new Error("fleet index in KV is invalid; keeping the previous one"));
        return;
      }
      this.#snapshot = new Map(parsed.data.groups.map((g) => [g.group, g.until]));
    } catch (error) {
      this.faults.record("fleet", error);
    }
  }
}
