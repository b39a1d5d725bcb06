import { declaresBot } from "../crawlers";

/** Browser product a User-Agent claims; "other" for forks, WebViews, iOS wrappers, tools and declared bots. */
export type BrowserFamily = "chrome" | "edge" | "firefox" | "safari" | "other";
/** Rendering engine the claim implies: it decides which headers a real browser sends (client hints: Blink only). */
export type BrowserEngine = "blink" | "gecko" | "webkit" | "other";
/** Operating system named by the User-Agent, to compare with Sec-CH-UA-Platform. */
export type UaPlatform = "windows" | "macos" | "linux" | "chromeos" | "android" | "ios" | "other";

/** What a User-Agent string says about the browser sending it (a claim: nothing here is verified). */
export interface BrowserClaim {
  readonly family: BrowserFamily;
  readonly engine: BrowserEngine;
  /** Major version of the named product (Chrome/, Edg/, Firefox/, Safari's Version/); null for "other". */
  readonly major: number | null;
  /** Major of the Chrome/ token of any Blink browser: what Sec-CH-UA's "Chromium" brand must say. */
  readonly chromiumMajor: number | null;
  /** The UA carries the `Mobile` token (phones; tablets and desktop mode do not). */
  readonly mobile: boolean;
  readonly platform: UaPlatform;
}

// Anchored on the whole tail, so a fork that appends or inserts its own token (OPR/, SamsungBrowser/,
// YaBrowser/, Electron/, Android WebView's Version/4.0) is not mistaken for the browser it is built on.
const CHROME = /\(KHTML, like Gecko\) (?:Headless)?Chrome\/(\d+)[\d.]* (?:Mobile )?Safari\/537\.36$/;
const EDGE = /\(KHTML, like Gecko\) Chrome\/\d+[\d.]* (?:Mobile )?Safari\/537\.36 EdgA?\/(\d+)[\d.]*$/;
const FIREFOX = /; rv:[\d.]+\) Gecko\/[\d.]+ Firefox\/(\d+)[\d.]*$/;
const SAFARI = /\(KHTML, like Gecko\) Version\/(\d+)[\d.]* (?:Mobile\/\w+ )?Safari\/[\d.]+$/;
const ANY_CHROMIUM = /\b(?:Headless)?Chrome\/(\d+)/;
/** `compatible;`: old Internet Explorer and most declared bots; neither is a browser whose headers we can judge. */
const COMPATIBLE = /compatible;/i;

const NOT_A_BROWSER: BrowserClaim = {
  family: "other",
  engine: "other",
  major: null,
  chromiumMajor: null,
  mobile: false,
  platform: "other",
};

/** Parses the browser a User-Agent claims to be. Anything not starting `Mozilla/5.0 (` (curl, lynx, w3m) is "other". */
export function browserClaim(userAgent: string): BrowserClaim {
  if (!userAgent.startsWith("Mozilla/5.0 (") || COMPATIBLE.test(userAgent) || declaresBot(userAgent)) return NOT_A_BROWSER;
  const mobile = /\bMobile\b/.test(userAgent);
  const platform = uaPlatform(userAgent);
  const chromium = /\bEdge\/\d/.test(userAgent) ? null : ANY_CHROMIUM.exec(userAgent); // Edge ≤ 18 was EdgeHTML
  const chromiumMajor = chromium === null ? null : Number(chromium[1]);
  const base = { chromiumMajor, mobile, platform };

  const edge = EDGE.exec(userAgent);
  if (edge !== null) return { ...base, family: "edge", engine: "blink", major: Number(edge[1]) };
  const chrome = CHROME.exec(userAgent);
  if (chrome !== null) return { ...base, family: "chrome", engine: "blink", major: Number(chrome[1]) };
  const firefox = FIREFOX.exec(userAgent);
  if (firefox !== null) return { ...base, family: "firefox", engine: "gecko", major: Number(firefox[1]) };
  const safari = chromium === null ? SAFARI.exec(userAgent) : null;
  if (safari !== null) return { ...base, family: "safari", engine: "webkit", major: Number(safari[1]) };

  const engine: BrowserEngine =
    chromiumMajor !== null ? "blink" : /\bGecko\/\d/.test(userAgent) ? "gecko" : /AppleWebKit\//.test(userAgent) ? "webkit" : "other";
  return { ...base, family: "other", engine, major: null };
}

function uaPlatform(userAgent: string): UaPlatform {
  if (/Windows NT/.test(userAgent)) return "windows";
  if (/iPhone|iPad|iPod/.test(userAgent)) return "ios";
  if (/Macintosh/.test(userAgent)) return "macos";
  if (/Android/.test(userAgent)) return "android";
  if (/CrOS/.test(userAgent)) return "chromeos";
  if (/Linux|X11/.test(userAgent)) return "linux";
  return "other";
}
