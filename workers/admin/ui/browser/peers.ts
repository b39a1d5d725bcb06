import type { Peer, PeerSelf, Peers } from "./api-types";
import {
  type Child,
  ApiError,
  actionBadge,
  api,
  byId,
  dataTable,
  emptyState,
  errorState,
  fmtInt,
  fmtRelative,
  fmtTime,
  h,
  num,
} from "./app";

function rejectedTotal(rejected: Record<string, number>) {
  return Object.values(rejected || {}).reduce((a, b) => a + Number(b), 0);
}

function rejectedText(rejected: Record<string, number>) {
  const parts = Object.entries(rejected || {})
    .filter(([, n]) => Number(n) > 0)
    .map(([reason, n]) => reason + " " + n);
  return parts.length === 0 ? "none" : parts.join(", ");
}

function renderSelf(self: PeerSelf) {
  const item = (term: string, value: Child) => [h("dt", null, term), h("dd", null, value)];
  byId("peers-self").replaceChildren(
    h(
      "dl",
      { class: "kv" },
      item(
        "Publishing",
        self.publishing ? "yes, signed with key " + (self.kid || "") : "no signing key configured: peers cannot pull from here",
      ),
      item("Issuer", h("code", null, self.issuer)),
      item("Feed URL", h("code", null, self.feedUrl)),
      item("Key URL", h("code", null, self.keyUrl)),
      item("Push URL", h("code", null, self.pushUrl)),
    ),
  );
}

function lastSync(p: Peer) {
  const s = p.lastSync;
  if (!s) return h("span", { class: "muted" }, "never");
  return [
    h("time", { datetime: s.at, title: fmtTime(s.at) }, fmtRelative(s.at)),
    " ",
    h("span", { class: "badge " + (s.status === "ok" ? "allow" : "block") }, s.status),
    s.error ? h("span", { class: "ua", title: s.error }, s.error) : null,
  ];
}

function renderPeers(peers: readonly Peer[]) {
  if (peers.length === 0) {
    byId("peers-list").replaceChildren(
      emptyState(
        "No peers yet",
        "Add another edge-guard deployment's feed or a community list with POST /api/peers; it shows here with its trust level and sync results.",
      ),
    );
    return;
  }
  const head = ["Peer", "Kind", "Trust", "Action", "Last sync", "Received", "Applied", "Rejected", "Active entries"];
  byId("peers-list").replaceChildren(
    dataTable(
      head.map((t, i) => (i >= 5 ? num(t) : t)),
      peers.map((p) =>
        h(
          "tr",
          null,
          h(
            "td",
            null,
            h("strong", null, p.name),
            p.enabled ? null : [" ", h("span", { class: "badge neutral" }, "disabled")],
            h("span", { class: "ua", title: p.feedUrl || "" }, p.feedUrl || "push or import only"),
          ),
          h("td", null, p.kind),
          h("td", null, h("span", { class: "badge neutral" }, p.trust)),
          h("td", null, actionBadge(p.action)),
          h("td", null, lastSync(p)),
          h("td", { class: "num" }, fmtInt(p.totals.received)),
          h("td", { class: "num" }, fmtInt(p.totals.applied)),
          h("td", { class: "num", title: rejectedText(p.totals.rejected) }, fmtInt(rejectedTotal(p.totals.rejected))),
          h("td", { class: "num" }, fmtInt(p.activeEntries)),
        ),
      ),
    ),
  );
}

async function load() {
  try {
    const data = await api<Peers>("/api/peers");
    renderSelf(data.self);
    renderPeers(data.peers);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      const none = emptyState("Peering is not available here", "This deployment's admin API has no peers routes yet.");
      byId("peers-self").replaceChildren(none);
      byId("peers-list").replaceChildren(emptyState("No peers", "Peers appear here once peering is enabled."));
    } else {
      byId("peers-self").replaceChildren(errorState(error));
      byId("peers-list").replaceChildren();
    }
  }
}

void load();
