import type { AllowEntry, BlocklistEntry, ImportResult, ListEntry, ListPage } from "./api-types";
import {
  actionBadge,
  announce,
  api,
  ask,
  byId,
  emptyState,
  errorState,
  fmtRelative,
  fmtTime,
  h,
  messageOf,
  operatorOnly,
  ttlSeconds,
  viewer,
} from "./app";

const KINDS = ["ip", "cidr", "asn", "allow"];
const PAGE_SIZE = 100;
const requested = new URLSearchParams(location.search).get("kind") || "ip";
const kind = KINDS.includes(requested) ? requested : "ip";
const isAllow = kind === "allow";

const sourceFilter = byId("source-filter") as HTMLSelectElement;

/** Cursors of the pages before this one (KV cursors are opaque: "previous" means going back along them). */
const trail: Array<string | null> = [];
let current: string | null = null;
let entries: readonly ListEntry[] = [];

for (const tab of byId("tabs").querySelectorAll("a")) {
  if (tab.getAttribute("data-kind") === kind) tab.setAttribute("aria-current", "page");
}
for (const el of document.querySelectorAll("#add-form button, #import-form button")) operatorOnly(el as HTMLElement);
if (isAllow) {
  byId("a-action-field").hidden = true;
  byId("a-submit").textContent = "Allow-list";
  byId("a-target").setAttribute("placeholder", "198.51.100.20 or 198.51.100.0/24");
}
byId("h-add").textContent = isAllow ? "Allow-list an address or network" : "Block an address, network or AS";

const when = (at: string | null) =>
  at === null ? h("span", { class: "muted" }, "never") : h("time", { datetime: at, title: fmtTime(at) }, fmtRelative(at));

async function remove(e: ListEntry) {
  const values = await ask({
    title: (isAllow ? "Remove " : "Unblock ") + e.target + "?",
    text: isAllow ? "The edge scores it like anyone else again." : "The edge stops blocking it within about 10 seconds.",
    confirm: "Remove",
    danger: true,
  });
  if (values === null) return;
  try {
    await api((isAllow ? "/api/allowlist" : "/api/blocklist") + "?target=" + encodeURIComponent(e.target), { method: "DELETE" });
    announce("Removed " + e.target + ".");
    await load(current);
  } catch (error) {
    announce(messageOf(error), "error");
  }
}

function removeButton(e: ListEntry) {
  return operatorOnly(
    h("button", { type: "button", class: "small", "aria-label": "Remove " + e.target, onclick: () => remove(e) }, "Remove"),
  );
}

function renderRows() {
  const head = isAllow
    ? ["Target", "Reason", "By", "Added", "Expires", ""]
    : ["Target", "Action", "Source", "Reason", "Score", "Added", "Expires", ""];
  byId("entries-head").replaceChildren(
    h(
      "tr",
      null,
      head.map((t) => h("th", { scope: "col" }, t)),
    ),
  );
  const shown = entries.filter((e) => !("source" in e) || sourceFilter.value === "" || e.source === sourceFilter.value);
  const body = byId("entries");
  if (shown.length === 0) {
    body.replaceChildren(
      h(
        "tr",
        null,
        h(
          "td",
          { colspan: head.length },
          emptyState(
            entries.length === 0 ? "No entries" : "No entries from this source on this page",
            isAllow ? "Allow-listed addresses skip scoring entirely." : "Add one above, or block from the decisions feed.",
          ),
        ),
      ),
    );
    return;
  }
  body.replaceChildren(...shown.map((e) => ("by" in e ? allowRow(e) : blockRow(e))));
}

function allowRow(e: AllowEntry) {
  return h(
    "tr",
    null,
    h("td", { class: "mono" }, e.target),
    h("td", null, e.reason),
    h("td", null, e.by),
    h("td", null, when(e.at)),
    h("td", null, when(e.expiresAt)),
    h("td", null, removeButton(e)),
  );
}

function blockRow(e: BlocklistEntry) {
  return h(
    "tr",
    null,
    h("td", { class: "mono" }, kind === "ip" ? h("a", { href: "/decisions?ip=" + encodeURIComponent(e.target) }, e.target) : e.target),
    h("td", null, actionBadge(e.action)),
    h("td", null, h("span", { class: "badge neutral" }, e.source)),
    h("td", null, e.reason),
    h("td", { class: "num" }, e.score === null ? "" : String(Math.round(e.score * 1000) / 1000)),
    h("td", null, when(e.at)),
    h("td", null, when(e.expiresAt)),
    h("td", null, removeButton(e)),
  );
}

async function load(from: string | null) {
  try {
    const page = await api<ListPage>(
      (isAllow ? "/api/allowlist?" : "/api/blocklist?kind=" + kind + "&") +
        "limit=" +
        PAGE_SIZE +
        (from ? "&cursor=" + encodeURIComponent(from) : ""),
    );
    current = from;
    entries = page.entries;
    renderRows();
    const pager = [];
    if (trail.length > 0) pager.push(h("button", { type: "button", onclick: () => load(trail.pop() ?? null) }, "← Previous"));
    if (page.nextCursor)
      pager.push(
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              trail.push(current);
              void load(page.nextCursor);
            },
          },
          "Next →",
        ),
      );
    byId("pager").replaceChildren(...pager);
  } catch (error) {
    byId("entries").replaceChildren(h("tr", null, h("td", null, errorState(error))));
  }
}

byId("add-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const data = new FormData(form);
  const target = String(data.get("target")).trim();
  const body = { target, reason: String(data.get("reason")), ttlSeconds: ttlSeconds(data.get("ttl")) };
  try {
    if (isAllow) await api("/api/allowlist", { method: "POST", body });
    else
      await api("/api/blocklist", {
        method: "POST",
        body: { ...body, action: String(data.get("action")), kind: kind === "ip" ? undefined : kind },
      });
    announce((isAllow ? "Allow-listed " : "Added ") + target + ".");
    form.reset();
    await load(null);
  } catch (error) {
    announce(messageOf(error), "error");
    byId("a-target").focus();
  }
});

byId("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const submitter = (event as SubmitEvent).submitter;
  const dryRun = submitter !== null && submitter.getAttribute("value") === "check";
  const data = new FormData(event.currentTarget as HTMLFormElement);
  const out = byId("import-result");
  try {
    const result = await api<ImportResult>("/api/blocklist/import", {
      method: "POST",
      body: {
        text: String(data.get("text")),
        action: String(data.get("action")),
        reason: String(data.get("reason")),
        ttlSeconds: ttlSeconds(data.get("ttl")),
        dryRun,
      },
    });
    const good = result.targets.length;
    const head = dryRun ? good + " entries would be added" : result.added + " entries added";
    out.replaceChildren(
      h(
        "ul",
        { class: "issues" },
        h("li", { class: "ok" }, head + (result.refused.length > 0 ? "; " + result.refused.length + " lines refused:" : ".")),
        result.refused.map((r) => h("li", null, "line " + r.line + ": ", h("code", null, r.text), " — " + r.error)),
      ),
    );
    announce(head + ".");
    if (!dryRun) await load(null);
  } catch (error) {
    out.replaceChildren(h("ul", { class: "issues" }, h("li", null, messageOf(error))));
    announce(messageOf(error), "error");
  }
});

sourceFilter.addEventListener("change", renderRows);
// The export links are plain downloads (no api() call to add the site): they name the site shown themselves.
if (viewer.site !== "default")
  document.querySelectorAll<HTMLAnchorElement>('a[href^="/api/blocklist/export"]').forEach((link) => {
    link.href += (link.href.includes("?") ? "&" : "?") + "site=" + encodeURIComponent(viewer.site);
  });
if (isAllow)
  sourceFilter
    .closest("header")
    ?.querySelectorAll("label, select")
    .forEach((el) => el.setAttribute("hidden", ""));
byId("h-entries").textContent =
  { ip: "Blocked IP addresses", cidr: "Blocked networks", asn: "Blocked ASNs", allow: "Allow-listed addresses and networks" }[kind] ||
  "Entries";
void load(null);
