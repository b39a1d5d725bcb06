import type { CrawlerAccount, CrawlerAccounts, LedgerPage, LedgerTotals, Revenue } from "./api-types";
import { fmtUsd, parseUsd } from "./money";
import {
  type Child,
  announce,
  api,
  ask,
  byId,
  canOperate,
  emptyState,
  errorState,
  fill,
  fmtInt,
  fmtTime,
  h,
  messageOf,
  operatorOnly,
  viewer,
} from "./app";

const STATE_BADGE: Record<string, string> = { active: "allow", pending: "challenge", suspended: "block" };

function renderRevenue(revenue: Revenue) {
  const figure = (label: string, totals: LedgerTotals) =>
    h(
      "div",
      { class: "figure" },
      h("span", { class: "label" }, label),
      h("strong", { "data-revenue": label }, fmtUsd(totals.netMicros)),
      h("span", { class: "muted" }, `${fmtInt(totals.charges)} charges`),
    );
  fill(
    byId("accounts-revenue"),
    h(
      "div",
      { class: "figures" },
      figure("Last 7 days", revenue.last7Days),
      figure("Last 30 days", revenue.last30Days),
      figure("All time", revenue.allTime),
    ),
  );
}

async function change(account: CrawlerAccount, body: Record<string, unknown>, done: string) {
  try {
    await api(`/api/accounts/${account.thumbprint}`, { method: "PATCH", body });
    announce(done, "ok");
    await loadAccounts();
  } catch (error) {
    announce(messageOf(error), "error");
  }
}

async function editTerms(account: CrawlerAccount) {
  const values = await ask({
    title: `Terms of ${account.name}`,
    text: "Amounts in US dollars; leave a field empty to use the policy's price or no cap of its own.",
    confirm: "Save",
    fields: [
      {
        name: "price",
        label: "Negotiated rate per request ($)",
        value: account.priceMicros === null ? "" : fmtUsd(account.priceMicros).slice(1),
        required: false,
      },
      {
        name: "cap",
        label: "Spend cap ($)",
        value: account.capMicros === null ? "" : fmtUsd(account.capMicros).slice(1).replace(/,/g, ""),
        required: false,
      },
      {
        name: "prepaid",
        label: "Billing",
        value: account.prepaid ? "yes" : "no",
        choices: [
          ["no", "postpaid (invoiced from statements)"],
          ["yes", "prepaid (balance never below zero)"],
        ],
      },
    ],
  });
  if (values === null) return;
  const amount = (text: string | undefined) => (text === undefined || text.trim() === "" ? null : parseUsd(text));
  const priceMicros = amount(values.price);
  const capMicros = amount(values.cap);
  if ((values.price?.trim() && priceMicros === null) || (values.cap?.trim() && capMicros === null)) {
    announce("Amounts are dollars with up to 6 decimals, e.g. 0.005", "error");
    return;
  }
  await change(account, { priceMicros, capMicros, prepaid: values.prepaid === "yes" }, `Terms of ${account.name} saved`);
}

async function topUp(account: CrawlerAccount) {
  const values = await ask({
    title: `Credit ${account.name}`,
    text: "A payment received outside the gateways (e.g. a bank transfer). The same reference is credited once.",
    confirm: "Credit",
    fields: [
      { name: "amount", label: "Amount ($)" },
      { name: "reference", label: "Reference" },
    ],
  });
  if (values === null) return;
  const micros = parseUsd(values.amount ?? "");
  if (micros === null || micros === 0) return announce("The amount is dollars, e.g. 25 or 12.50", "error");
  try {
    const result = await api<{ credited: boolean; balanceMicros: number }>(`/api/accounts/${account.thumbprint}/top-ups`, {
      method: "POST",
      body: { micros, reference: values.reference },
    });
    announce(
      result.credited ? `Credited; balance ${fmtUsd(result.balanceMicros)}` : "That reference was credited before: nothing changed",
      result.credited ? "ok" : "error",
    );
    await loadAccounts();
  } catch (error) {
    announce(messageOf(error), "error");
  }
}

function actions(account: CrawlerAccount): Child {
  if (!canOperate()) return null;
  const button = (text: string, onclick: () => unknown, cls = "small") =>
    operatorOnly(h("button", { class: cls, type: "button", onclick }, text));
  return [
    account.state === "pending"
      ? button("Approve", () => change(account, { state: "active" }, `${account.name} approved`), "small primary")
      : null,
    account.state === "active"
      ? button("Suspend", () => change(account, { state: "suspended" }, `${account.name} suspended`), "small danger")
      : null,
    account.state === "suspended" ? button("Reactivate", () => change(account, { state: "active" }, `${account.name} reactivated`)) : null,
    button("Terms", () => editTerms(account)),
    account.prepaid && viewer.role === "admin" ? button("Credit", () => topUp(account)) : null,
  ];
}

function renderAccounts(accounts: readonly CrawlerAccount[]) {
  if (accounts.length === 0) {
    fill(
      byId("accounts-list"),
      emptyState(
        "No accounts yet",
        "Create one for a crawler's Web Bot Auth key, or let crawlers register at POST /api/accounts/register.",
      ),
    );
    return;
  }
  const head = ["Crawler", "Key", "State", "Billing", "Rate", "Cap", "Balance", "Spent", "Charges", ""];
  fill(
    byId("accounts-list"),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data", id: "accounts-table" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            head.map((t, i) => h("th", { scope: "col", class: i >= 4 && i <= 8 ? "num" : null }, t)),
          ),
        ),
        h(
          "tbody",
          null,
          accounts.map((a) =>
            h(
              "tr",
              { "data-thumbprint": a.thumbprint },
              h(
                "td",
                null,
                h("strong", null, a.name),
                h("div", { class: "muted" }, a.directory),
                a.origin === "self" ? h("span", { class: "muted" }, "self-registered") : null,
              ),
              h("td", null, h("code", { title: a.thumbprint }, a.thumbprint.slice(0, 10) + "…")),
              h("td", null, h("span", { class: "badge " + (STATE_BADGE[a.state] ?? "") }, a.state)),
              h("td", null, a.prepaid ? "prepaid" : "postpaid"),
              h("td", { class: "num" }, a.priceMicros === null ? h("span", { class: "muted" }, "policy") : fmtUsd(a.priceMicros)),
              h("td", { class: "num" }, a.capMicros === null ? h("span", { class: "muted" }, "policy") : fmtUsd(a.capMicros)),
              h("td", { class: "num", "data-balance": "" }, a.prepaid ? fmtUsd(a.balanceMicros) : h("span", { class: "muted" }, "—")),
              h("td", { class: "num" }, fmtUsd(a.spentMicros)),
              h("td", { class: "num" }, a.charges === null ? "—" : fmtInt(a.charges)),
              h(
                "td",
                null,
                actions(a),
                h(
                  "a",
                  { class: "btn small", href: `/api/ledger/statements/${a.thumbprint}`, title: "Monthly statements (JSON)" },
                  "Statements",
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

async function loadAccounts() {
  try {
    renderAccounts((await api<CrawlerAccounts>("/api/accounts")).accounts);
  } catch (error) {
    fill(byId("accounts-list"), errorState(error));
  }
}

async function createAccount() {
  const values = await ask({
    title: "New crawler account",
    text: "The crawler's Web Bot Auth key (its JWK thumbprint) and the origin of its key directory.",
    confirm: "Create",
    fields: [
      { name: "name", label: "Name" },
      { name: "thumbprint", label: "Key thumbprint" },
      { name: "directory", label: "Key directory origin", value: "https://" },
      {
        name: "prepaid",
        label: "Billing",
        value: "no",
        choices: [
          ["no", "postpaid"],
          ["yes", "prepaid"],
        ],
      },
    ],
  });
  if (values === null) return;
  try {
    await api("/api/accounts", {
      method: "POST",
      body: {
        name: values.name,
        thumbprint: values.thumbprint?.trim(),
        directory: values.directory?.trim(),
        prepaid: values.prepaid === "yes",
      },
    });
    announce(`Account ${values.name ?? ""} created`, "ok");
    await loadAccounts();
  } catch (error) {
    announce(messageOf(error), "error");
  }
}

/** The ledger filter form as API query parameters (dates are UTC days). */
function ledgerQuery(): URLSearchParams {
  const form = new FormData(byId("ledger-filters") as HTMLFormElement);
  const query = new URLSearchParams();
  const account = String(form.get("account") ?? "").trim();
  const kind = String(form.get("kind") ?? "");
  const since = String(form.get("since") ?? "");
  const until = String(form.get("until") ?? "");
  if (account !== "") query.set("account", account);
  if (kind !== "") query.set("kind", kind);
  if (since !== "") query.set("since", `${since}T00:00:00Z`);
  if (until !== "") query.set("until", `${until}T00:00:00Z`);
  return query;
}

async function loadLedger() {
  const query = ledgerQuery();
  byId("ledger-csv").setAttribute("href", `/api/ledger/export.csv?${query}`);
  query.set("limit", "100");
  try {
    const page = await api<LedgerPage>(`/api/ledger?${query}`);
    const t = page.totals;
    fill(
      byId("ledger-totals"),
      h(
        "p",
        { class: "muted", id: "ledger-sums" },
        `Charged ${fmtUsd(t.chargedMicros)} in ${fmtInt(t.charges)} charges, refunded ${fmtUsd(t.refundedMicros)}, net ${fmtUsd(t.netMicros)}; topped up ${fmtUsd(t.toppedUpMicros)}.`,
      ),
    );
    if (page.entries.length === 0) return fill(byId("ledger-list"), emptyState("Nothing in the ledger for this filter"));
    fill(
      byId("ledger-list"),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "data", id: "ledger-table" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["When", "Account", "Kind", "Amount"].map((t, i) => h("th", { scope: "col", class: i === 3 ? "num" : null }, t)),
            ),
          ),
          h(
            "tbody",
            null,
            page.entries.map((e) =>
              h(
                "tr",
                null,
                h("td", null, h("time", { datetime: e.at }, fmtTime(e.at))),
                h("td", null, h("code", { title: e.account }, e.account.slice(0, 10) + "…")),
                h("td", null, e.kind),
                h("td", { class: "num" }, (e.kind === "charge" ? "" : "−") + fmtUsd(e.micros)),
              ),
            ),
          ),
        ),
        page.nextCursor === null
          ? null
          : h("p", { class: "muted" }, "Showing the newest 100 rows; narrow the filter or export CSV for all."),
      ),
    );
  } catch (error) {
    fill(byId("ledger-list"), errorState(error));
  }
}

async function loadRevenue() {
  try {
    renderRevenue(await api<Revenue>("/api/ledger/revenue"));
  } catch (error) {
    fill(byId("accounts-revenue"), errorState(error));
  }
}

operatorOnly(byId("account-create")).addEventListener("click", () => void createAccount());
byId("ledger-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  void loadLedger();
});
void Promise.all([loadRevenue(), loadAccounts(), loadLedger()]);
