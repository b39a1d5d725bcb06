import { describe, expect, it } from "vitest";
import { uiUrl } from "../../../workers/admin/ui/assets";
import { DASHBOARD_PAGES } from "../../../workers/admin/ui/shell";
import { apiToken, bearer, call } from "./support";

describe("dashboard pages and assets", () => {
  it.each(["/decisions", "/blocklists", "/policy", "/peers"])("sends an anonymous browser from %s to the login page", async (path) => {
    const response = await call(path);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login");
  });

  it.each(DASHBOARD_PAGES)(
    "serves $path under a strict CSP, with no inline script or style, loading its hashed module",
    async ({ path, script }) => {
      const response = await call(path, { headers: bearer(await apiToken("viewer", "dashboard-viewer")) });
      expect(response.status).toBe(200);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
      expect(html).toContain(`<script type="module" src="${uiUrl(script)}"></script>`);
      expect(html).toContain(`<link rel="stylesheet" href="${uiUrl("app.css")}"/>`);
      expect(uiUrl(script)).toMatch(/^\/ui\/[a-z-]+-[A-Z0-9]{8}\.js$/);
    },
  );

  it("renders the login page as one document that uses the hashed icon", async () => {
    const html = await (await call("/login")).text();
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(`<img src="${uiUrl("icon.svg")}" alt=""/>`);
  });

  it("leaves /ui/ to the static assets: a name the bundle does not have is the Worker's JSON 404", async () => {
    // Workers Static Assets answer /ui/ files before the Worker runs (test/dev/build-ui.test.ts, test/e2e/dashboard.test.ts).
    const response = await call("/ui/app-00000000.js");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "not_found" });
  });
});
