import { describe, expect, it } from "vitest";
import { aiCrawlerToken, scriptedClientToken } from "../../core/crawlers";

describe("User-Agent tokens", () => {
  it.each([
    ["Mozilla/5.0 (compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "ClaudeBot"],
    ["CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot"],
    ["Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", "Bytespider"],
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
