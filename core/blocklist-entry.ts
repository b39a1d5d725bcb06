import { z } from "zod";

/** Who put an entry on the blocklist. */
export const BlocklistSourceSchema = z.enum(["edge", "tarpit", "escalation", "peer", "operator"]);
export type BlocklistSource = z.infer<typeof BlocklistSourceSchema>;

/**
 * The value of a KV blocklist entry (`ip:<address>`). `action` tarpit is a durable bot label (e.g. a
 * honeypot hit): the client keeps getting the labyrinth instead of a 403 that would tell it to move on.
 */
export const BlocklistEntrySchema = z.object({
  action: z.enum(["block", "tarpit"]).default("block"),
  reason: z.string().max(200),
  source: BlocklistSourceSchema,
  score: z.number().optional(),
  /** Epoch ms when the entry was written. */
  at: z.number().int().nonnegative(),
});
export type BlocklistEntry = z.infer<typeof BlocklistEntrySchema>;

/** Parses a KV value; a value that is not a valid entry still blocks (an operator wrote the key on purpose). */
export function parseBlocklistEntry(raw: string): BlocklistEntry {
  try {
    const parsed = BlocklistEntrySchema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  return { action: "block", reason: "unparsed entry", source: "operator", at: 0 };
}

/** True when a stored value is the named peer's own entry (only those does a peer refresh or purge). */
export function isOwnPeerEntry(raw: string, peerName: string): boolean {
  const entry = parseBlocklistEntry(raw);
  return entry.source === "peer" && entry.reason.startsWith(`peer ${peerName}: `);
}
