import { describe, expect, it } from "vitest";
import { base64url, escapeHtml, escapeRegExp } from "../../core/text";

describe("text helpers", () => {
  it("escapes HTML content and attribute values", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;");
  });

  it("escapes a string to match itself in a regular expression", () => {
    const text = "a.b*c+d?(e)[f]{g}|h^$\\i/j";
    expect(new RegExp(`^${escapeRegExp(text)}$`).test(text)).toBe(true);
    expect(new RegExp(escapeRegExp("a.b")).test("axb")).toBe(false);
  });

  it("encodes unpadded base64url exactly as Node does, for every length mod 3", () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31 + 250) & 255);
      expect(base64url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
    }
  });
});
