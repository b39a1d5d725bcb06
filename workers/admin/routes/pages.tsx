/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import { AppError } from "../../../adapters/http";
import { login } from "../auth/login";
import { clearSessionCookie } from "../auth/session";
import { FLEET_INDEX_KV_KEY, FleetIndexSchema } from "../../../core/fleet-index";
import { Empty, FleetGroups, LatestDecisions, loginPage } from "../page";
import type { AdminBindings } from "../router";
import { db } from "../store/db";
import { readSites } from "../store/sites";
import { scopeCovers } from "../../../core/admin/roles";
import { DEFAULT_SITE_ID, SiteDirectory } from "../../../core/sites";
import { listDecisions } from "../store/decisions";
import { DASHBOARD_PAGES, pageShell, type PageName, type Viewer } from "../ui/shell";
import { AccountsMain } from "../ui/accounts-view";
import { BlocklistsMain, DecisionsMain, OverviewMain, PeersMain, PolicyMain } from "../ui/views";

const LoginForm = z.object({ name: z.string().min(1).max(100), password: z.string().min(1).max(1000), totp: z.string().min(1).max(10) });

/** Paths of the dashboard's pages: app.ts runs authenticate() on these (a page needs to know who is looking). */
export const PAGE_PATHS: readonly string[] = DASHBOARD_PAGES.map((p) => p.path);

/** How many decisions the overview lists below its charts. */
const LATEST_DECISIONS = 15;

type Ctx = Context<AdminBindings>;

/**
 * The signed-in viewer, or null (the page then redirects to the login form), with the sites they may switch between and
 * the one shown: `?site=` when it is one of theirs, else their first (the default site first for those who have it).
 */
async function viewerOf(c: Ctx): Promise<Viewer | null> {
  const principal = c.get("principal");
  if (principal === null) return null;
  const directory = await readSites(c.env.BLOCKLIST).catch(() => SiteDirectory.single()); // KV down: the page still shows
  const sites = directory.sites.filter((s) => scopeCovers(principal.sites, s.id)).map((s) => ({ id: s.id, name: s.name }));
  const asked = c.req.query("site");
  const site = sites.find((s) => s.id === asked)?.id ?? sites[0]?.id ?? DEFAULT_SITE_ID;
  return { name: principal.name, role: principal.role, csrf: principal.csrf, signsOut: principal.kind === "session", site, sites };
}

async function latestSection(c: Ctx, site: string): Promise<Child> {
  try {
    const page = await db(c.env, (d) => listDecisions(d, { site }, LATEST_DECISIONS));
    return <LatestDecisions rows={page.decisions} />;
  } catch (error) {
    // The rest of the page still works (its modules report their own failures); say why this part is empty.
    if (error instanceof AppError && error.status === 503) return <Empty title="Decisions are unavailable">{error.message}</Empty>;
    throw error;
  }
}

/** The flagged fleet groups from KV; a missing or unreadable snapshot shows as none (the page still works). */
async function fleetsSection(c: Ctx): Promise<Child> {
  try {
    const parsed = FleetIndexSchema.safeParse(await c.env.BLOCKLIST.get(FLEET_INDEX_KV_KEY, "json"));
    return <FleetGroups groups={parsed.success ? parsed.data.groups : []} now={Date.now()} />;
  } catch {
    return <Empty title="Fleet groups are unavailable">KV could not be read.</Empty>;
  }
}

const MAINS: Record<Exclude<PageName, "overview">, () => Child> = {
  decisions: DecisionsMain,
  blocklists: BlocklistsMain,
  policy: PolicyMain,
  peers: PeersMain,
  accounts: AccountsMain,
};

/** Server-rendered pages (dashboard shells, login, sign-out). Their JS and CSS are static assets (wrangler.toml `[assets]`). */
export const pageRoutes = new Hono<AdminBindings>()
  .get("/", async (c) => {
    const viewer = await viewerOf(c);
    if (viewer === null) return c.redirect("/login", 302);
    const [latest, fleets] = await Promise.all([latestSection(c, viewer.site), fleetsSection(c)]);
    return c.html(pageShell("overview", viewer, <OverviewMain latest={latest} fleets={fleets} />));
  })
  .get("/login", (c) => c.html(loginPage(null)))
  .post("/login", async (c) => {
    const form = LoginForm.safeParse(await c.req.parseBody());
    if (!form.success) return c.html(loginPage("Fill in name, password and one-time code."), 400);
    try {
      await login(c, form.data);
      return c.redirect("/", 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return c.html(loginPage(error.message), error.status === 429 ? 429 : error.status === 403 ? 403 : 401);
    }
  })
  .post("/logout", (c) => {
    // authenticate() has already refused a cross-site or token-less form post (CSRF).
    clearSessionCookie(c);
    return c.redirect("/login", 303);
  });

// One route per page (a `/:page{a|b}` pattern is not anchored by Hono's router: it also matched /ui/…/b.js).
for (const [name, Main] of Object.entries(MAINS) as [keyof typeof MAINS, () => Child][]) {
  pageRoutes.get(`/${name}`, async (c) => {
    const viewer = await viewerOf(c);
    return viewer === null ? c.redirect("/login", 302) : c.html(pageShell(name, viewer, <Main />));
  });
}
