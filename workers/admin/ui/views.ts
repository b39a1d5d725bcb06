// The static part of each dashboard page: headings, landmarks, forms and the slots its module fills.
// Element ids here are the modules' contract (workers/admin/ui/*.script.ts).

const card = (id: string, title: string, body: string, extra = "") =>
  `<section class="card" aria-labelledby="h-${id}"><header><h2 id="h-${id}">${title}</h2>${extra}</header>${body}</section>`;
const loading = `<p class="muted">Loading…</p>`;

const RANGES = [
  [1, "1 h"],
  [6, "6 h"],
  [24, "24 h"],
  [168, "7 d"],
] as const;

/** Overview: key figures, traffic by action, top-N charts, and the latest decisions (`latest`, server-rendered). */
export function overviewMain(latest: string, fleets = ""): string {
  const range = RANGES.map(([hours, text]) => `<button type="button" data-hours="${hours}" aria-pressed="${hours === 24}">${text}</button>`).join("");
  const chart = (id: string, title: string, note: string) => card(id, title, `<div id="chart-${id}">${loading}</div>`, `<span class="muted">${note}</span>`);
  return `<div class="page-head"><h1>Overview</h1><p id="window-text"></p><span class="spacer"></span>
<div class="seg" role="group" aria-label="Time range">${range}</div></div>
<section class="tiles" id="tiles" aria-label="Key figures" aria-busy="true"></section>
${chart("traffic", "Requests over time by action", "every decision the edge reported")}
<div class="grid-2">
${chart("ips", "Top blocked IPs", "")}
${chart("prefixes", "Top blocked prefixes", "")}
${chart("asns", "Top blocked ASNs", "")}
${chart("reasons", "Top reasons", "all decisions")}
</div>
${card("latest", "Latest decisions", latest, `<span class="spacer"></span><a href="/decisions">Open the live feed →</a>`)}
${fleets === "" ? "" : card("fleets", "Fleet groups challenged now", fleets, `<span class="muted">addresses sharing one client fingerprint, with bot evidence</span>`)}`;
}

const ACTIONS = ["allow", "challenge", "tarpit", "block"] as const;

/** Decisions: the filter form (a plain GET form; the module reads the URL) and the feed. */
export function decisionsMain(): string {
  const actions = ACTIONS.map((a) => `<label><input type="checkbox" name="action" value="${a}"> ${a}</label>`).join("");
  const select = (name: string, label: string, values: readonly string[]) =>
    `<div class="field"><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">any</option>${values.map((v) => `<option>${v}</option>`).join("")}</select></div>`;
  return `<div class="page-head"><h1>Decisions</h1><p>What the edge decided and why, newest first.</p></div>
<form class="card" id="filters" method="get" action="/decisions" role="search" aria-label="Filter decisions">
<div class="form-row">
<div class="field"><label for="f-ip">IP address</label><input id="f-ip" name="ip" size="18" autocomplete="off" spellcheck="false"></div>
<fieldset><legend>Edge action</legend>${actions}</fieldset>
${select("verdict", "Verdict", ["bot", "unsure", "human"])}
${select("source", "Source", ["edge", "tarpit", "challenge"])}
<div class="field"><label for="f-reason">Reason code</label><input id="f-reason" name="reason" size="16" placeholder="ua-ai-crawler" autocomplete="off" spellcheck="false"></div>
<div class="field"><label><input type="checkbox" name="blocked" value="true"> Blocked only</label></div>
<div class="actions"><button class="primary">Apply</button><a class="btn" href="/decisions">Reset</a></div>
</div></form>
${card(
  "feed",
  "Feed",
  `<div class="table-wrap"><table class="data" aria-labelledby="h-feed"><thead><tr><th>When</th><th>Client</th><th>Request</th><th>Edge</th><th class="num">Model</th><th>Verdict</th><th>Reasons</th><th>Actions</th></tr></thead><tbody id="feed"><tr><td colspan="8">${loading}</td></tr></tbody></table></div><nav class="pager" id="pager" aria-label="Feed pages"></nav>`,
  `<span class="muted" id="feed-count"></span><span class="spacer"></span><label><input type="checkbox" id="live" checked> Live (every 5 s)</label>`,
)}`;
}

const TTL_OPTIONS = `<option value="3600">1 hour</option><option value="86400" selected>1 day</option><option value="604800">7 days</option><option value="2592000">30 days</option><option value="">never</option>`;

/** Blocklists: kind tabs, add form, the entries, bulk import and export. */
export function blocklistsMain(): string {
  const tabs = [["ip", "IP addresses"], ["cidr", "Networks (CIDR)"], ["asn", "ASNs"], ["allow", "Allow-list"]]
    .map(([kind, text]) => `<a class="btn" href="/blocklists?kind=${kind}" data-kind="${kind}">${text}</a>`)
    .join("");
  return `<div class="page-head"><h1>Blocklists</h1><p>Entries the edge enforces: who wrote them, why, and until when.</p></div>
<nav class="seg tabs" id="tabs" aria-label="Entry kinds">${tabs}</nav>
<form class="card" id="add-form" aria-labelledby="h-add">
<h2 id="h-add">Add an entry</h2>
<div class="form-row">
<div class="field grow"><label for="a-target">Target</label><input id="a-target" name="target" required autocomplete="off" spellcheck="false" placeholder="203.0.113.7, 203.0.113.0/24 or AS64500"></div>
<div class="field" id="a-action-field"><label for="a-action">Action</label><select id="a-action" name="action"><option>block</option><option>tarpit</option></select></div>
<div class="field grow"><label for="a-reason">Reason</label><input id="a-reason" name="reason" required maxlength="200"></div>
<div class="field"><label for="a-ttl">Expires after</label><select id="a-ttl" name="ttl">${TTL_OPTIONS}</select></div>
<button class="primary" id="a-submit">Add</button>
</div></form>
${card(
  "entries",
  "Entries",
  `<div class="table-wrap"><table class="data" aria-labelledby="h-entries"><thead id="entries-head"></thead><tbody id="entries"><tr><td>${loading}</td></tr></tbody></table></div><nav class="pager" id="pager" aria-label="Entry pages"></nav>`,
  `<span class="spacer"></span><label for="source-filter">Source</label><select id="source-filter"><option value="">any</option><option>edge</option><option>tarpit</option><option>escalation</option><option>peer</option><option>operator</option></select>`,
)}
<section class="card" aria-labelledby="h-bulk"><h2 id="h-bulk">Bulk import and export</h2>
<form id="import-form">
<div class="field"><label for="i-text">One IP, CIDR or AS number per line (<code>#</code> starts a comment)</label><textarea id="i-text" name="text" class="code" rows="6" spellcheck="false" required></textarea></div>
<div class="form-row">
<div class="field"><label for="i-action">Action</label><select id="i-action" name="action"><option>block</option><option>tarpit</option></select></div>
<div class="field grow"><label for="i-reason">Reason</label><input id="i-reason" name="reason" required maxlength="200" value="imported list"></div>
<div class="field"><label for="i-ttl">Expires after</label><select id="i-ttl" name="ttl">${TTL_OPTIONS}</select></div>
<button type="submit" value="check">Check</button><button type="submit" class="primary" value="import">Import</button>
</div></form>
<div id="import-result" aria-live="polite"></div>
<p class="actions">Export: <a href="/api/blocklist/export?kind=ip" download>IPs</a> <a href="/api/blocklist/export?kind=cidr" download>networks</a> <a href="/api/blocklist/export?kind=asn" download>ASNs</a> <a href="/api/blocklist/export" download>everything</a></p>
</section>`;
}

/** Policy: status and mode switch, the editor with validation and preview, and history. */
export function policyMain(): string {
  return `<div class="page-head"><h1>Policy</h1><p>The rules and thresholds every edge isolate applies (picked up within 30 s).</p></div>
<div class="grid-2">
${card("status", "Active policy", `<div id="policy-status">${loading}</div>`)}
${card("rules", "Rules in force", `<div id="policy-rules">${loading}</div>`)}
</div>
<form class="card" id="policy-form" aria-labelledby="h-editor"><header><h2 id="h-editor">Edit</h2><span class="muted">JSON; see the README for the format</span></header>
<label for="policy-text" class="visually-hidden">Policy document (JSON)</label>
<textarea id="policy-text" class="code tall" spellcheck="false" aria-describedby="policy-issues"></textarea>
<div id="policy-issues" aria-live="polite"></div>
<div class="form-row"><div class="field grow"><label for="policy-note">Note for the history (optional)</label><input id="policy-note" maxlength="500"></div>
<button type="button" id="btn-validate">Validate</button><button type="button" id="btn-preview">Preview on recent traffic</button><button type="submit" class="primary" id="btn-save">Save and activate</button></div>
</form>
${card("preview", "What this change would have done", `<div id="dry-run" aria-live="polite"><p class="muted">Preview re-decides the most recent 1000 decisions with the edited policy, next to the active one.</p></div>`)}
${card("history", "History", `<div id="history">${loading}</div>`)}`;
}

/** Peers: this deployment's feed, and each peer's trust, last sync and entries. */
export function peersMain(): string {
  return `<div class="page-head"><h1>Peers</h1><p>Other deployments and lists whose blocklist entries this one takes in.</p></div>
${card("self", "This deployment", `<div id="peers-self">${loading}</div>`)}
${card("peers", "Configured peers", `<div id="peers-list">${loading}</div>`)}`;
}
