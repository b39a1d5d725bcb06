/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The static part of the Accounts page; its module (workers/admin/ui/browser/accounts.ts) fills the slots by id.

/** Accounts: pay-per-crawl revenue, crawler accounts and their terms, the ledger with filters and CSV export. */
export function AccountsMain() {
  return (
    <>
      <div class="page-head">
        <h1>Accounts</h1>
        <p>Crawlers that pay per crawl: their terms at the edge, balances, and every charge, refund and top-up.</p>
      </div>
      <section class="card" aria-labelledby="h-revenue">
        <header>
          <h2 id="h-revenue">Revenue</h2>
          <span class="muted">charged net of refunds</span>
        </header>
        <div id="accounts-revenue">
          <p class="muted">Loading…</p>
        </div>
      </section>
      <section class="card" aria-labelledby="h-accounts">
        <header>
          <h2 id="h-accounts">Crawler accounts</h2>
          <span class="spacer"></span>
          <button id="account-create" class="small primary" type="button">
            New account
          </button>
        </header>
        <div id="accounts-list">
          <p class="muted">Loading…</p>
        </div>
      </section>
      <section class="card" aria-labelledby="h-ledger">
        <header>
          <h2 id="h-ledger">Ledger</h2>
        </header>
        <form id="ledger-filters" role="search" aria-label="Filter the ledger">
          <div class="form-row">
            <div class="field">
              <label for="ledger-account">Account (key thumbprint)</label>
              <input id="ledger-account" name="account" autocomplete="off" />
            </div>
            <div class="field">
              <label for="ledger-kind">Kind</label>
              <select id="ledger-kind" name="kind">
                <option value="">any</option>
                <option value="charge">charge</option>
                <option value="refund">refund</option>
                <option value="topup">top-up</option>
              </select>
            </div>
            <div class="field">
              <label for="ledger-since">From (UTC)</label>
              <input id="ledger-since" name="since" type="date" />
            </div>
            <div class="field">
              <label for="ledger-until">Until (UTC, exclusive)</label>
              <input id="ledger-until" name="until" type="date" />
            </div>
            <div class="actions">
              <button class="primary">Apply</button>
              <a id="ledger-csv" class="btn" href="/api/ledger/export.csv" download>
                Export CSV
              </a>
            </div>
          </div>
        </form>
        <div id="ledger-totals"></div>
        <div id="ledger-list">
          <p class="muted">Loading…</p>
        </div>
      </section>
    </>
  );
}
