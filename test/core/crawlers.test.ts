import { describe, expect, it } from "vitest";
import { aiCrawlerToken, declaresBot, scriptedClientToken } from "../../core/crawlers";
import { isBrowserUserAgent } from "../../core/features";
import { browserClaim } from "../../core/signals/user-agent";

describe("User-Agent tokens", () => {
  it.each([
    ["Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "ClaudeBot"],
    ["CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot"],
    [
      "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
      "Bytespider",
    ],
    ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; gptbot/1.2)", "gptbot"],
  ])("finds the AI crawler in %s", (ua, token) => {
    expect(aiCrawlerToken(ua)).toBe(token);
  });

  it("does not take a browser or Googlebot for an AI crawler", () => {
    expect(aiCrawlerToken("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBeNull();
    expect(aiCrawlerToken("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")).toBeNull();
  });

  it.each(["curl/8.5.0", "Wget/1.21.3", "python-requests/2.31.0", "Scrapy/2.11.1 (+https://scrapy.org)", "Go-http-client/1.1"])(
    "recognises the scripted client %s",
    (ua) => {
      expect(scriptedClientToken(ua)).not.toBeNull();
    },
  );
});

describe("one definition of a declared bot", () => {
  const declared = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15 (Applebot/0.1)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 (contact https://example.com/scraper)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 LinkPreview",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  ];
  const browsers = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  ];
  it("is shared by the edge, the browser-claim parser and the model's ua_browser feature", () => {
    for (const ua of declared) {
      expect(declaresBot(ua), ua).toBe(true);
      expect(browserClaim(ua).family, ua).toBe("other");
      expect(isBrowserUserAgent(ua), ua).toBe(false);
    }
    for (const ua of browsers) {
      expect(declaresBot(ua), ua).toBe(false);
      expect(browserClaim(ua).family, ua).not.toBe("other");
      expect(isBrowserUserAgent(ua), ua).toBe(true);
    }
  });
});
