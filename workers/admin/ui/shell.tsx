/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { Role } from "../../../core/admin/roles";
import { uiUrl } from "./assets";

/** The dashboard's pages: each a server-rendered shell whose module fills it from the API. */
export const DASHBOARD_PAGES = [
  { name: "overview", path: "/", title: "Overview", script: "overview.js" },
  { name: "decisions", path: "/decisions", title: "Decisions", script: "decisions.js" },
  { name: "blocklists", path: "/blocklists", title: "Blocklists", script: "blocklists.js" },
  { name: "policy", path: "/policy", title: "Policy", script: "policy.js" },
  { name: "peers", path: "/peers", title: "Peers", script: "peers.js" },
  { name: "accounts", path: "/accounts", title: "Accounts", script: "accounts.js" },
] as const;

/** A dashboard page's name. */
export type PageName = (typeof DASHBOARD_PAGES)[number]["name"];

/** Who is looking at a page. `csrf` is null for credentials a browser does not send on its own (Bearer). */
export interface Viewer {
  readonly name: string;
  readonly role: Role;
  readonly csrf: string | null;
  /** A built-in login session (Access and tokens have nothing to sign out of here). */
  readonly signsOut: boolean;
  /** The site the page shows (its API calls carry `?site=`). */
  readonly site: string;
  /** The sites the viewer may switch between (theirs only). */
  readonly sites: readonly { readonly id: string; readonly name: string }[];
}

/** A dashboard path that keeps the site shown (`?site=`; none for the default site). */
export function withSite(path: string, site: string): string {
  return site === "default" ? path : `${path}?site=${encodeURIComponent(site)}`;
}

/** The site switcher: a plain form (works without JavaScript; app.ts submits it on change). Hidden with one site. */
function SiteSwitcher({ viewer, path }: { viewer: Viewer; path: string }) {
  if (viewer.sites.length < 2) return null;
  return (
    <form class="site-switch" method="get" action={path}>
      <label for="site-switcher">Site</label>
      <select id="site-switcher" name="site">
        {viewer.sites.map((s) => (
          <option value={s.id} selected={s.id === viewer.site}>
            {s.name}
          </option>
        ))}
      </select>
      <noscript>
        <button class="small">Show</button>
      </noscript>
    </form>
  );
}

// The referrer meta: under the header's `no-referrer`, Chromium sends `Origin: null` on same-origin form posts and
// fetches, which the login and CSRF checks refuse; `same-origin` still sends nothing to other sites.
function Head(props: { title: string; children?: Child }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width,initial-scale=1" />
      <meta name="referrer" content="same-origin" />
      <title>{`${props.title} · edge-guard`}</title>
      <link rel="stylesheet" href={uiUrl("app.css")} />
      <link rel="icon" href={uiUrl("icon.svg")} type="image/svg+xml" />
      {props.children}
    </head>
  );
}

function SignOut({ viewer }: { viewer: Viewer }) {
  if (!viewer.signsOut || viewer.csrf === null) return null;
  return (
    <form method="post" action="/logout">
      <input type="hidden" name="_csrf" value={viewer.csrf} />
      <button class="small">Sign out</button>
    </form>
  );
}

/** A whole HTML document: the doctype, then the element (hono/jsx escapes every text and attribute value). */
export function documentHtml(root: Child): string {
  return `<!doctype html>\n${String(root)}`;
}

/** A dashboard page: top bar with navigation and the viewer, the page's main content, the status line, and its module. */
export function pageShell(name: PageName, viewer: Viewer, main: Child): string {
  const page = DASHBOARD_PAGES.find((p) => p.name === name) ?? DASHBOARD_PAGES[0];
  return documentHtml(
    <html lang="en">
      <Head title={page.title}>
        {viewer.csrf === null ? null : <meta name="csrf-token" content={viewer.csrf} />}
        <script type="module" src={uiUrl(page.script)}></script>
      </Head>
      <body data-page={name} data-user={viewer.name} data-role={viewer.role} data-site={viewer.site}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="topbar">
          <div class="inner">
            <a class="brand" href="/">
              <img src={uiUrl("icon.svg")} alt="" />
              edge-guard
            </a>
            <nav aria-label="Dashboard">
              <ul>
                {DASHBOARD_PAGES.map((p) => (
                  <li>
                    <a href={withSite(p.path, viewer.site)} aria-current={p.name === name ? "page" : undefined}>
                      {p.title}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <SiteSwitcher viewer={viewer} path={page.path} />
            <div class="who">
              <span>
                {viewer.name} <span class="role">{viewer.role}</span>
              </span>
              <SignOut viewer={viewer} />
            </div>
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {main}
        </main>
        <div class="status" id="status" role="status" aria-live="polite"></div>
      </body>
    </html>,
  );
}

/** The sign-in page (no module: a plain form that works without JavaScript). */
export function loginShell(main: Child): string {
  return documentHtml(
    <html lang="en">
      <Head title="Sign in" />
      <body class="login">
        <main id="main">{main}</main>
      </body>
    </html>,
  );
}
