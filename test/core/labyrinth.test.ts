import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { escapeHtml, renderLabyrinthPage, slugify } from "../../core/labyrinth";
import { buildChain } from "../../core/markov";
import { TRAP_PATH_PREFIX, isTrapPath } from "../../core/trap-paths";

const chain = buildChain(readFileSync(new URL("../fixtures/markov/tiny.txt", import.meta.url), "utf8"));

describe("renderLabyrinthPage", () => {
  it("is byte-identical for the same path and differs between paths", () => {
    const a = renderLabyrinthPage(chain, "/archive/1a2b3c4d/harbour");
    expect(renderLabyrinthPage(chain, "/archive/1a2b3c4d/harbour")).toBe(a);
    expect(renderLabyrinthPage(chain, "/archive/1a2b3c4d/market")).not.toBe(a);
  });

  it("changes with the secret", () => {
    expect(renderLabyrinthPage(chain, "/x", { secret: "s1" })).not.toBe(renderLabyrinthPage(chain, "/x", { secret: "s2" }));
  });

  it("is a noindex HTML page of corpus text with several links deeper into the maze", () => {
    const html = renderLabyrinthPage(chain, "/blog/post");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<meta name="robots" content="noindex,nofollow">');
    expect(html).toContain("zanzibarquux");
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] ?? "");
    const maze = hrefs.filter((h) => isTrapPath(h) && h !== TRAP_PATH_PREFIX);
    expect(maze.length).toBeGreaterThanOrEqual(5);
    for (const href of maze) expect(href).toMatch(/^\/archive\/[0-9a-f]{8}\/[a-z0-9-]+$/);
    expect(new Set(maze).size).toBe(maze.length);
  });

  it("escapes corpus text", () => {
    const html = renderLabyrinthPage(buildChain("Fish <script> chips. Fish <script> peas."), "/p");
    expect(html).not.toContain("<script>");
  });

  it("still renders a page from an empty chain", () => {
    const html = renderLabyrinthPage(buildChain(""), "/p");
    expect(html).toContain("<h1>Archive</h1>");
  });
});

describe("helpers", () => {
  it("escapes HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
  });
  it("slugifies to ASCII", () => {
    expect(slugify(["Côte", "d'Ivoire", "2019"])).toBe("cote-divoire-2019");
  });
});
