/**
 * Product tokens named in a User-Agent, the names robots.txt groups and crawler lists match on
 * (RFC 9309 §2.2.1: "a product token ... MUST contain only uppercase and lowercase letters, underscores and hyphens";
 * real tokens also carry digits, such as `AI2Bot` or `360Spider`).
 */

// Words of browser-style User-Agents that never name a crawler; `Mozilla/5.0 (compatible; GPTBot/1.2)` is GPTBot.
const GENERIC = new Set([
  "mozilla",
  "compatible",
  "applewebkit",
  "khtml",
  "like",
  "gecko",
  "chrome",
  "safari",
  "mobile",
  "version",
  "linux",
  "android",
  "windows",
  "nt",
  "win64",
  "x64",
  "macintosh",
  "intel",
  "mac",
  "os",
  "x",
  "x11",
  "iphone",
  "cpu",
  "u",
  "build",
  "wv",
  "en-us",
  "en",
]);
// Contact URLs and mailboxes name sites, not products: `+https://openai.com/gptbot` is not a token.
const CONTACT_RE = /\+?\b(?:https?:\/\/|www\.)\S*|\S+@\S+/gi;
const TOKEN_RE = /[A-Za-z0-9_-]*[A-Za-z][A-Za-z0-9_-]*/g;

/** The product tokens of a User-Agent (or a bare token), in order, without URLs, mailboxes and browser words. */
export function productTokens(userAgent: string): string[] {
  const text = userAgent.replace(CONTACT_RE, " ");
  return (text.match(TOKEN_RE) ?? []).filter((token) => !GENERIC.has(token.toLowerCase()));
}
