import { describe, expect, it } from "vitest";
import { factsFor, hitsOf } from "./testing";
import wpLoginProbe from "./wp-login-probe";

describe("rule wp-login-probe", () => {
  it("flags WordPress login, admin and XML-RPC paths, naming the path", () => {
    expect(hitsOf(wpLoginProbe, "/wp-login.php")).toEqual([{ detail: "/wp-login.php" }]);
    expect(hitsOf(wpLoginProbe, "/wp-admin/install.php")).toEqual([{ detail: "/wp-admin/" }]);
    expect(hitsOf(wpLoginProbe, new Request("https://site.test/xmlrpc.php", { method: "POST" }))).toHaveLength(1);
  });

  it("leaves every other path alone, lookalikes included", () => {
    for (const path of ["/", "/blog/wp-login-tips", "/wp-administrator", "/docs/xmlrpc.php.html"])
      expect(hitsOf(wpLoginProbe, path)).toEqual([]);
  });

  it("sees the request as the edge does (path without the query, lower-case header names)", () => {
    const facts = factsFor(new Request("https://site.test/wp-login.php?redirect_to=x", { headers: { "User-Agent": "curl/8" } }));
    expect(facts).toMatchObject({ path: "/wp-login.php", userAgent: "curl/8", method: "GET" });
    expect(wpLoginProbe.evaluate(facts)).toEqual([{ detail: "/wp-login.php" }]);
  });
});
