import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { escapeHtml } from "../../core/text";
import { buildSite, type Page, type Site } from "./site";
import { inBandPrice, servedTarget } from "./in-band";

export type OriginOptions = {
  readonly port: number; // 0 picks a free port
  readonly host?: string; // listen address, default 127.0.0.1
  readonly publicUrl?: string; // fixes the base of absolute links in feed, sitemap and robots.txt; otherwise taken from each request
  readonly onRequest?: (req: IncomingMessage) => void; // sees every request the origin answers (tests count real pages served)
  readonly robotsByHost?: Readonly<Record<string, string>>; // robots.txt for some public hosts (X-Forwarded-Host or Host, with or without port), instead of the site's own
  readonly bannerByHost?: Readonly<Record<string, string>>; // a line of text at the top of every HTML page for some hosts (the dev stack's demo sites)
};
export type RunningOrigin = {
  readonly url: string;
  close(): Promise<void>;
  /** Fault suite: every answer waits this long first (0 = none). */
  setDelay(ms: number): void;
  /** Fault suite: stops listening (connections refused, open ones dropped) until `resume()`, on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
};

type Encoded = { readonly page: Page; readonly bytes: Uint8Array; readonly etag: string };

/** Builds the demo site once, then serves it over HTTP until `close()`. */
export async function startOrigin(opts: OriginOptions): Promise<RunningOrigin> {
  const site = buildSite();
  const prebuilt = new Map(
    [...site.pages].flatMap(([path, page]) => (typeof page.body === "function" ? [] : [[path, encode(page, page.body)] as const])),
  );
  const notFound = encode(site.notFound, bodyText(site.notFound, ""));
  const robotsPage = site.pages.get("/robots.txt") ?? site.notFound;
  const host = opts.host ?? "127.0.0.1";
  let listening = "";
  let delayMs = 0;
  const server = createServer((req, res) => {
    opts.onRequest?.(req);
    const baseUrl = opts.publicUrl?.replace(/\/+$/, "") ?? baseUrlOf(req.headers) ?? listening;
    const publicUrl = new URL(baseUrlOf(req.headers) ?? listening);
    const byHost = <T>(map: Readonly<Record<string, T>> | undefined) => map?.[publicUrl.host] ?? map?.[publicUrl.hostname];
    const hostRobots = req.url === "/robots.txt" ? byHost(opts.robotsByHost) : undefined;
    const banner = byHost(opts.bannerByHost);
    const target = req.url ?? "/";
    const price = inBandPrice(target, [req.headers["cf-pay-per-crawl"]].flat()[0]);
    const answer = () =>
      hostRobots !== undefined
        ? respond(req, res, encode({ ...robotsPage, body: hostRobots }, hostRobots))
        : answerPage(req, res, withBanner(route(site, prebuilt, notFound, servedTarget(target), baseUrl), banner), price);
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  listening = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let paused = false;
  const close = () =>
    new Promise<void>((resolve, reject) => {
      if (!server.listening) return resolve();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
    });
  return {
    url: listening,
    close,
    setDelay: (ms) => void (delayMs = Math.max(0, ms)),
    pause: async () => {
      paused = true;
      await close();
    },
    resume: () =>
      new Promise<void>((resolve, reject) => {
        if (!paused) return resolve();
        paused = false;
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      }),
  };
}

/** The public base URL a client used, from X-Forwarded-Host/-Proto or Host; undefined if the header looks wrong. */
export function baseUrlOf(headers: IncomingHttpHeaders): string | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim();
  const host = first(headers["x-forwarded-host"]) ?? first(headers.host);
  if (host === undefined || !/^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(host)) return undefined;
  const proto = first(headers["x-forwarded-proto"]);
  return `${proto === "https" ? "https" : "http"}://${host.toLowerCase()}`;
}

/** True when an If-None-Match header value names `etag` (weak comparison, RFC 9110 §13.1.2). */
export function etagMatches(header: string, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.trim() === "*" || header.split(",").some((tag) => bare(tag) === bare(etag));
}

function route(site: Site, prebuilt: ReadonlyMap<string, Encoded>, notFound: Encoded, target: string, baseUrl: string): Encoded {
  let url: URL;
  try {
    url = new URL(target, "http://origin.invalid");
  } catch {
    return notFound;
  }
  const path = url.pathname;
  const hit = prebuilt.get(path);
  if (hit !== undefined) return hit;
  const page = site.pages.get(path);
  if (page !== undefined) return encode(page, bodyText(page, baseUrl));
  const trimmed = path.replace(/\/+$/, "");
  if (path.length > 1 && trimmed !== path && site.pages.has(trimmed)) {
    const redirect: Page = { ...notFound.page, status: 301, body: "", location: trimmed + url.search, cacheControl: "public, max-age=300" };
    return encode(redirect, "");
  }
  return notFound;
}

/** A page, with the in-band `crawler-price` only on a page that exists (a 404 or a redirect is never priced). */
function answerPage(req: IncomingMessage, res: ServerResponse, hit: Encoded, crawlerPrice: string | null): void {
  respond(req, res, hit, hit.page.status === 200 ? crawlerPrice : null);
}

function respond(req: IncomingMessage, res: ServerResponse, hit: Encoded, crawlerPrice: string | null = null): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8", "content-length": "19" });
    res.end("method not allowed\n");
    return;
  }
  const { page, bytes, etag } = hit;
  const headers: Record<string, string> = {
    "content-type": page.contentType,
    "content-length": String(bytes.length),
    etag,
    "last-modified": new Date(page.lastModified).toUTCString(),
    "cache-control": page.cacheControl,
    "x-content-type-options": "nosniff",
  };
  if (page.location !== undefined) headers["location"] = page.location;
  if (crawlerPrice !== null) headers["crawler-price"] = crawlerPrice;
  if (page.status === 200 && isFresh(req.headers, etag, page.lastModified)) {
    delete headers["content-length"];
    delete headers["content-type"];
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(page.status, headers);
  res.end(req.method === "HEAD" ? undefined : bytes);
}

function isFresh(headers: IncomingHttpHeaders, etag: string, lastModified: string): boolean {
  const ifNoneMatch = headers["if-none-match"];
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, etag);
  const since = Date.parse(headers["if-modified-since"] ?? "");
  return !Number.isNaN(since) && Math.floor(Date.parse(lastModified) / 1000) <= Math.floor(since / 1000);
}

/** An HTML page with a banner line right after `<body…>` (a demo site's name); anything else unchanged. */
function withBanner(hit: Encoded, banner: string | undefined): Encoded {
  if (banner === undefined || !hit.page.contentType.startsWith("text/html")) return hit;
  const html = Buffer.from(hit.bytes).toString("utf8");
  const escaped = escapeHtml(banner);
  return encode(
    hit.page,
    html.replace(/<body[^>]*>/, (tag) => `${tag}<p class="demo-site" data-demo-site>${escaped}</p>`),
  );
}

function encode(page: Page, body: string | Uint8Array): Encoded {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return { page, bytes, etag: `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"` };
}

function bodyText(page: Page, baseUrl: string): string | Uint8Array {
  return typeof page.body === "function" ? page.body(baseUrl) : page.body;
}
