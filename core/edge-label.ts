import type { ReportLabel } from "./report";
import { isTrapPath } from "./trap-paths";
import type { Action, Reason } from "./verdict";

/**
 * Ground truth the edge itself observed, for training: a first step into the labyrinth through the hidden link
 * served to this very client (no label was on it yet; a guessed, stale or someone else's link labels nobody), a
 * crawler verified by its ranges or a signer the policy trusts, a declared bot ignoring robots.txt. Never from a
 * score. A valid signature from an untrusted signer (`web-bot-auth-unknown`) is no good bot.
 */
export function edgeLabel(path: string, alreadyListed: boolean, action: Action, reasons: readonly Reason[]): ReportLabel | undefined {
  const ownLink = reasons.some((r) => r.code === "honeypot-own");
  if (isTrapPath(path) && ownLink && !alreadyListed && action === "tarpit") return { kind: "honeypot", value: "bot" };
  if (reasons.some((r) => r.code === "verified-crawler" || r.code === "web-bot-auth"))
    return { kind: "verified-crawler", value: "good-bot" };
  if (reasons.some((r) => r.code === "robots-violation")) return { kind: "robots-violation", value: "bot" };
  return undefined;
}
