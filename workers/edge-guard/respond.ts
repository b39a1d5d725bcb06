/** The page a blocked client sees: a stable code, never the reasons. */
export function blockedResponse(): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Access denied</title></head><body><h1>Access denied</h1><p>Your request was blocked. Code: blocked</p></body></html>`;
  return new Response(body, {
    status: 403,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-robots-tag": "noindex" },
  });
}

/** What a client sees when the origin does not answer (refused, reset): a gateway error with a stable code. */
export function originUnreachableResponse(): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Site unavailable</title></head><body><h1>Site unavailable</h1><p>The site is not answering right now. Please try again in a minute. Code: origin_unreachable</p></body></html>`;
  return new Response(body, {
    status: 502,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "retry-after": "30", "x-robots-tag": "noindex" },
  });
}

/** Request headers that only mean something between the client and edge-guard, dropped before the origin. */
const HOP_HEADERS = ["x-dev-cf"];

/**
 * Forwards a request to the origin and streams its answer back unchanged (status, headers, body).
 * `originUrl` empty: the zone's own origin (the request goes out as it came). `incoming`: the request's URL, parsed.
 */
export async function proxyToOrigin(
  request: Request,
  originUrl: string,
  clientIp?: string,
  incoming: URL = new URL(request.url),
): Promise<Response> {
  // Path and query set on the origin's URL, never resolved against it: a path like `//other.host/x` stays a path.
  const target = originUrl === "" ? incoming : Object.assign(new URL(originUrl), { pathname: incoming.pathname, search: incoming.search });
  const headers = new Headers(request.headers);
  for (const name of HOP_HEADERS) headers.delete(name);
  if (originUrl !== "") {
    // Cloudflare adds these itself on the way to a zone's origin; an explicit ORIGIN_URL gets them from us.
    headers.set("x-forwarded-host", incoming.host);
    if (clientIp !== undefined) headers.set("x-forwarded-for", clientIp);
  }
  // Throws when the origin refuses or drops the request (down, or e.g. headers larger than it accepts): the caller
  // retries a GET once, counts the fault and answers originUnreachableResponse (app.ts `fromOrigin`).
  // The origin's response as fetch gives it (its headers immutable): whoever changes it downstream builds a new one.
  return fetch(target, { method: request.method, headers, body: request.body, redirect: "manual" });
}
