import { fnv1a } from "../../core/fingerprint";
import { TRAP_PATH_PREFIX } from "../../core/trap-paths";

/**
 * A link into the labyrinth that no person sees or follows: no text, off-screen, hidden from assistive
 * technology and out of the tab order. Verified crawlers are told by the managed robots.txt to stay out of
 * the trap prefix, so whoever requests it is a crawler that ignores robots.txt.
 */
export function honeypotLink(path: string, day: number): string {
  const token = fnv1a(`${path}|${day}`).toString(36);
  return `<a href="${TRAP_PATH_PREFIX}${token}/index.html" rel="nofollow" aria-hidden="true" tabindex="-1" style="position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden"></a>`;
}

/** Adds a honeypot link at the end of `<body>` of an HTML response; other responses pass untouched. */
export function withHoneypot(response: Response, path: string, now: number): Response {
  if (!(response.headers.get("content-type") ?? "").includes("text/html") || response.body === null) return response;
  const link = honeypotLink(path, Math.floor(now / 86_400_000));
  return new HTMLRewriter().on("body", {
      element(body) {
        body.append(link, { html: true });
      },
    }).transform(response);
}
