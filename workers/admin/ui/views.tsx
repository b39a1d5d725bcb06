/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The static part of each dashboard page: headings, landmarks, forms and the slots its module fills.
// Element ids here are the modules' contract (workers/admin/ui/browser/*.ts).
import type { Child } from "hono/jsx";

function Card(props: { id: string; title: string; extra?: Child; children?: Child }) {
  return (
    <section class="card" aria-labelledby={`h-${props.id}`}>
      <header>
        <h2 id={`h-${props.id}`}>{props.title}</h2>
        {props.extra}
      </header>
      {props.children}
    </section>
  );
}

const Loading = () => <p class="muted">Loading…</p>;
const Spacer = () => <span class="spacer"></span>;

const RANGES = [
  [1, "1 h"],
  [6, "6 h"],
  [24, "24 h"],
  [168, "7 d"],
] as const;

function Chart(props: { id: string; title: string; note: string }) {
  return (
    <Card id={props.id} title={props.title} extra={<span class="muted">{props.note}</span>}>
      <div id={`chart-${props.id}`}>
        <Loading />
      </div>
    </Card>
  );
}

/** Overview: key figures, traffic by action, top-N charts, the latest decisions and flagged fleets (both server-rendered). */
export function OverviewMain(props: { latest: Child; fleets: Child | null }) {
  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
        <p id="window-text"></p>
        <Spacer />
        <div class="seg" role="group" aria-label="Time range">
          {RANGES.map(([hours, text]) => (
            <button type="button" data-hours={hours} aria-pressed={String(hours === 24)}>
              {text}
            </button>
          ))}
        </div>
      </div>
      <section class="tiles" id="tiles" aria-label="Key figures" aria-busy="true"></section>
      <section class="card" id="all-sites" aria-label="All sites" hidden></section>
      <Chart id="traffic" title="Requests over time by action" note="every decision the edge reported" />
      <div class="grid-2">
        <Chart id="ips" title="Top blocked IPs" note="" />
        <Chart id="prefixes" title="Top blocked prefixes" note="" />
        <Chart id="asns" title="Top blocked ASNs" note="" />
        <Chart id="reasons" title="Top reasons" note="all decisions" />
      </div>
      <Card
        id="latest"
        title="Latest decisions"
        extra={
          <>
            <Spacer />
            <a href="/decisions">Open the live feed →</a>
          </>
        }
      >
        {props.latest}
      </Card>
      {props.fleets === null ? null : (
        <Card
          id="fleets"
          title="Fleet groups challenged now"
          extra={<span class="muted">addresses sharing one client fingerprint, with bot evidence</span>}
        >
          {props.fleets}
        </Card>
      )}
    </>
  );
}

const ACTIONS = ["allow", "challenge", "tarpit", "block"] as const;

function Select(props: { name: string; label: string; values: readonly string[] }) {
  return (
    <div class="field">
      <label for={`f-${props.name}`}>{props.label}</label>
      <select id={`f-${props.name}`} name={props.name}>
        <option value="">any</option>
        {props.values.map((v) => (
          <option>{v}</option>
        ))}
      </select>
    </div>
  );
}

/** Decisions: the filter form (a plain GET form; the module reads the URL) and the feed. */
export function DecisionsMain() {
  return (
    <>
      <div class="page-head">
        <h1>Decisions</h1>
        <p>What the edge decided and why, newest first.</p>
      </div>
      <form class="card" id="filters" method="get" action="/decisions" role="search" aria-label="Filter decisions">
        <div class="form-row">
          <div class="field">
            <label for="f-ip">IP address</label>
            <input id="f-ip" name="ip" size={18} autocomplete="off" spellcheck={false} />
          </div>
          <fieldset>
            <legend>Edge action</legend>
            {ACTIONS.map((a) => (
              <label>
                <input type="checkbox" name="action" value={a} /> {a}
              </label>
            ))}
          </fieldset>
          <Select name="verdict" label="Verdict" values={["bot", "unsure", "human"]} />
          <Select name="source" label="Source" values={["edge", "tarpit", "challenge"]} />
          <div class="field">
            <label for="f-reason">Reason code</label>
            <input id="f-reason" name="reason" size={16} placeholder="ua-ai-crawler" autocomplete="off" spellcheck={false} />
          </div>
          <div class="field">
            <label>
              <input type="checkbox" name="blocked" value="true" /> Blocked only
            </label>
          </div>
          <div class="actions">
            <button class="primary">Apply</button>
            <a class="btn" href="/decisions">
              Reset
            </a>
          </div>
        </div>
      </form>
      <Card
        id="feed"
        title="Feed"
        extra={
          <>
            <span class="muted" id="feed-count"></span>
            <Spacer />
            <label>
              <input type="checkbox" id="live" checked /> Live (every 5 s)
            </label>
          </>
        }
      >
        <div class="table-wrap">
          <table class="data" aria-labelledby="h-feed">
            <thead>
              <tr>
                <th>When</th>
                <th>Client</th>
                <th>Request</th>
                <th>Edge</th>
                <th class="num">Model</th>
                <th>Verdict</th>
                <th>Reasons</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody id="feed">
              <tr>
                <td colspan={8}>
                  <Loading />
                </td>
              </tr>
            </tbody>
          </table>
        </div>
        <nav class="pager" id="pager" aria-label="Feed pages"></nav>
      </Card>
    </>
  );
}

const TTL_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ["3600", "1 hour"],
  ["86400", "1 day"],
  ["604800", "7 days"],
  ["2592000", "30 days"],
  ["", "never"],
];

function TtlSelect(props: { id: string }) {
  return (
    <select id={props.id} name="ttl">
      {TTL_OPTIONS.map(([value, text]) => (
        <option value={value} selected={value === "86400"}>
          {text}
        </option>
      ))}
    </select>
  );
}

const KINDS = [
  ["ip", "IP addresses"],
  ["cidr", "Networks (CIDR)"],
  ["asn", "ASNs"],
  ["allow", "Allow-list"],
] as const;
const SOURCES = ["edge", "tarpit", "escalation", "peer", "operator"] as const;

/** Blocklists: kind tabs, add form, the entries, bulk import and export. */
export function BlocklistsMain() {
  return (
    <>
      <div class="page-head">
        <h1>Blocklists</h1>
        <p>Entries the edge enforces: who wrote them, why, and until when.</p>
      </div>
      <nav class="seg tabs" id="tabs" aria-label="Entry kinds">
        {KINDS.map(([kind, text]) => (
          <a class="btn" href={`/blocklists?kind=${kind}`} data-kind={kind}>
            {text}
          </a>
        ))}
      </nav>
      <form class="card" id="add-form" aria-labelledby="h-add">
        <h2 id="h-add">Add an entry</h2>
        <div class="form-row">
          <div class="field grow">
            <label for="a-target">Target</label>
            <input
              id="a-target"
              name="target"
              required
              autocomplete="off"
              spellcheck={false}
              placeholder="203.0.113.7, 203.0.113.0/24 or AS64500"
            />
          </div>
          <div class="field" id="a-action-field">
            <label for="a-action">Action</label>
            <select id="a-action" name="action">
              <option>block</option>
              <option>tarpit</option>
            </select>
          </div>
          <div class="field grow">
            <label for="a-reason">Reason</label>
            <input id="a-reason" name="reason" required maxlength={200} />
          </div>
          <div class="field">
            <label for="a-ttl">Expires after</label>
            <TtlSelect id="a-ttl" />
          </div>
          <button class="primary" id="a-submit">
            Add
          </button>
        </div>
      </form>
      <Card
        id="entries"
        title="Entries"
        extra={
          <>
            <Spacer />
            <label for="source-filter">Source</label>
            <select id="source-filter">
              <option value="">any</option>
              {SOURCES.map((s) => (
                <option>{s}</option>
              ))}
            </select>
          </>
        }
      >
        <div class="table-wrap">
          <table class="data" aria-labelledby="h-entries">
            <thead id="entries-head"></thead>
            <tbody id="entries">
              <tr>
                <td>
                  <Loading />
                </td>
              </tr>
            </tbody>
          </table>
        </div>
        <nav class="pager" id="pager" aria-label="Entry pages"></nav>
      </Card>
      <section class="card" aria-labelledby="h-bulk">
        <h2 id="h-bulk">Bulk import and export</h2>
        <form id="import-form">
          <div class="field">
            <label for="i-text">
              One IP, CIDR or AS number per line (<code>#</code> starts a comment)
            </label>
            <textarea id="i-text" name="text" class="code" rows={6} spellcheck={false} required></textarea>
          </div>
          <div class="form-row">
            <div class="field">
              <label for="i-action">Action</label>
              <select id="i-action" name="action">
                <option>block</option>
                <option>tarpit</option>
              </select>
            </div>
            <div class="field grow">
              <label for="i-reason">Reason</label>
              <input id="i-reason" name="reason" required maxlength={200} value="imported list" />
            </div>
            <div class="field">
              <label for="i-ttl">Expires after</label>
              <TtlSelect id="i-ttl" />
            </div>
            <button type="submit" value="check">
              Check
            </button>
            <button type="submit" class="primary" value="import">
              Import
            </button>
          </div>
        </form>
        <div id="import-result" aria-live="polite"></div>
        <p class="actions">
          Export:{" "}
          <a href="/api/blocklist/export?kind=ip" download>
            IPs
          </a>{" "}
          <a href="/api/blocklist/export?kind=cidr" download>
            networks
          </a>{" "}
          <a href="/api/blocklist/export?kind=asn" download>
            ASNs
          </a>{" "}
          <a href="/api/blocklist/export" download>
            everything
          </a>
        </p>
      </section>
    </>
  );
}

/** Policy: status and mode switch, the editor with validation and preview, and history. */
export function PolicyMain() {
  return (
    <>
      <div class="page-head">
        <h1>Policy</h1>
        <p>The rules and thresholds every edge isolate applies (picked up within 30 s).</p>
      </div>
      <div class="grid-2">
        <Card id="status" title="Active policy">
          <div id="policy-status">
            <Loading />
          </div>
        </Card>
        <Card id="rules" title="Rules in force">
          <div id="policy-rules">
            <Loading />
          </div>
        </Card>
      </div>
      <form class="card" id="policy-form" aria-labelledby="h-editor">
        <header>
          <h2 id="h-editor">Edit</h2>
          <span class="muted">JSON; see the README for the format</span>
        </header>
        <label for="policy-text" class="visually-hidden">
          Policy document (JSON)
        </label>
        <textarea id="policy-text" class="code tall" spellcheck={false} aria-describedby="policy-issues"></textarea>
        <div id="policy-issues" aria-live="polite"></div>
        <div class="form-row">
          <div class="field grow">
            <label for="policy-note">Note for the history (optional)</label>
            <input id="policy-note" maxlength={500} />
          </div>
          <button type="button" id="btn-validate">
            Validate
          </button>
          <button type="button" id="btn-preview">
            Preview on recent traffic
          </button>
          <button type="submit" class="primary" id="btn-save">
            Save and activate
          </button>
        </div>
      </form>
      <Card id="preview" title="What this change would have done">
        <div id="dry-run" aria-live="polite">
          <p class="muted">Preview re-decides the most recent 1000 decisions with the edited policy, next to the active one.</p>
        </div>
      </Card>
      <Card id="history" title="History">
        <div id="history">
          <Loading />
        </div>
      </Card>
    </>
  );
}

/** Peers: this deployment's feed, and each peer's trust, last sync and entries. */
export function PeersMain() {
  return (
    <>
      <div class="page-head">
        <h1>Peers</h1>
        <p>Other deployments and lists whose blocklist entries this one takes in.</p>
      </div>
      <Card id="self" title="This deployment">
        <div id="peers-self">
          <Loading />
        </div>
      </Card>
      <Card id="peers" title="Configured peers">
        <div id="peers-list">
          <Loading />
        </div>
      </Card>
    </>
  );
}
