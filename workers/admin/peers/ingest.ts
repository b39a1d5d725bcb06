import { z } from "zod";
import { withDb } from "../../../adapters/db/client";
import type { SafetyContext } from "../../../core/admin/safety";
import { TRUST_LIMITS, TrustLevelSchema, type TrustLimits } from "../../../core/peers/trust";
import { countRejections, vetEntries, type Rejection } from "../../../core/peers/vet";
import { applyEntries } from "./apply";
import type { PeersEnv } from "./env";
import { heldEntries, recordEntries, recordSync, type PeerRow } from "./store";

/** Sync records are kept this long (ms). */
export const SYNC_HISTORY_MS = 30 * 86_400_000;

/** How one feed, push or import went, as the API answers and the sync log stores it. */
export interface IngestOutcome {
  readonly peer: string;
  readonly kind: "feed" | "push" | "import";
  readonly status: string;
  readonly error: string | null;
  readonly received: number;
  readonly applied: number;
  readonly unchanged: number;
  readonly kept: number;
  readonly rejected: Partial<Record<Rejection["reason"], number>>;
  /** The first rejections in input order, for the caller to show (at most 100). */
  readonly rejections: readonly Rejection[];
  /** Entries that passed vetting (written, unchanged or kept). */
  readonly accepted: number;
}

/** The trust limits of a stored peer; an unknown level (hand-edited row) is treated as low. */
export function limitsOf(peer: PeerRow): TrustLimits {
  return TRUST_LIMITS[TrustLevelSchema.catch("low").parse(peer.trust)];
}

const ActionSchema = z.enum(["block", "tarpit"]).catch("block");

/** What to ingest and under which bounds. */
export interface IngestInput {
  readonly peer: PeerRow;
  readonly kind: IngestOutcome["kind"];
  readonly entries: readonly unknown[];
  readonly safety: SafetyContext;
  readonly now: number;
  /** Most entries this call may accept (what is left of the run's KV budget). */
  readonly budget: number;
  /** Lines refused before vetting (a list's unparsable lines), counted with the rest. */
  readonly preRejected?: readonly Rejection[];
  /** Check everything, write and record nothing. */
  readonly dryRun?: boolean;
}

/** Vets a peer's entries, writes the accepted ones to KV, and records the outcome (entries held, one sync row). */
export async function ingest(env: PeersEnv, input: IngestInput): Promise<IngestOutcome> {
  const { peer, now } = input;
  const limits = limitsOf(peer);
  const held = await withDb(env, (db) => heldEntries(db, peer.id, now));
  const vetted = vetEntries(input.entries, {
    limits,
    safety: input.safety,
    now,
    held: (key) => held.has(key),
    maxAccepted: Math.max(0, Math.min(limits.maxPerSync, input.budget)),
    maxNew: Math.max(0, limits.maxActive - held.size),
  });
  const rejected = [...(input.preRejected ?? []), ...vetted.rejected];
  const applied = input.dryRun
    ? { applied: 0, unchanged: 0, kept: 0, written: [] }
    : await applyEntries(env, { name: peer.name, action: ActionSchema.parse(peer.action) }, vetted.accepted, held, now);
  const outcome: IngestOutcome = {
    peer: peer.name,
    kind: input.kind,
    status: "ok",
    error: null,
    received: input.entries.length + (input.preRejected?.length ?? 0),
    applied: applied.applied,
    unchanged: applied.unchanged,
    kept: applied.kept,
    rejected: countRejections(rejected),
    rejections: rejected.slice(0, 100),
    accepted: vetted.accepted.length,
  };
  if (!input.dryRun) {
    await withDb(env, async (db) => {
      await recordEntries(db, peer.id, applied.written, now);
      await recordSync(db, syncRow(peer.id, outcome, now), new Date(now - SYNC_HISTORY_MS));
    });
  }
  return outcome;
}

/** An outcome with nothing received: status ok, every count zero. */
export function emptyOutcome(peer: PeerRow, kind: IngestOutcome["kind"]): IngestOutcome {
  return {
    peer: peer.name,
    kind,
    status: "ok",
    error: null,
    received: 0,
    applied: 0,
    unchanged: 0,
    kept: 0,
    rejected: {},
    rejections: [],
    accepted: 0,
  };
}

/** Records a feed or push whose entries were not looked at: it failed (fetch error, bad signature, replay…) or was not modified. */
export async function recordStatus(
  env: PeersEnv,
  peer: PeerRow,
  kind: IngestOutcome["kind"],
  status: string,
  error: string,
  now: number,
): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { ...emptyOutcome(peer, kind), status, error };
  await withDb(env, (db) => recordSync(db, syncRow(peer.id, outcome, now)));
  return outcome;
}

function syncRow(peerId: number, o: IngestOutcome, now: number) {
  return {
    peerId,
    at: new Date(now),
    kind: o.kind,
    status: o.status,
    error: o.error,
    received: o.received,
    applied: o.applied,
    unchanged: o.unchanged,
    kept: o.kept,
    rejected: o.rejected,
  };
}
