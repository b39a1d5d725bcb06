import { describe, expect, it } from "vitest";
import { UI_VERSION, uiUrl } from "../../../workers/admin/ui/assets";
import { apiToken, bearer, call } from "./support";

describe("dashboard pages and assets", () => {
  it.each(["/decisions", "/blocklists", "/policy", "/peers"])("sends an anonymous browser from %s to the login page", async (path) => {
    const response = await call(path);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login");
  });

  it.each(["/", "/decisions", "/blocklists", "/policy", "/peers"])("serves %s under a strict CSP, with no inline script or style", async (path) => {
    const response = await call(path, { headers: bearer(await apiToken("viewer", "dashboard-viewer")) });
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain(`<script type="module" src="/ui/${UI_VERSION}/`);
  });

  it("serves versioned assets with their content type, cached for a year", async () => {
    const js = await call(uiUrl("app.js"));
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toContain("export async function api(");
    const css = await call(uiUrl("app.css"));
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const stale = await call("/ui/an-old-version/app.js");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("cache-control")).toBe("no-cache");
    expect((await call(uiUrl("nothing.js"))).status).toBe(404);
  });
});
