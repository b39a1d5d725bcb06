import { describe, expect, it } from "vitest";
import { readFetchMetadata, trapEntry } from "../../core/fetch-metadata";

const entryOf = (headers: Record<string, string>) => trapEntry(readFetchMetadata((name) => headers[name] ?? null));

describe("trapEntry", () => {
  it("calls a subresource or a prefetch that another site's page made the browser send embedded", () => {
    for (const dest of ["image", "script", "style", "iframe", "frame", "empty", "font", "object", "embed", "audio", "video"]) {
      expect(entryOf({ "sec-fetch-site": "cross-site", "sec-fetch-dest": dest, "sec-fetch-mode": "no-cors" }), dest).toBe("embedded");
    }
    expect(entryOf({ "sec-fetch-site": "same-site", "sec-fetch-dest": "image" })).toBe("embedded");
    expect(entryOf({ "sec-fetch-site": "cross-site", "sec-fetch-dest": "empty", "sec-purpose": "prefetch" })).toBe("embedded");
    expect(entryOf({ "sec-fetch-site": "same-origin", "sec-fetch-dest": "document", "sec-purpose": "prefetch;prerender" })).toBe(
      "embedded",
    );
    expect(entryOf({ purpose: "prefetch" })).toBe("embedded");
    // A foreign request without a readable destination is not given the labyrinth either.
    expect(entryOf({ "sec-fetch-site": "cross-site" })).toBe("embedded");
  });

  it("tells a navigation from another site from a request the client made itself", () => {
    expect(entryOf({ "sec-fetch-site": "cross-site", "sec-fetch-dest": "document", "sec-fetch-mode": "navigate" })).toBe(
      "foreign-navigation",
    );
    expect(entryOf({ "sec-fetch-site": "same-site", "sec-fetch-dest": "document" })).toBe("foreign-navigation");
    expect(entryOf({ "sec-fetch-site": "same-origin", "sec-fetch-dest": "document" })).toBe("direct");
    expect(entryOf({ "sec-fetch-site": "same-origin", "sec-fetch-dest": "image" })).toBe("direct");
    expect(entryOf({ "sec-fetch-site": "none", "sec-fetch-dest": "document" })).toBe("direct");
    expect(entryOf({})).toBe("direct"); // curl, scrapers, old browsers
    expect(entryOf({ "Sec-Fetch-Site": "cross-site" })).toBe("direct"); // header lookups are by lower-case name
  });

  it("reads duplicated, oversized or unknown values as absent: no way out of the trap's consequences", () => {
    const huge = `cross-site${" ".repeat(10_000)}`;
    expect(entryOf({ "sec-fetch-site": huge, "sec-fetch-dest": "image" })).toBe("direct");
    expect(entryOf({ "sec-fetch-site": "cross-site, cross-site", "sec-fetch-dest": "image" })).toBe("direct");
    expect(entryOf({ "sec-fetch-site": "same-origin, cross-site", "sec-fetch-dest": "image" })).toBe("direct");
    expect(entryOf({ "sec-fetch-site": "CROSS-SITE", "sec-fetch-dest": "Document" })).toBe("foreign-navigation");
    expect(entryOf({ "sec-purpose": "prefetch, prefetch" })).toBe("direct");
    expect(entryOf({ "sec-purpose": `prefetch;${"x".repeat(100)}` })).toBe("direct");
    expect(entryOf({ purpose: "prefetch, prefetch" })).toBe("direct");
    expect(entryOf({ "sec-fetch-site": "cross-site", "sec-fetch-dest": "document, document" })).toBe("embedded");
    expect(readFetchMetadata(() => "\u0000".repeat(1 << 16))).toEqual({ site: null, dest: null, prefetch: false });
  });
});
