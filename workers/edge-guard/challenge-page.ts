import { CHALLENGE_BASE, CHALLENGE_SCRIPT_VERSION } from "./challenge-assets";
import { escapeHtml } from "../../core/text";

/** Where Cloudflare Turnstile's widget comes from (allowed by the page's CSP only when Turnstile is on). */
const TURNSTILE_ORIGIN = "https://challenges.cloudflare.com";

/** What one challenge page shows. Never the reason for the challenge. */
export interface ChallengePage {
  /** The signed ticket (JWT). */
  readonly ticket: string;
  /** The ticket's nonce and difficulty, repeated for the script (the server trusts only the ticket). */
  readonly nonce: string;
  readonly bits: number;
  /** Set: render the Turnstile widget with this site key instead of the proof of work. */
  readonly turnstileSiteKey?: string;
  /** "wait": the no-JS form came too early (or too often); ask to wait and press again. */
  readonly notice?: "wait";
  /** Seconds for Retry-After. */
  readonly retryAfterS: number;
}

/**
 * The challenge as an HTTP response: 503 + Retry-After (temporary, never indexed; see challenge.ts), noindex,
 * no-store, and a CSP that allows only edge-guard's own scripts (and Turnstile's, when on).
 */
export function challengePageResponse(page: ChallengePage): Response {
  const styleNonce = randomToken();
  const turnstile = page.turnstileSiteKey !== undefined;
  const csp = [
    "default-src 'none'",
    `script-src 'self'${turnstile ? ` ${TURNSTILE_ORIGIN}` : ""}`,
    "worker-src 'self'",
    `frame-src ${turnstile ? TURNSTILE_ORIGIN : "'none'"}`,
    `connect-src ${turnstile ? `'self' ${TURNSTILE_ORIGIN}` : "'self'"}`,
    `style-src 'nonce-${styleNonce}'`,
    "img-src 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return new Response(challengeHtml(page, styleNonce), {
    status: 503,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-robots-tag": "noindex, nofollow",
      "retry-after": String(Math.max(1, Math.ceil(page.retryAfterS))),
      "content-security-policy": csp,
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    },
  });
}

const STYLE = [
  "body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:3rem 1rem;color:#222;background:#fafafa}",
  "main{max-width:32rem;margin:0 auto}",
  "h1{font-size:1.4rem;font-weight:600}",
  "button{font:inherit;padding:.4rem 1.2rem;cursor:pointer}",
  ".note{color:#555;font-size:.9rem}",
].join("");

function challengeHtml(page: ChallengePage, styleNonce: string): string {
  const ticket = escapeHtml(page.ticket);
  const method = page.turnstileSiteKey === undefined ? "pow" : "turnstile";
  const widget =
    page.turnstileSiteKey === undefined
      ? ""
      : `<div class="cf-turnstile" data-sitekey="${escapeHtml(page.turnstileSiteKey)}" data-callback="egTurnstileDone"></div>`;
  const intro =
    page.notice === "wait"
      ? "<p><strong>Please wait a few more seconds, then press Continue again.</strong></p>"
      : method === "pow"
        ? '<p id="eg-status">Checking your browser…</p>'
        : '<p id="eg-status">Please complete the check below to continue.</p>';
  const scripts = [
    method === "turnstile" ? `<script src="${TURNSTILE_ORIGIN}/turnstile/v0/api.js" async defer></script>` : "",
    `<script src="${CHALLENGE_BASE}/challenge.js?v=${CHALLENGE_SCRIPT_VERSION}" defer></script>`,
  ].join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex, nofollow">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>One moment…</title>
<style nonce="${styleNonce}">${STYLE}</style>
${page.notice === "wait" ? "" : scripts}
</head>
<body>
<main>
<h1>One moment…</h1>
${intro}
<form id="eg-form" method="post" action="${CHALLENGE_BASE}/verify" data-method="${method}" data-nonce="${escapeHtml(page.nonce)}" data-bits="${page.bits}">
<input type="hidden" name="ticket" value="${ticket}">
<input type="hidden" name="counter" value="">
<input type="hidden" name="evidence" value="">
<input type="hidden" name="nua" value="">
${widget}
</form>
${page.notice === "wait" ? nojsForm(ticket) : `<noscript>${nojsForm(ticket)}</noscript>`}
</main>
</body>
</html>
`;
}

function nojsForm(ticket: string): string {
  return `<form method="post" action="${CHALLENGE_BASE}/verify-nojs">
<p>Without JavaScript: wait a few seconds, then continue.</p>
<input type="hidden" name="ticket" value="${ticket}">
<p><button type="submit">Continue</button></p>
<p class="note">Cookies must be enabled.</p>
</form>`;
}

function randomToken(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
}
