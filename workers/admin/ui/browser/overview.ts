import type { Overview, Revenue, TopItem } from "./api-types";
import { api, byId, errorState, fill, fmtBytes, fmtDuration, fmtInt, fmtPercent, h, messageOf, viewer } from "./app";
import { hbars, stackedBars } from "./charts";
import { fmtUsd } from "./money";

const SERIES = [
  { key: "allow", label: "allow" },
  { key: "challenge", label: "challenge" },
  { key: "tarpit", label: "tarpit" },
  { key: "block", label: "block" },
  { key: "pay", label: "pay" },
];

/** Bucket minutes per range: 60, 72, 48 and 28 bars. */
const BUCKET_MINUTES: Record<number, number> = { 1: 1, 6: 5, 24: 30, 168: 360 };
const REFRESH_MS = 30000;

const fromUrl = Number(new URLSearchParams(location.search).get("hours"));
let hours = BUCKET_MINUTES[fromUrl] ? fromUrl : 24;
let last: Overview | null = null;
/** Pay-per-crawl revenue from the ledger (null: not loaded, e.g. the ledger is unreachable). */
let revenue: Revenue | null = null;

const clock = (t: number) => new Date(t).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

const day = (t: number) => new Date(t).toLocaleDateString(undefined, { month: "short", day: "numeric" });

const dayClock = (t: number) => day(t) + " " + clock(t);

function tile(label: string, value: string, hint: string, small = false) {
  return h(
    "div",
    { class: "tile" },
    h("div", { class: "label" }, label),
    h("div", { class: small ? "value small" : "value" }, value),
    h("div", { class: "hint" }, hint),
  );
}

/** Every bucket of the window, the API's counts filled in (it only returns buckets with decisions). */
function buckets(data: Overview) {
  const size = data.window.bucketSeconds * 1000;
  const counts: Map<number, Overview["requestsOverTime"][number]> = new Map(data.requestsOverTime.map((r) => [new Date(r.t).getTime(), r]));
  const rows = [];
  const until = new Date(data.window.until).getTime();
  for (let t = Math.floor(new Date(data.window.since).getTime() / size) * size; t <= until; t += size) {
    const found: Readonly<Record<string, number | string>> = counts.get(t) ?? {};
    const values: Record<string, number> = {};
    for (const s of SERIES) values[s.key] = Number(found[s.key] || 0);
    rows.push({ t, values });
  }
  return rows;
}

/** The commonest fault kinds (edge-guard publishes totals over the last day). */
function faultHint(byKind: Overview["faults"]["byKind"]) {
  const kinds = Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return kinds.length === 0
    ? "none in the last day"
    : "last day: " +
        kinds
          .slice(0, 3)
          .map(([kind, n]) => kind + " " + fmtInt(n))
          .join(", ");
}

function renderTiles(data: Overview) {
  const rows = buckets(data);
  const sum = (key: string) => rows.reduce((a, r) => a + (r.values[key] || 0), 0);
  const total = SERIES.reduce((a, s) => a + sum(s.key), 0);
  const blocked = sum("block");
  const c = data.challenge;
  const tarpit = data.tarpit;
  const notYet = "not recorded yet";
  byId("tiles").replaceChildren(
    tile("Requests reported", fmtInt(total), "in the last " + (hours >= 48 ? hours / 24 + " days" : hours + " h")),
    tile("Blocked", fmtInt(blocked), total > 0 ? fmtPercent(blocked / total) + " of reported" : "nothing reported"),
    tile(
      "Challenge pass rate",
      c.passRate === null ? "–" : fmtPercent(c.passRate),
      c.issued === 0 ? "no challenges issued" : fmtInt(c.passed) + " of " + fmtInt(c.issued) + " passed",
    ),
    tile(
      "Tarpit time wasted",
      tarpit.heldSeconds === null ? "–" : fmtDuration(tarpit.heldSeconds),
      tarpit.bytes === null ? "time and bytes " + notYet : fmtBytes(tarpit.bytes) + " of labyrinth sent",
    ),
    tile(
      "Faults (fail-open)",
      data.faults.failOpen === null ? "–" : fmtInt(data.faults.failOpen),
      data.faults.failOpen === null ? notYet : faultHint(data.faults.byKind),
    ),
    tile(
      "Model",
      data.modelVersion || "none yet",
      data.queueLagSeconds === null ? "no recent reports" : "queue lag " + data.queueLagSeconds.toFixed(1) + " s",
      true,
    ),
    tile(
      "Pay-per-crawl revenue",
      revenue === null ? "–" : fmtUsd(revenue.last7Days.netMicros),
      revenue === null ? "ledger not available" : "last 7 days · " + fmtUsd(revenue.last30Days.netMicros) + " in 30",
    ),
  );
  byId("tiles").removeAttribute("aria-busy");
}

function render(data: Overview) {
  const size = data.window.bucketSeconds;
  byId("window-text").textContent =
    "Last " +
    (hours >= 48 ? hours / 24 + " days" : hours + " hours") +
    " in " +
    fmtDuration(size) +
    " steps · updated " +
    new Date().toLocaleTimeString();
  renderTiles(data);
  const rows = buckets(data);
  const hasPay = rows.some((r) => (r.values.pay ?? 0) > 0);
  stackedBars(byId("chart-traffic"), {
    title: "Requests over time by action",
    series: SERIES.filter((s) => s.key !== "pay" || hasPay),
    rows,
    timeLabel: hours > 24 ? dayClock : clock,
    tickLabel: hours > 24 ? day : clock,
  });
  const items = (list: readonly TopItem[], href: (key: string) => string | undefined) =>
    list.map((t) => ({ label: t.key, value: t.count, href: href(t.key), note: t.label || undefined }));
  const feed = "/decisions?";
  hbars(byId("chart-ips"), {
    title: "Top blocked IPs",
    unit: "decisions",
    empty: "No blocked IPs in this window",
    items: items(data.topBlockedIps, (k) => feed + "ip=" + encodeURIComponent(k)),
  });
  hbars(byId("chart-prefixes"), {
    title: "Top blocked prefixes",
    unit: "decisions",
    empty: "No blocked prefixes in this window",
    items: items(data.topBlockedPrefixes, () => undefined),
  });
  hbars(byId("chart-asns"), {
    title: "Top blocked ASNs",
    unit: "decisions",
    empty: "No blocked ASNs in this window",
    items: items(data.topBlockedAsns, () => undefined).map((i) => ({ ...i, label: "AS" + i.label })),
  });
  hbars(byId("chart-reasons"), {
    title: "Top reasons",
    unit: "decisions",
    empty: "No reasons recorded in this window",
    items: items(data.topReasons, (k) => feed + "reason=" + encodeURIComponent(k)),
  });
}

async function load() {
  try {
    const figures = api<Overview>("/api/overview?hours=" + hours + "&bucketMinutes=" + BUCKET_MINUTES[hours]);
    revenue = await api<Revenue>("/api/ledger/revenue").catch(() => null);
    last = await figures;
    render(last);
  } catch (error) {
    byId("window-text").textContent = "Could not load the figures: " + messageOf(error);
    for (const id of ["chart-traffic", "chart-ips", "chart-prefixes", "chart-asns", "chart-reasons"])
      byId(id).replaceChildren(errorState(error));
  }
}

for (const button of document.querySelectorAll("[data-hours]")) {
  button.addEventListener("click", () => {
    hours = Number(button.getAttribute("data-hours"));
    for (const other of document.querySelectorAll("[data-hours]")) other.setAttribute("aria-pressed", String(other === button));
    history.replaceState(null, "", hours === 24 ? location.pathname : "?hours=" + hours);
    void load();
  });
  button.setAttribute("aria-pressed", String(Number(button.getAttribute("data-hours")) === hours));
}

// Charts are drawn to the width they have: redraw on resize.
let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => last && render(last), 150);
});
window.setInterval(() => {
  if (!document.hidden) void load();
}, REFRESH_MS);
void load();

/** Admins: requests and blocks of every site in the last 24 hours, each name linking to that site's overview. */
async function allSites() {
  if (viewer.role !== "admin") return;
  const section = byId("all-sites");
  try {
    const data = await api<{ sites: { id: string; name: string; requests: number; blocked: number }[] }>("/api/sites/overview");
    if (data.sites.length < 2) return;
    fill(
      section,
      h("h2", null, "All sites, last 24 hours"),
      h(
        "table",
        { class: "table" },
        h("thead", null, h("tr", null, h("th", null, "Site"), h("th", null, "Requests"), h("th", null, "Blocked"))),
        h(
          "tbody",
          null,
          data.sites.map((s) =>
            h(
              "tr",
              { "data-site-row": s.id },
              h("td", null, h("a", { href: s.id === "default" ? "/" : "/?site=" + encodeURIComponent(s.id) }, s.name)),
              h("td", null, fmtInt(s.requests)),
              h("td", null, fmtInt(s.blocked)),
            ),
          ),
        ),
      ),
    );
    section.hidden = false;
  } catch (error) {
    fill(section, h("h2", null, "All sites"), errorState(error));
    section.hidden = false;
  }
}
void allSites();
