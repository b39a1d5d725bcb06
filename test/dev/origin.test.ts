import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishedAtFor, slugify } from "../../dev/origin/articles";
import { escapeHtml } from "../../dev/origin/html";
import { baseUrlOf, etagMatches, startOrigin, type RunningOrigin } from "../../dev/origin/server";
import { buildSite, type Site } from "../../dev/origin/site";

let origin: RunningOrigin;
beforeAll(async () => {
  origin = await startOrigin({ port: 0 });
});
afterAll(async () => {
  await origin.close();
});

const get = (path: string, init?: RequestInit) => fetch(new URL(path, origin.url), { redirect: "manual", ...init });

type Fetched = { readonly status: number; readonly contentType: string; readonly body: string };
type Crawl = { readonly pages: ReadonlyMap<string, Fetched>; readonly linkedFrom: ReadonlyMap<string, string> };

// Breadth-first over every same-origin href/src reachable from "/"; memoised because several tests read it.
let crawled: Promise<Crawl> | undefined;
function crawl(): Promise<Crawl> {
  crawled ??= (async () => {
    const pages = new Map<string, Fetched>();
    const linkedFrom = new Map<string, string>([["/", "(start)"]]);
    let frontier = ["/"];
    while (frontier.length > 0) {
      const batch = frontier.splice(0, 16);
      const results = await Promise.all(batch.map(async (path) => [path, await get(path)] as const));
      for (const [path, response] of results) {
        const fetched = { status: response.status, contentType: response.headers.get("content-type") ?? "", body: await response.text() };
        pages.set(path, fetched);
        if (!fetched.contentType.startsWith("text/html")) continue;
        for (const link of linksIn(fetched.body, path)) {
          if (linkedFrom.has(link)) continue;
          linkedFrom.set(link, path);
          frontier.push(link);
        }
      }
    }
    return { pages, linkedFrom };
  })();
  return crawled;
}

function linksIn(html: string, from: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].flatMap(([, raw]) => {
    const url = new URL((raw ?? "").replaceAll("&amp;", "&"), new URL(from, origin.url));
    return url.origin === origin.url ? [url.pathname + url.search] : [];
  });
}

const VOID_ELEMENTS = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const BARE_AMPERSAND = /&(?!(?:[a-z]+|#\d+|#x[0-9a-f]+);)/i;

/** Problems that show broken escaping or nesting: unbalanced tags, a stray `<`, a bare `&`. Empty means well formed. */
function markupProblems(document: string, dialect: "html" | "xml"): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  const token =
    /<!DOCTYPE[^>]*>|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"<]*"|='[^'<]*')?)*)\s*(\/?)>|<|&[^;\s]*;?/g;
  for (const match of document.matchAll(token)) {
    const [text, closing, name, attributes, selfClosing] = match;
    const at = `at ${match.index}: ${document.slice(match.index, match.index + 40)}`;
    if (name === undefined) {
      if (text === "<") problems.push(`stray < ${at}`);
      else if (text.startsWith("&") && BARE_AMPERSAND.test(text)) problems.push(`bare & ${at}`);
      continue;
    }
    if (attributes !== undefined && BARE_AMPERSAND.test(attributes)) problems.push(`bare & in attribute ${at}`);
    const element = dialect === "html" ? name.toLowerCase() : name;
    if (closing === "/") {
      const expected = open.pop();
      if (expected !== element) problems.push(`</${element}> closes <${expected ?? "nothing"}> ${at}`);
    } else if (selfClosing !== "/" && !(dialect === "html" && VOID_ELEMENTS.has(element))) {
      open.push(element);
    }
  }
  if (open.length > 0) problems.push(`unclosed: ${open.join(" > ")}`);
  return problems;
}

// node:http rather than fetch, which does not let a caller set Host.
function getWithHeaders(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, origin.url), { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("demo origin server", () => {
  it("reports the real port when asked for port 0", () => {
    expect(origin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(origin.url).not.toMatch(/:0$/);
  });

  it("links at least 200 distinct HTML pages from /, and every internal link resolves", async () => {
    const { pages, linkedFrom } = await crawl();
    const html = [...pages].filter(([, page]) => page.contentType.startsWith("text/html"));
    expect(html.length).toBeGreaterThanOrEqual(200);
    const broken = [...pages]
      .filter(([, page]) => page.status !== 200)
      .map(([path, page]) => `${path} → ${page.status} (linked from ${linkedFrom.get(path)})`);
    expect(broken).toEqual([]);
    expect(html.filter(([path]) => path.startsWith("/articles/")).length).toBeGreaterThanOrEqual(200);
    expect(html.some(([path]) => path.startsWith("/tags/"))).toBe(true);
    expect(html.some(([path]) => path.startsWith("/page/"))).toBe(true);
  });

  it("serves well-formed, escaped HTML5 with the shared shell on every page", async () => {
    const { pages } = await crawl();
    const problems = [...pages]
      .filter(([, page]) => page.contentType.startsWith("text/html"))
      .flatMap(([path, page]) => {
        const shell = [
          /^<!DOCTYPE html>/,
          /<nav[\s>]/,
          /<main>/,
          /<footer[\s>]/,
          /<link rel="stylesheet" href="\/static\/site.css">/,
          /<img [^>]*src="\/static\/logo.svg"/,
        ];
        const missing = shell.filter((pattern) => !pattern.test(page.body)).map((pattern) => `missing ${pattern}`);
        return [...missing, ...markupProblems(page.body, "html")].map((problem) => `${path}: ${problem}`);
      });
    expect(problems).toEqual([]);
    const ivoire = pages.get("/articles/cote-divoire");
    expect(ivoire?.body).toContain("<h1>Cote d&#39;Ivoire</h1>");
  });

  it("shows 20 articles per index page and paginates the rest", async () => {
    const home = await (await get("/")).text();
    expect(home.match(/<li class="card">/g)).toHaveLength(20);
    expect(home).toContain('href="/page/2"');
    expect(home).toContain('<img class="map" src="/static/map.png"');
    const last = Math.max(...[...home.matchAll(/href="\/page\/(\d+)"/g)].map(([, n]) => Number(n)));
    expect((await get(`/page/${last}`)).status).toBe(200);
    expect((await get(`/page/${last + 1}`)).status).toBe(404);
    const first = await get("/page/1");
    expect([first.status, first.headers.get("location")]).toEqual([301, "/"]);
  });

  it("links related articles and tags from an article", async () => {
    const page = await (await get("/articles/france")).text();
    expect(page).toContain("<h1>France</h1>");
    expect(page.match(/<section id="/g)?.length).toBeGreaterThanOrEqual(4);
    expect(page).toMatch(/<aside class="related">[\s\S]*href="\/articles\/[a-z0-9-]+"/);
    expect(page).toMatch(/href="\/tags\/[a-z0-9-]+" rel="tag"/);
    expect(page).toMatch(/<time datetime="20\d\d-\d\d-\d\dT\d\d:\d\d:00Z">/);
  });

  it("publishes robots.txt and a sitemap listing exactly the crawlable HTML pages", async () => {
    const robots = await get("/robots.txt");
    expect(robots.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const robotsText = await robots.text();
    expect(robotsText).toMatch(/^User-agent: \*$/m);
    expect(robotsText).toContain(`\nSitemap: ${origin.url}/sitemap.xml\n`);

    const sitemap = await get("/sitemap.xml");
    expect(sitemap.headers.get("content-type")).toMatch(/^application\/xml/);
    const xml = await sitemap.text();
    expect(markupProblems(xml, "xml")).toEqual([]);
    const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map(([, loc]) => loc ?? "");
    expect(locs.every((loc) => loc.startsWith(`${origin.url}/`))).toBe(true);
    const { pages } = await crawl();
    const crawledHtml = [...pages].filter(([, page]) => page.contentType.startsWith("text/html")).map(([path]) => path);
    expect(new Set(locs.map((loc) => loc.slice(origin.url.length)))).toEqual(new Set(crawledHtml));
  });

  it("links an Atom feed of the latest articles from the home page head", async () => {
    const home = await (await get("/")).text();
    const head = home.slice(0, home.indexOf("</head>"));
    const href = /<link rel="alternate" type="application\/atom\+xml"[^>]* href="([^"]+)">/.exec(head)?.[1];
    expect(href).toBe("/feed.xml");
    const feed = await get(href ?? "");
    expect(feed.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const xml = await feed.text();
    expect(markupProblems(xml, "xml")).toEqual([]);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    expect(xml).toContain(`<link rel="self" type="application/atom+xml" href="${origin.url}/feed.xml"/>`);
    const entries = [...xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map(([, entry]) => entry ?? "");
    expect(entries.length).toBeGreaterThanOrEqual(10);
    const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
    for (const entry of entries) {
      expect(entry).toMatch(/<id>tag:[^<]+<\/id>/);
      expect(entry).toMatch(/<title>[^<]+<\/title>/);
      expect(/<updated>([^<]+)<\/updated>/.exec(entry)?.[1]).toMatch(rfc3339);
    }
    const links = entries.map((entry) => /<link rel="alternate" type="text\/html" href="([^"]+)"\/>/.exec(entry)?.[1] ?? "");
    const statuses = await Promise.all(links.map(async (link) => (await fetch(link)).status));
    expect(statuses.every((status) => status === 200)).toBe(true);
    const updated = entries.map((entry) => /<updated>([^<]+)</.exec(entry)?.[1] ?? "");
    expect(updated).toEqual([...updated].sort().reverse());
  });

  it("builds feed, sitemap and robots URLs from the Host the client used, so they work behind a proxy", async () => {
    const feed = await getWithHeaders("/feed.xml", { host: "guard.example:8787" });
    expect(feed.body).toContain('href="http://guard.example:8787/feed.xml"');
    expect(feed.body).not.toContain(origin.url);
    const robots = await getWithHeaders("/robots.txt", {
      host: "127.0.0.1:8790",
      "x-forwarded-host": "shop.example",
      "x-forwarded-proto": "https",
    });
    expect(robots.body).toContain("Sitemap: https://shop.example/sitemap.xml");
    const sitemap = await getWithHeaders("/sitemap.xml", { host: "guard.example:8787" });
    expect(sitemap.body).toContain("<loc>http://guard.example:8787/articles/france</loc>");
  });

  it.each([
    ["/static/site.css", "text/css; charset=utf-8", Buffer.from(":root")],
    ["/static/logo.svg", "image/svg+xml", Buffer.from("<?xml")],
    ["/static/map.png", "image/png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ["/favicon.ico", "image/x-icon", Buffer.from([0, 0, 1, 0, 1, 0])],
  ])("serves %s as %s", async (path, contentType, magic) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(contentType);
    expect(response.headers.get("cache-control")).toMatch(/max-age=\d+/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(40);
    expect(bytes.subarray(0, magic.length)).toEqual(magic);
  });

  it("draws a 360×180 map", async () => {
    const png = Buffer.from(await (await get("/static/map.png")).arrayBuffer());
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([360, 180]); // IHDR width, height
  });

  it("answers unknown paths with an HTML 404", async () => {
    for (const path of ["/articles/atlantis", "/nope", "/static/missing.css", "/page/0"]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await response.text()).toContain("<h1>Page not found</h1>");
    }
  });

  it("redirects a trailing slash to the canonical path, keeping the query", async () => {
    const response = await get("/tags/?ref=x");
    expect([response.status, response.headers.get("location")]).toEqual([301, "/tags?ref=x"]);
  });

  it("answers HEAD with GET's headers and no body", async () => {
    for (const path of ["/", "/articles/france", "/static/map.png", "/feed.xml", "/nope"]) {
      const [got, head] = [await get(path), await get(path, { method: "HEAD" })];
      const gotBody = Buffer.from(await got.arrayBuffer());
      expect(head.status, path).toBe(got.status);
      for (const name of ["content-type", "content-length", "etag", "last-modified", "cache-control"]) {
        expect(head.headers.get(name), `${path} ${name}`).toBe(got.headers.get(name));
      }
      expect(Number(got.headers.get("content-length"))).toBe(gotBody.length);
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    }
  });

  it("revalidates with ETag and Last-Modified", async () => {
    const first = await get("/articles/france");
    const etag = first.headers.get("etag") ?? "";
    const lastModified = first.headers.get("last-modified") ?? "";
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(new Date(lastModified).toUTCString()).toBe(lastModified);
    expect((await get("/articles/france", { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await get("/articles/france", { headers: { "if-none-match": '"other"' } })).status).toBe(200);
    expect((await get("/articles/france", { headers: { "if-modified-since": lastModified } })).status).toBe(304);
    expect((await get("/articles/spain", { headers: { "if-none-match": etag } })).status).toBe(200);
  });

  it("names its own price under /premium/* when the edge asks for an in-band price, and only then", async () => {
    const asked = { headers: { "cf-pay-per-crawl": "pricing=in-band" } };
    const priced = await get("/premium/france", asked);
    expect(priced.status).toBe(200);
    expect(priced.headers.get("crawler-price")).toBe("USD 0.05");
    expect(await priced.text()).toBe(await (await get("/articles/france")).text()); // the article of that slug
    const unasked = await get("/premium/france");
    expect(unasked.headers.get("crawler-price")).toBeNull();
    await unasked.body?.cancel();
    const wrong = await get("/premium/bad-price", asked);
    expect(wrong.headers.get("crawler-price")).toBe("USD 0,05"); // malformed on purpose: the edge answers 502 InvalidContentPrice
    await wrong.body?.cancel();
    const missing = await get("/premium/no-such-article", asked);
    expect([missing.status, missing.headers.get("crawler-price")]).toEqual([404, null]);
    await missing.body?.cancel();
    const article = await get("/articles/france", asked);
    expect(article.headers.get("crawler-price")).toBeNull();
    await article.body?.cancel();
  });

  it("refuses methods other than GET and HEAD", async () => {
    const response = await get("/", { method: "POST", body: "x" });
    expect([response.status, response.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });
});

describe("buildSite", () => {
  const render = (site: Site) =>
    new Map(
      [...site.pages, ["(404)", site.notFound] as const].map(([path, page]) => [
        path,
        Buffer.from(typeof page.body === "function" ? page.body("http://a.example") : page.body),
      ]),
    );

  it("gives byte-identical output on every build", () => {
    const [first, second] = [render(buildSite()), render(buildSite())];
    expect([...second.keys()]).toEqual([...first.keys()]);
    const differing = [...first].filter(([path, body]) => !body.equals(second.get(path) ?? Buffer.alloc(0))).map(([path]) => path);
    expect(differing).toEqual([]);
  });

  it("escapes hostile text from the data in pages, feed and sitemap", () => {
    const hostile = `<script>alert("x")</script> Tom & Jerry's`;
    const profile = (code: string, name: string) => ({
      code,
      region: "europe",
      sections: {
        Introduction: { Background: { text: hostile } },
        Geography: { Coastline: { text: "0 km (landlocked)" } },
        Government: { "Country name": { "conventional short form": { text: name } } },
      },
    });
    const site = buildSite([profile("aa", `<b>Tom & Jerry</b>`), profile("bb", "Tom & Jerry")]);
    const slugs = [...site.pages.keys()].filter((path) => path.startsWith("/articles/"));
    expect(slugs.sort()).toEqual(["/articles/b-tom-jerry-b", "/articles/tom-jerry"]);
    const article = String(site.pages.get("/articles/b-tom-jerry-b")?.body);
    expect(article).toContain("<h1>&#60;b&#62;Tom &#38; Jerry&#60;/b&#62;</h1>");
    expect(article).not.toContain("<script>");
    const feed = site.pages.get("/feed.xml")?.body;
    const xml = typeof feed === "function" ? feed('http://a.example/"&<') : "";
    expect(xml).toContain("<title>&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</title>");
    const documents = [...[...site.pages.values()].map((page) => page.body), site.notFound.body].flatMap((body) =>
      typeof body === "function" ? [body('http://a.example/"&<')] : typeof body === "string" ? [body] : [],
    );
    const markup = documents.filter((document) => document.startsWith("<!DOCTYPE html>") || document.startsWith("<?xml"));
    expect(markup.length).toBeGreaterThan(8);
    expect(markup.flatMap((document) => markupProblems(document, document.startsWith("<?xml") ? "xml" : "html"))).toEqual([]);
  });

  it("has one article per profile, each at a unique kebab-case slug", () => {
    const site = buildSite();
    const articles = [...site.pages.keys()].filter((path) => path.startsWith("/articles/"));
    expect(articles).toHaveLength(site.articleCount);
    expect(site.articleCount).toBeGreaterThanOrEqual(250);
    expect(articles.every((path) => /^\/articles\/[a-z0-9]+(-[a-z0-9]+)*$/.test(path))).toBe(true);
  });
});

describe("origin helpers", () => {
  it("slugifies names to kebab-case ASCII", () => {
    expect(slugify("Cote d'Ivoire")).toBe("cote-divoire");
    expect(slugify("Congo (Brazzaville)")).toBe("congo-brazzaville");
    expect(slugify("Curaçao")).toBe("curacao");
  });

  it("derives publication dates from the slug alone", () => {
    expect(publishedAtFor("france")).toBe(publishedAtFor("france"));
    expect(publishedAtFor("france")).not.toBe(publishedAtFor("spain"));
    expect(publishedAtFor("france") >= "2019-01-01" && publishedAtFor("france") < "2025-01-01").toBe(true);
  });

  it("escapes HTML metacharacters", () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe("&#60;a href=&#34;x&#34;&#62;Tom &#38; Jerry&#39;s&#60;/a&#62;");
  });

  it("takes the public base URL from forwarding headers or Host, and rejects odd hosts", () => {
    expect(baseUrlOf({ host: "127.0.0.1:8787" })).toBe("http://127.0.0.1:8787");
    expect(baseUrlOf({ host: "a:1", "x-forwarded-host": "Site.Example, proxy", "x-forwarded-proto": "https" })).toBe(
      "https://site.example",
    );
    expect(baseUrlOf({ host: "[::1]:8787" })).toBe("http://[::1]:8787");
    expect(baseUrlOf({ host: 'x"><script>' })).toBeUndefined();
    expect(baseUrlOf({})).toBeUndefined();
  });

  it("matches If-None-Match lists, weak tags and *", () => {
    expect(etagMatches('"a", W/"b"', '"b"')).toBe(true);
    expect(etagMatches("*", '"b"')).toBe(true);
    expect(etagMatches('"a"', '"b"')).toBe(false);
  });
});
