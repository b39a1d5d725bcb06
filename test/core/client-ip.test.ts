import { describe, expect, it } from "vitest";
import { parseIp } from "../../core/client-ip";

describe("parseIp", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    [" 10.0.0.255 ", "10.0.0.255"],
    ["2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["::1", "0000:0000:0000:0000:0000:0000:0000:0001"],
    ["::", "0000:0000:0000:0000:0000:0000:0000:0000"],
    ["::ffff:192.0.2.1", "0000:0000:0000:0000:0000:ffff:c000:0201"],
    ["2001:db8:1:2:3:4:5:6", "2001:0db8:0001:0002:0003:0004:0005:0006"],
  ])("canonicalises %s", (input, expected) => {
    expect(parseIp(input)).toBe(expected);
  });

  it.each([
    "",
    "256.1.1.1",
    "1.2.3",
    "01.2.3.4",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "2001:db8::g",
    "hello",
    "1:2:3:4:5:6:7::8:9",
    "::ffff:999.1.1.1",
  ])("rejects %j", (input) => {
    expect(parseIp(input)).toBeNull();
  });

  it("gives the same key for two spellings of one IPv6 address", () => {
    expect(parseIp("2001:db8:0:0::1")).toBe(parseIp("2001:0db8::0001"));
  });
});
