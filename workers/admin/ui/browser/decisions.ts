import type { Decision, DecisionPage, Reason, Signal } from "./api-types";
import { type Child, actionBadge, api, reasonsOf, byId, emptyState, errorState, fmtRelative, fmtTime, h, messageOf } from "./app";
import { actionsFor } from "./decision-actions";

const PAGE_SIZE = 50;
const MAX_ROWS = 250;
const LIVE_MS = 5000;
const COLUMNS = 8;
const FILTERS = ["ip", "verdict", "source", "reason", "blocked"];

const params = new URLSearchParams(location.search);
const cursor = params.get("cursor");

const form = byId("filters") as HTMLFormElement;
const tbody = byId("feed");

const live = byId("live") as HTMLInputElement;
let newest = 0;

/** What each reason code means (GET /api/signals, the edge's signal registry); empty until loaded, or if it fails. */
const meanings = new Map<string, string>();
const signalsLoaded = api<{ signals: readonly Signal[] }>("/api/signals").then(
  ({ signals }) => {
    for (const s of signals) meanings.set(s.code, s.description);
  },
  () => undefined, // the feed works without descriptions
);

/** A reason's hover text: what the code means, then what the edge saw. */
const reasonTitle = (r: Reason): string | null => [meanings.get(r.code), r.detail].filter(Boolean).join(" · ") || null;

function selectedActions() {
  return params
    .getAll("action")
    .flatMap((a) => a.split(","))
    .filter((a) => a !== "");
}

function fillForm() {
  for (const name of ["ip", "verdict", "source", "reason"]) {
    const field = form.elements.namedItem(name) as HTMLInputElement | null;
    if (field) field.value = params.get(name) || "";
  }
  const actions = selectedActions();
  for (const box of form.querySelectorAll('input[name="action"]'))
    (box as HTMLInputElement).checked = actions.includes((box as HTMLInputElement).value);
  const blocked = form.querySelector('input[name="blocked"]') as HTMLInputElement;
  blocked.checked = params.get("blocked") === "true";
}

/** The API query for a page of the feed. */
function apiQuery(from: string | null) {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const name of FILTERS) if (params.get(name)) q.set(name, params.get(name) || "");
  if (selectedActions().length > 0) q.set("action", selectedActions().join(","));
  if (from) q.set("cursor", from);
  return q.toString();
}

/** This page's URL with another cursor (null: the newest page). */
function pageUrl(next: string | null) {
  const q = new URLSearchParams(params);
  q.delete("cursor");
  if (next) q.set("cursor", next);
  const text = q.toString();
  return "/decisions" + (text ? "?" + text : "");
}

/** The request.cf fields a decision shows (all optional: older rows and local requests lack some). */
interface CfFacts {
  readonly asn?: number;
  readonly asOrganization?: string;
  readonly country?: string;
  readonly httpProtocol?: string;
  readonly tlsVersion?: string;
}

const cfOf = (d: Decision): CfFacts => (d.cf !== null && typeof d.cf === "object" ? d.cf : {});

const weight = (r: Reason) => (typeof r.weight === "number" ? (r.weight > 0 ? " +" : " ") + r.weight : "");

function detailRow(d: Decision) {
  const cf = cfOf(d);
  const item = (term: string, value: Child) => [h("dt", null, term), h("dd", null, value)];
  return h(
    "tr",
    { class: "detail", id: "detail-" + d.id },
    h(
      "td",
      { colspan: COLUMNS },
      h(
        "dl",
        { class: "kv" },
        item(
          "Reasons",
          reasonsOf(d).length === 0
            ? "none"
            : h(
                "ul",
                null,
                reasonsOf(d).map((r) =>
                  h(
                    "li",
                    null,
                    h("code", null, r.code),
                    weight(r),
                    meanings.has(r.code) ? " — " + meanings.get(r.code) : "",
                    r.detail ? " · " + r.detail : "",
                  ),
                ),
              ),
        ),
        item("Signals", d.signals && d.signals.length > 0 ? d.signals.map((s) => h("span", { class: "chip" }, s)) : "none recorded"),
        item("User-Agent", d.userAgent || "(none)"),
        item(
          "Network",
          [cf.asn ? "AS" + cf.asn : "", cf.asOrganization || "", cf.country || "", cf.httpProtocol || "", cf.tlsVersion || ""]
            .filter(Boolean)
            .join(" · ") || "unknown",
        ),
        item(
          "Scores",
          "edge " +
            d.edgeScore +
            " · escalation " +
            (d.score === null ? "n/a" : d.score) +
            " · model " +
            (d.modelScore === null ? "n/a" : d.modelScore.toFixed(3) + (d.modelVersion ? " (" + d.modelVersion + ")" : "")),
        ),
        item("Label", d.label ? d.label.kind + ": " + d.label.value : "none"),
        item("Report", [h("code", null, d.reportId), " · decision #" + d.id + " · " + d.source]),
      ),
    ),
  );
}

function toggleDetail(tr: HTMLElement, d: Decision, button: HTMLElement) {
  const open = document.getElementById("detail-" + d.id);
  if (open) open.remove();
  else tr.after(detailRow(d));
  button.setAttribute("aria-expanded", String(!open));
}

function row(d: Decision) {
  const cf = cfOf(d);
  const reasons = reasonsOf(d);
  const shown = reasons.slice(0, 4);
  const more = h(
    "button",
    {
      type: "button",
      class: "link small",
      "aria-expanded": "false",
      "aria-controls": "detail-" + d.id,
      "aria-label": "Details of decision " + d.id,
    },
    reasons.length > shown.length ? "+" + (reasons.length - shown.length) + " more, details" : "details",
  );
  const tr = h(
    "tr",
    { "data-id": d.id },
    h("td", null, h("time", { datetime: d.at, title: fmtRelative(d.at) }, fmtTime(d.at))),
    h(
      "td",
      null,
      h("a", { class: "mono", href: "/decisions?ip=" + encodeURIComponent(d.ip) }, d.ip),
      h("span", { class: "ua" }, [cf.asn ? "AS" + cf.asn : "", cf.country || ""].filter(Boolean).join(" · ")),
    ),
    h(
      "td",
      null,
      h("span", { class: "path" }, d.method + " " + d.path),
      h("span", { class: "ua", title: d.userAgent }, d.userAgent || "(no User-Agent)"),
    ),
    h("td", { class: "nowrap" }, actionBadge(d.edgeAction), " ", h("span", { class: "muted" }, String(d.edgeScore))),
    h("td", { class: "num" }, d.modelScore === null ? "n/a" : d.modelScore.toFixed(3)),
    h(
      "td",
      null,
      d.verdict,
      d.blocked ? [" ", h("span", { class: "badge blocked" }, "blocked")] : null,
      d.label ? h("span", { class: "ua" }, d.label.value) : null,
    ),
    h(
      "td",
      null,
      shown.map((r) => h("span", { class: "chip", title: reasonTitle(r) }, r.code, h("span", { class: "w" }, weight(r)))),
      more,
    ),
    h("td", null, actionsFor(d)),
  );
  more.addEventListener("click", () => toggleDetail(tr, d, more));
  return tr;
}

function fullRow(content: Node) {
  return h("tr", { class: "placeholder" }, h("td", { colspan: COLUMNS }, content));
}

function renderPager(next: string | null, count: number) {
  const links = [];
  if (cursor) links.push(h("a", { class: "btn", href: pageUrl(null) }, "← Newest"));
  if (next) links.push(h("a", { class: "btn", href: pageUrl(next), rel: "next" }, "Older →"));
  byId("pager").replaceChildren(...links);
  byId("feed-count").textContent = count + " shown" + (cursor ? " (an older page)" : "");
}

async function load() {
  try {
    const [page] = await Promise.all([api<DecisionPage>("/api/decisions?" + apiQuery(cursor)), signalsLoaded]);
    const filtered = FILTERS.some((f) => params.get(f)) || selectedActions().length > 0;
    if (page.decisions.length === 0) {
      tbody.replaceChildren(
        fullRow(
          emptyState(
            filtered ? "No decisions match these filters" : "No decisions yet",
            filtered ? "Change or reset the filters." : "They appear here as soon as the edge reports traffic.",
          ),
        ),
      );
    } else {
      tbody.replaceChildren(...page.decisions.map(row));
    }
    newest = page.decisions.reduce((max, d) => Math.max(max, d.id), newest);
    renderPager(page.nextCursor, page.decisions.length);
  } catch (error) {
    tbody.replaceChildren(fullRow(errorState(error)));
  }
}

/** Prepends decisions newer than the newest shown (only on the newest page). */
async function poll() {
  if (!live.checked || document.hidden || cursor) return;
  try {
    const page = await api<DecisionPage>("/api/decisions?" + apiQuery(null));
    const fresh = page.decisions.filter((d) => d.id > newest);
    if (fresh.length === 0) return;
    tbody.querySelector("tr.placeholder")?.remove();
    tbody.prepend(
      ...fresh.map((d) => {
        const tr = row(d);
        tr.classList.add("new");
        return tr;
      }),
    );
    newest = Math.max(newest, ...fresh.map((d) => d.id));
    const rows = tbody.querySelectorAll("tr:not(.detail)");
    for (let i = MAX_ROWS; i < rows.length; i++) {
      const row = rows[i];
      if (row === undefined) continue;
      document.getElementById("detail-" + row.getAttribute("data-id"))?.remove();
      row.remove();
    }
    byId("feed-count").textContent = Math.min(rows.length, MAX_ROWS) + " shown · live";
  } catch (error) {
    byId("feed-count").textContent = "live updates paused: " + messageOf(error);
  }
}

form.addEventListener("submit", (event) => {
  // Leave empty fields out of the URL, so it stays short and shareable.
  event.preventDefault();
  const q = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (String(value).trim() !== "") q.append(name, String(value).trim());
  location.assign("/decisions" + (q.toString() ? "?" + q.toString() : ""));
});
if (cursor) {
  live.checked = false;
  live.disabled = true;
  live.title = "Live updates run on the newest page";
}
fillForm();
void load();
window.setInterval(() => void poll(), LIVE_MS);
