import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's Chromium (scripts/setup/install-test-clients.sh); Playwright cannot download browsers here. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
/** Headless, no sandbox (root), and no background traffic to hosts this machine cannot reach. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A headless Chromium. `person: true` is a person's browser as far as a web page can tell: not driven over
 * WebDriver/CDP automation switches, so no `navigator.webdriver` (what the challenge's evidence looks for).
 * `person: false` is Playwright's default launch: browser automation, as a scraper runs it.
 */
export function launchChromium(options: { readonly person: boolean }): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: options.person ? [...CHROMIUM_ARGS, "--disable-blink-features=AutomationControlled"] : [...CHROMIUM_ARGS],
    ...(options.person ? { ignoreDefaultArgs: ["--enable-automation"] } : {}),
  });
}

/** A desktop Chrome User-Agent of the Chromium build that runs (a person's Chrome agrees with its own client hints). */
export async function desktopChromeUa(browser: Browser): Promise<string> {
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version().split(".")[0]}.0.0.0 Safari/537.36`;
}

/** Collects what a page reports as broken (console errors, uncaught exceptions, CSP refusals among them) into `problems`. */
export function collectProblems(page: Page, problems: string[]): void {
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
}
