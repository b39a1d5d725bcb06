import { describe, expect, it } from "vitest";
import { targetText } from "../../../core/admin/block-target";
import { listEntry, MAX_LIST_LINES, parseBlocklistText } from "../../../core/peers/blocklist-text";
import { FeedEntrySchema } from "../../../core/peers/feed";

describe("parseBlocklistText", () => {
  it("reads IPs, CIDRs and AS numbers, skipping blank lines and #, ; and // comments, and reports bad lines by number", () => {
    const text = [
      "# FireHOL-style header",
      "",
      "8.8.4.4",
      "1.10.16.0/20 ; SBL256894",
      "2a01:4f8::/32  # a network",
      "5.6.7.8\t12",
      "; comment",
      "// another",
      "not an ip",
      "10.0.0.1/8",
      "AS16509",
    ].join("\r\n");
    const parsed = parseBlocklistText(text);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.lines.map((l) => [l.line, targetText(l.target)])).toEqual([
      [3, "8.8.4.4"],
      [4, "1.10.16.0/20"],
      [5, "2a01:04f8:0000:0000:0000:0000:0000:0000/32"],
      [6, "5.6.7.8"],
      [11, "AS16509"],
    ]);
    expect(parsed.value.bad.map((b) => [b.line, b.text])).toEqual([
      [9, "not an ip"],
      [10, "10.0.0.1/8"],
    ]);
    expect(parsed.value.bad[1]?.error).toMatch(/host bits/);
  });

  it("refuses a list over the line limit as a whole", () => {
    const parsed = parseBlocklistText("8.8.8.8\n".repeat(MAX_LIST_LINES));
    expect(parsed.ok).toBe(false);
  });

  it("turns a line into a feed entry that the feed schema accepts", () => {
    const parsed = parseBlocklistText("8.8.4.0/24");
    if (!parsed.ok || parsed.value.lines[0] === undefined) throw new Error("no line");
    const e = listEntry(parsed.value.lines[0], "list x", 0.9, 1_000, 3600);
    expect(e).toMatchObject({ scope: "cidr", value: "8.8.4.0/24", confidence: 0.9, expiresAt: 1_000 + 3_600_000 });
    expect(FeedEntrySchema.safeParse(e).success).toBe(true);
  });
});
