import type { DecisionView } from "./store/decisions";
import { uiUrl } from "./ui/assets";
import type { FlaggedGroup } from "../../core/fleet-index";
import { escapeHtml } from "./ui/html";
import { loginShell } from "./ui/shell";

/** Each reason as a chip of its code; the detail, `code (detail)`, is its title (the feed shows it in full). */
function reasonChips(reasons: unknown): string {
  if (!Array.isArray(reasons)) return "";
  return reasons
    .map((r: { code?: unknown; detail?: unknown }) => {
      const code = escapeHtml(String(r.code));
      return typeof r.detail === "string" ? `<span class="chip" title="${code} (${escapeHtml(r.detail)})">${code}</span>` : `<span class="chip">${code}</span>`;
    })
    .join(" ");
}

/** `2026-08-01T10:20:30.123Z` as the time with the date (UTC) below it. */
function timeTag(iso: string): string {
  const [date = "", time = ""] = iso.split("T");
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(`${date} ${time.slice(0, 8)} UTC`)}">${escapeHtml(time.slice(0, 8))}</time><span class="ua">${escapeHtml(date)} UTC</span>`;
}

const KNOWN_ACTIONS = new Set(["allow", "challenge", "tarpit", "block", "pay"]);
const badge = (action: string) => `<span class="badge ${KNOWN_ACTIONS.has(action) ? action : "neutral"}">${escapeHtml(action)}</span>`;

/**
 * The latest decisions as a server-rendered table (the overview's last section, readable without JavaScript):
 * reasons and scores included, everything the client sent escaped.
 */
export function latestDecisionsTable(rows: readonly DecisionView[]): string {
  if (rows.length === 0) return `<p class="empty"><strong>No decisions yet</strong>They appear here as soon as the edge reports traffic.</p>`;
  const body = rows
    .map(
      (r) => `<tr>
<td>${timeTag(r.at)}</td><td class="mono"><a href="/decisions?ip=${encodeURIComponent(r.ip)}">${escapeHtml(r.ip)}</a></td>
<td><span class="path">${escapeHtml(r.method)} ${escapeHtml(r.path)}</span><span class="ua" title="${escapeHtml(r.userAgent)}">${escapeHtml(r.userAgent)}</span></td>
<td class="nowrap">${badge(r.edgeAction)} <span class="muted">${r.edgeScore}</span></td><td>${reasonChips(r.reasons)}</td>
<td class="num">${r.modelScore === null ? "n/a" : r.modelScore.toFixed(3)}${r.modelVersion ? `<span class="ua">${escapeHtml(r.modelVersion)}</span>` : ""}</td>
<td>${escapeHtml(r.verdict)}${r.blocked ? ` <span class="badge blocked">blocked</span>` : ""}</td></tr>`,
    )
    .join("\n");
  return `<div class="table-wrap"><table class="data"><thead><tr><th>When</th><th>IP</th><th>Request</th><th>Edge</th><th>Reasons</th><th class="num">Model score</th><th>Verdict</th></tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

/** The built-in login form. It posts to /login; the server checks the Origin (login CSRF) and rate limits. */
export function loginPage(error: string | null): string {
  return loginShell(`<div class="brand"><img src="${uiUrl("icon.svg")}" alt="">edge-guard</div>
<div class="card"><h1>Sign in</h1>${error === null ? "" : `<p class="error" role="alert">${escapeHtml(error)}</p>`}
<form method="post" action="/login">
<div class="field"><label for="name">Name</label><input id="name" name="name" autocomplete="username" required autofocus></div>
<div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
<div class="field"><label for="totp">One-time code</label><input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required aria-describedby="totp-hint"><small id="totp-hint" class="muted">6 digits from your authenticator app</small></div>
<button class="primary">Sign in</button></form></div>`);
}

/** Fleet groups challenged now (KV `fleet:index`): the group, when and why it was flagged, and its members. */
export function fleetsTable(groups: readonly FlaggedGroup[], now: number): string {
  const live = groups.filter((g) => g.until > now);
  if (live.length === 0) return `<p class="empty"><strong>No fleet groups flagged</strong>A group appears here when several of its addresses show bot evidence.</p>`;
  const evidence = (e: Readonly<Record<string, number>>) =>
    Object.entries(e)
      .map(([code, n]) => `<span class="chip" title="${escapeHtml(code)}">${escapeHtml(code)} × ${n}</span>`)
      .join(" ");
  const members = (g: FlaggedGroup) =>
    g.members.map((ip) => `<a class="mono" href="/decisions?ip=${encodeURIComponent(ip)}">${escapeHtml(ip)}</a>`).join(" ") +
    (g.addresses > g.members.length ? ` <span class="muted">and ${g.addresses - g.members.length} more</span>` : "");
  const rows = live
    .map(
      (g) => `<tr><td class="mono">${escapeHtml(g.group)}<span class="ua" title="${escapeHtml(g.userAgent)}">${escapeHtml(g.userAgent)}</span></td>
<td>${timeTag(new Date(g.since).toISOString())}</td><td>${timeTag(new Date(g.until).toISOString())}</td><td>${evidence(g.evidence)}</td><td>${members(g)}</td></tr>`,
    )
    .join("\n");
  return `<div class="table-wrap"><table class="data"><thead><tr><th>Group</th><th>Flagged</th><th>Challenged until</th><th>Evidence</th><th>Members</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}
