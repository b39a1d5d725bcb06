/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Server-rendered parts of the dashboard that show stored data: everything a client sent is escaped by hono/jsx.
import type { Child } from "hono/jsx";
import type { FlaggedGroup } from "../../core/fleet-index";
import type { DecisionView } from "./store/decisions";
import { uiUrl } from "./ui/assets";
import { loginShell } from "./ui/shell";
import { DataTable, num, Trailing } from "./ui/table";

/** Each reason as a chip of its code; the detail, `code (detail)`, is its title (the feed shows it in full). */
function ReasonChips({ reasons }: { reasons: unknown }) {
  if (!Array.isArray(reasons)) return null;
  return (
    <>
      {reasons.map((r: { code?: unknown; detail?: unknown }, i) => {
        const code = String(r.code);
        return (
          <>
            {i > 0 ? " " : null}
            <span class="chip" title={typeof r.detail === "string" ? `${code} (${r.detail})` : undefined}>
              {code}
            </span>
          </>
        );
      })}
    </>
  );
}

/** `2026-08-01T10:20:30.123Z` as the time with the date (UTC) below it. */
function TimeTag({ iso }: { iso: string }) {
  const [date = "", time = ""] = iso.split("T");
  return (
    <>
      <time datetime={iso} title={`${date} ${time.slice(0, 8)} UTC`}>
        {time.slice(0, 8)}
      </time>
      <span class="ua">{date} UTC</span>
    </>
  );
}

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(["allow", "challenge", "tarpit", "block", "pay"]);
const Badge = ({ action }: { action: string }) => <span class={`badge ${KNOWN_ACTIONS.has(action) ? action : "neutral"}`}>{action}</span>;

/** A section's empty state: what is missing, and why or what fills it. */
export function Empty(props: { title: string; children: Child }) {
  return (
    <p class="empty">
      <strong>{props.title}</strong>
      {props.children}
    </p>
  );
}

/**
 * The latest decisions as a server-rendered table (the overview's last section, readable without JavaScript):
 * reasons and scores included, everything the client sent escaped.
 */
export function LatestDecisions({ rows }: { rows: readonly DecisionView[] }) {
  if (rows.length === 0) return <Empty title="No decisions yet">They appear here as soon as the edge reports traffic.</Empty>;
  return (
    <DataTable head={["When", "IP", "Request", "Edge", "Reasons", num("Model score"), "Verdict"]}>
      {rows.map((r) => (
        <tr>
          <td>
            <TimeTag iso={r.at} />
          </td>
          <td class="mono">
            <a href={`/decisions?ip=${encodeURIComponent(r.ip)}`}>{r.ip}</a>
          </td>
          <td>
            <span class="path">
              {r.method} {r.path}
            </span>
            <span class="ua" title={r.userAgent}>
              {r.userAgent}
            </span>
          </td>
          <td class="nowrap">
            <Badge action={r.edgeAction} /> <span class="muted">{r.edgeScore}</span>
          </td>
          <td>
            <ReasonChips reasons={r.reasons} />
          </td>
          <td class="num">
            {r.modelScore === null ? "n/a" : r.modelScore.toFixed(3)}
            {r.modelVersion ? <span class="ua">{r.modelVersion}</span> : null}
          </td>
          <td>
            {r.verdict}
            <Trailing when={r.blocked}>
              <span class="badge blocked">blocked</span>
            </Trailing>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** The built-in login form. It posts to /login; the server checks the Origin (login CSRF) and rate limits. */
export function loginPage(error: string | null): string {
  return loginShell(
    <>
      <div class="brand">
        <img src={uiUrl("icon.svg")} alt="" />
        edge-guard
      </div>
      <div class="card">
        <h1>Sign in</h1>
        {error === null ? null : (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <form method="post" action="/login">
          <div class="field">
            <label for="name">Name</label>
            <input id="name" name="name" autocomplete="username" required autofocus />
          </div>
          <div class="field">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
          </div>
          <div class="field">
            <label for="totp">One-time code</label>
            <input
              id="totp"
              name="totp"
              inputmode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              maxlength={6}
              required
              aria-describedby="totp-hint"
            />
            <small id="totp-hint" class="muted">
              6 digits from your authenticator app
            </small>
          </div>
          <button class="primary">Sign in</button>
        </form>
      </div>
    </>,
  );
}

/** Fleet groups challenged now (KV `fleet:index`): the group, when and why it was flagged, and its members. */
export function FleetGroups({ groups, now }: { groups: readonly FlaggedGroup[]; now: number }) {
  const live = groups.filter((g) => g.until > now);
  if (live.length === 0)
    return <Empty title="No fleet groups flagged">A group appears here when several of its addresses show bot evidence.</Empty>;
  return (
    <DataTable head={["Group", "Flagged", "Challenged until", "Evidence", "Members"]}>
      {live.map((g) => (
        <tr>
          <td class="mono">
            {g.group}
            <span class="ua" title={g.userAgent}>
              {g.userAgent}
            </span>
          </td>
          <td>
            <TimeTag iso={new Date(g.since).toISOString()} />
          </td>
          <td>
            <TimeTag iso={new Date(g.until).toISOString()} />
          </td>
          <td>
            {Object.entries(g.evidence).map(([code, n], i) => (
              <>
                {i > 0 ? " " : null}
                <span class="chip" title={code}>
                  {code} × {n}
                </span>
              </>
            ))}
          </td>
          <td>
            {g.members.map((ip, i) => (
              <>
                {i > 0 ? " " : null}
                <a class="mono" href={`/decisions?ip=${encodeURIComponent(ip)}`}>
                  {ip}
                </a>
              </>
            ))}
            <Trailing when={g.addresses > g.members.length}>
              <span class="muted">and {g.addresses - g.members.length} more</span>
            </Trailing>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
