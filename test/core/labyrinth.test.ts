import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fakeAssetFor } from "../../core/fake-assets";
import { LABYRINTH_ROBOTS_META, renderLabyrinthPage } from "../../core/labyrinth";
import { escapeHtml, mazeLinks, slugify } from "../../core/labyrinth-kit";
import { buildChain, createRandom } from "../../core/markov";
import { TRAP_PATH_PREFIX, isTrapPath } from "../../core/trap-paths";

const chain = buildChain(readFileSync(new URL("../fixtures/markov/tiny.txt", import.meta.url), "utf8"));
const hrefsOf = (html: string): string[] => [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1] ?? "");
/** The page's tag skeleton: element names in order, without attributes or text. */
const skeleton = (html: string): string => [...html.matchAll(/<(\/?[a-z0-9]+)/g)].map((m) => m[1]).join(" ");
const paths = Array.from({ length: 60 }, (_, i) => `/archive/${(0x1000 + i).toString(16).padStart(8, "0")}/entry`);

describe("renderLabyrinthPage", () => {
  it("is byte-identical for the same path and differs between paths", () => {
    const a = renderLabyrinthPage(chain, "/archive/1a2b3c4d/harbour");
    expect(renderLabyrinthPage(chain, "/archive/1a2b3c4d/harbour")).toBe(a);
    expect(renderLabyrinthPage(chain, "/archive/1a2b3c4d/market")).not.toBe(a);
  });

  it("changes with the secret", () => {
    expect(renderLabyrinthPage(chain, "/x", { secret: "s1" })).not.toBe(renderLabyrinthPage(chain, "/x", { secret: "s2" }));
  });

  it("is a noindex, nofollow HTML page of corpus text with several links deeper into the maze", () => {
    const html = renderLabyrinthPage(chain, "/blog/post");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain(LABYRINTH_ROBOTS_META);
    expect(html).toContain("zanzibarquux");
    expect(html).toMatch(/<title>[^<]+<\/title>/);
    expect(html).toMatch(/<time datetime="\d{4}-\d{2}-\d{2}">/);
    const maze = hrefsOf(html).filter((h) => h !== TRAP_PATH_PREFIX);
    expect(maze.length).toBeGreaterThanOrEqual(8);
    expect(new Set(maze).size).toBe(maze.length);
  });

  it("links only inside the trap prefix, which robots.txt disallows", () => {
    for (const path of [...paths, "/", "/articles/some-country", "/feed.xml"]) {
      for (const href of hrefsOf(renderLabyrinthPage(chain, path, { fakeAssets: true })))
        expect(isTrapPath(href), `${path}: ${href}`).toBe(true);
    }
  });

  it("varies its structure, so one template fingerprint does not match every page", () => {
    const pages = paths.map((p) => renderLabyrinthPage(chain, p));
    expect(new Set(pages.map(skeleton)).size).toBe(pages.length);
    const classes = new Set(pages.map((html) => /<h1 class="([^"]+)"/.exec(html)?.[1]));
    expect(classes.size).toBeGreaterThanOrEqual(4);
    const linkCounts = new Set(pages.map((html) => hrefsOf(html).length));
    expect(linkCounts.size).toBeGreaterThanOrEqual(8);
    expect(pages.filter((html) => html.includes('rel="next"')).length).toBeGreaterThan(5);
    expect(pages.filter((html) => html.includes('rel="next"')).length).toBeLessThan(pages.length);
    expect(
      new Set(
        pages.map((html) =>
          /<time datetime="[^"]+">([^<]+)/
            .exec(html)?.[1]
            ?.replace(/\d/g, "9")
            .replace(/[A-Z][a-z]+/g, "M"),
        ),
      ),
    ).toEqual(new Set(["9999-99-99", "99 M 9999", "M 99, 9999", "9 M 9999", "99 M 9999", "M 9, 9999"]));
  });

  it("links to fake assets only when asked, and those paths resolve to assets", () => {
    expect(paths.flatMap((p) => hrefsOf(renderLabyrinthPage(chain, p))).filter((h) => /\.(js|tar\.gz)$/.test(h))).toEqual([]);
    const assets = paths
      .flatMap((p) => hrefsOf(renderLabyrinthPage(chain, p, { fakeAssets: true })))
      .filter((h) => /\.(js|tar\.gz)$/.test(h));
    expect(assets.some((h) => h.endsWith(".js"))).toBe(true);
    expect(assets.some((h) => h.endsWith(".tar.gz"))).toBe(true);
    for (const href of assets) expect(fakeAssetFor(href, "", 1 << 20), href).not.toBeNull();
  });

  it("makes no browser fetch anything on its own: trap URLs only in plain <a href>, over many seeds", () => {
    const autoFetch =
      /<(?:script|img|iframe|frame|embed|object|video|audio|source|track|link|input|base|portal)\b|\b(?:src|srcset|poster|data|background|action|formaction|ping)=|url\(|@import|http-equiv/i;
    const seeds = Array.from({ length: 400 }, (_, i) => `/archive/${(0x9000 + i * 7919).toString(16).padStart(8, "0")}/seed-${i}`);
    for (const [i, path] of seeds.entries()) {
      const html = renderLabyrinthPage(chain, path, { fakeAssets: true, secret: `s${i % 5}` });
      expect(autoFetch.exec(html)?.[0] ?? null, path).toBeNull();
      // Every URL on the page is the href of an <a>; none hides in another element or attribute.
      const anchors = [...html.matchAll(/<a\b[^>]*\bhref="([^"]+)"/g)].length;
      expect(hrefsOf(html).length, path).toBe(anchors);
      expect((html.match(/\/archive\//g) ?? []).length, path).toBe(anchors);
    }
    const scripts = seeds.flatMap((p) => hrefsOf(renderLabyrinthPage(chain, p, { fakeAssets: true }))).filter((h) => h.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(100); // the fake bundles are still there to be followed
  });

  it("escapes corpus text", () => {
    const html = renderLabyrinthPage(buildChain("Fish <script> chips. Fish <script> peas."), "/p");
    expect(html).not.toContain("<script>");
  });

  it("still renders a page from an empty chain", () => {
    const html = renderLabyrinthPage(buildChain(""), "/p");
    expect(html).toMatch(/<h1 class="[^"]+">Archive<\/h1>/);
  });
});

describe("helpers", () => {
  it("escapes HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
  });
  it("slugifies to ASCII", () => {
    expect(slugify(["Côte", "d'Ivoire", "2019"])).toBe("cote-divoire-2019");
  });
  it("numbers the next page of a maze path, and starts a series elsewhere", () => {
    const links = mazeLinks(chain, createRandom(1), "s");
    expect(links.next("/archive/0badf00d/harbour")).toBe("/archive/0badf00d/harbour/2");
    expect(links.next("/archive/0badf00d/harbour/7")).toBe("/archive/0badf00d/harbour/8");
    expect(links.next("/blog/post")).toMatch(/^\/archive\/[0-9a-f]{8}\/index\/2$/);
  });
});
