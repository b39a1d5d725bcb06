import type { DecisionView } from "./decisions";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and quoted attributes. Everything shown here came from a client. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

function reasonText(reasons: unknown): string {
  if (!Array.isArray(reasons)) return "";
  return reasons
    .map((r: { code?: unknown; detail?: unknown }) => (typeof r.detail === "string" ? `${String(r.code)} (${r.detail})` : String(r.code)))
    .join(", ");
}

/** The dashboard's decisions page: the latest decisions with their reasons and scores. */
export function decisionsPage(rows: readonly DecisionView[]): string {
  const body = rows
    .map(
      (r) => `<tr>
<td>${escapeHtml(r.at)}</td><td>${escapeHtml(r.source)}</td><td class="ip">${escapeHtml(r.ip)}</td>
<td>${escapeHtml(r.method)} ${escapeHtml(r.path)}</td><td>${escapeHtml(r.userAgent)}</td>
<td>${escapeHtml(r.edgeAction)} (${r.edgeScore})</td><td>${escapeHtml(reasonText(r.reasons))}</td>
<td>${r.modelScore === null ? "n/a" : r.modelScore.toFixed(3)}${r.modelVersion ? ` <small>${escapeHtml(r.modelVersion)}</small>` : ""}</td>
<td>${escapeHtml(r.verdict)}${r.blocked ? " · <strong>blocked</strong>" : ""}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>edge-guard · decisions</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.ip{font-family:ui-monospace,monospace}small{color:#57606a}</style></head>
<body><h1>edge-guard</h1><h2>Latest decisions</h2>
<p>${rows.length} most recent decisions scored by escalation. JSON: <a href="/api/decisions">/api/decisions</a></p>
<table><thead><tr><th>When</th><th>Source</th><th>IP</th><th>Request</th><th>User-Agent</th><th>Edge action</th><th>Reasons</th><th>Model score</th><th>Verdict</th></tr></thead>
<tbody>
${body}
</tbody></table></body></html>`;
}
