import { logFault } from "./log";

/** A blocklist entry escalation just wrote. */
export interface NewBlock {
  readonly kind: "ip" | "cidr";
  readonly target: string;
  readonly reason: string;
  readonly ttlSeconds: number;
}

/** How long an alert may take before it is abandoned, ms: an alert must never hold up the queue. */
export const ALERT_TIMEOUT_MS = 3000;

/**
 * POSTs one JSON message about a batch's new blocks to the webhook: `text` (what Slack-style hooks display) and
 * `blocks` (for machines). Never throws: a slow or failing webhook is logged and forgotten.
 */
export async function sendAlert(url: string, blocks: readonly NewBlock[]): Promise<void> {
  if (blocks.length === 0) return;
  const ips = blocks.filter((b) => b.kind === "ip").length;
  const nets = blocks.length - ips;
  const list = blocks
    .slice(0, 10)
    .map((b) => `${b.target} (${b.reason})`)
    .join("; ");
  const text = `edge-guard escalation blocklisted ${ips} IP(s) and ${nets} network(s): ${list}${blocks.length > 10 ? "; …" : ""}`;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text, blocks }),
      signal: AbortSignal.timeout(ALERT_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) logFault("escalation_alert_failed", new Error(`HTTP ${response.status}`), null);
  } catch (error) {
    logFault("escalation_alert_failed", error, null);
  }
}
