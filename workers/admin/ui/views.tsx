/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The static part of each dashboard page: headings, landmarks, forms and the slots its module fills.
// Element ids here are the modules' contract (workers/admin/ui/browser/*.ts).
import type { Child } from "hono/jsx";
import { DataTable, num } from "./table";

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
const LoadingRow = (props: { columns: number }) => (
  <tr>
    <td colspan={props.columns > 1 ? props.columns : undefined}>
      <Loading />
    </td>
  </tr>
);

/** A page's heading and its one-line purpose (or whatever else sits in the head row). */
function PageHead(props: { title: string; children?: Child }) {
  return (
    <div class="page-head">
      <h1>{props.title}</h1>
      {props.children}
    </div>
  );
}

/** A card whose body is one slot the page's module fills (`slot` is the module's element id). */
function SlotCard(props: { id: string; title: string; slot: string; extra?: Child }) {
  return (
    <Card id={props.id} title={props.title} extra={props.extra}>
      <div id={props.slot}>
        <Loading />
      </div>
    </Card>
  );
}

/** A labelled form field; `grow` lets it take the row's spare width. */
function Field(props: { id: string; label: Child; grow?: boolean; children: Child }) {
  return (
    <div class={props.grow === true ? "field grow" : "field"}>
      <label for={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}

/** What a new blocklist entry does, why, and for how long: the fields the add form and the import form share. */
function EntryFields(props: { prefix: "a" | "i"; reason?: string }) {
  const id = (name: string) => `${props.prefix}-${name}`;
  return (
    <>
      <div class="field" id={id("action-field")}>
        <label for={id("action")}>Action</label>
        <select id={id("action")} name="action">
          <option>block</option>
          <option>tarpit</option>
        </select>
      </div>
      <Field id={id("reason")} label="Reason" grow>
        <input id={id("reason")} name="reason" required maxlength={200} value={props.reason} />
      </Field>
      <Field id={id("ttl")} label="Expires after">
        <TtlSelect id={id("ttl")} />
      </Field>
    </>
  );
}

const RANGES = [
  [1, "1 h"],
  [6, "6 h"],
  [24, "24 h"],
  [168, "7 d"],
] as const;

function Chart(props: { id: string; title: string; note: string }) {
  return <SlotCard id={props.id} title={props.title} slot={`chart-${props.id}`} extra={<span class="muted">{props.note}</span>} />;
}

/** Overview: key figures, traffic by action, top-N charts, the latest decisions and flagged fleets (both server-rendered). */
export function OverviewMain(props: { latest: Child; fleets: Child | null }) {
  return (
    <>
      <PageHead title="Overview">
        <p id="window-text"></p>
        <Spacer />
        <div class="seg" role="group" aria-label="Time range">
          {RANGES.map(([hours, text]) => (
            <button type="button" data-hours={hours} aria-pressed={String(hours === 24)}>
              {text}
            </button>
          ))}
        </div>
      </PageHead>
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
    <Field id={`f-${props.name}`} label={props.label}>
      <select id={`f-${props.name}`} name={props.name}>
        <option value="">any</option>
        {props.values.map((v) => (
          <option>{v}</option>
        ))}
      </select>
    </Field>
  );
}

/** Decisions: the filter form (a plain GET form; the module reads the URL) and the feed. */
export function DecisionsMain() {
  return (
    <>
      <PageHead title="Decisions">
        <p>What the edge decided and why, newest first.</p>
      </PageHead>
      <form class="card" id="filters" method="get" action="/decisions" role="search" aria-label="Filter decisions">
        <div class="form-row">
          <Field id="f-ip" label="IP address">
            <input id="f-ip" name="ip" size={18} autocomplete="off" spellcheck={false} />
          </Field>
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
          <Field id="f-reason" label="Reason code">
            <input id="f-reason" name="reason" size={16} placeholder="ua-ai-crawler" autocomplete="off" spellcheck={false} />
          </Field>
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
        <DataTable
          head={["When", "Client", "Request", "Edge", num("Model"), "Verdict", "Reasons", "Actions"]}
          bodyId="feed"
          labelledBy="h-feed"
        >
          <LoadingRow columns={8} />
        </DataTable>
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
      <PageHead title="Blocklists">
        <p>Entries the edge enforces: who wrote them, why, and until when.</p>
      </PageHead>
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
          <Field id="a-target" label="Target" grow>
            <input
              id="a-target"
              name="target"
              required
              autocomplete="off"
              spellcheck={false}
              placeholder="203.0.113.7, 203.0.113.0/24 or AS64500"
            />
          </Field>
          <EntryFields prefix="a" />
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
        <DataTable headId="entries-head" bodyId="entries" labelledBy="h-entries">
          <LoadingRow columns={1} />
        </DataTable>
        <nav class="pager" id="pager" aria-label="Entry pages"></nav>
      </Card>
      <section class="card" aria-labelledby="h-bulk">
        <h2 id="h-bulk">Bulk import and export</h2>
        <form id="import-form">
          <Field
            id="i-text"
            label={
              <>
                One IP, CIDR or AS number per line (<code>#</code> starts a comment)
              </>
            }
          >
            <textarea id="i-text" name="text" class="code" rows={6} spellcheck={false} required></textarea>
          </Field>
          <div class="form-row">
            <EntryFields prefix="i" reason="imported list" />
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
      <PageHead title="Policy">
        <p>The rules and thresholds every edge isolate applies (picked up within 30 s).</p>
      </PageHead>
      <div class="grid-2">
        <SlotCard id="status" title="Active policy" slot="policy-status" />
        <SlotCard id="rules" title="Rules in force" slot="policy-rules" />
      </div>
      <SlotCard
        id="suggestions"
        title="Suggestions from labelled traffic"
        slot="policy-suggestions"
        extra={
          <select id="suggest-days" aria-label="Labelled traffic of the last">
            <option value="7">last 7 days</option>
            <option value="14" selected>
              last 14 days
            </option>
            <option value="30">last 30 days</option>
          </select>
        }
      />
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
          <Field id="policy-note" label="Note for the history (optional)" grow>
            <input id="policy-note" maxlength={500} />
          </Field>
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
      <SlotCard id="history" title="History" slot="history" />
    </>
  );
}

/** Peers: this deployment's feed, and each peer's trust, last sync and entries. */
export function PeersMain() {
  return (
    <>
      <PageHead title="Peers">
        <p>Other deployments and lists whose blocklist entries this one takes in.</p>
      </PageHead>
      <SlotCard id="self" title="This deployment" slot="peers-self" />
      <SlotCard id="peers" title="Configured peers" slot="peers-list" />
    </>
  );
}
