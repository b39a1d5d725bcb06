import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HONEYPOT_HOUR_MS, honeypotPath, matchHoneypotPath, parseHoneypotPath, type HoneypotMac } from "../../core/honeypot-token";

const CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const macUnder =
  (key: string): HoneypotMac =>
  async (message) =>
    createHmac("sha256", key).update(message).digest("hex");
const mac = macUnder("k".repeat(32));
const T = 1_790_000_000_000;
const NET = "203.0.113.0/24";

describe("honeypot tokens", () => {
  it("are recognised as the client's own from the same network and browser, this hour and the next", async () => {
    const path = await honeypotPath(mac, NET, CHROME, T);
    expect(path).toMatch(/^\/archive\/[0-9a-f]{20}\/index\.html$/);
    expect(await matchHoneypotPath(mac, path, NET, CHROME, T)).toBe("own");
    expect(await matchHoneypotPath(mac, path, NET, CHROME, T + HONEYPOT_HOUR_MS)).toBe("own");
    expect(await matchHoneypotPath(mac, path, NET, CHROME, T + 2 * HONEYPOT_HOUR_MS)).toBe("none");
    expect(await matchHoneypotPath(mac, path, NET, CHROME, T - 2 * HONEYPOT_HOUR_MS)).toBe("none");
  });

  it("tell the same browser on another network (a fleet passing links around) from everyone else", async () => {
    const path = await honeypotPath(mac, NET, CHROME, T);
    expect(await matchHoneypotPath(mac, path, "198.51.100.0/24", CHROME, T)).toBe("foreign");
    expect(await matchHoneypotPath(mac, path, "2001:0db8:0000:0001:0000:0000:0000:0000/64", CHROME, T)).toBe("foreign");
    expect(await matchHoneypotPath(mac, path, NET, FIREFOX, T)).toBe("none");
    expect(await matchHoneypotPath(mac, path, "198.51.100.0/24", FIREFOX, T)).toBe("none");
  });

  it("do not verify under another secret, nor when forged or altered", async () => {
    const path = await honeypotPath(mac, NET, CHROME, T);
    expect(await matchHoneypotPath(macUnder("x".repeat(32)), path, NET, CHROME, T)).toBe("none");
    const token = parseHoneypotPath(path);
    expect(token).not.toBeNull();
    const flip = (hex: string) => (hex.startsWith("0") ? `1${hex.slice(1)}` : `0${hex.slice(1)}`);
    expect(await matchHoneypotPath(mac, `/archive/${token?.ua}${flip(token?.own ?? "")}/index.html`, NET, CHROME, T)).toBe("foreign");
    expect(await matchHoneypotPath(mac, `/archive/${flip(token?.ua ?? "")}${token?.own}/index.html`, NET, CHROME, T)).toBe("none");
    expect(await matchHoneypotPath(mac, "/archive/00000000000000000000/index.html", NET, CHROME, T)).toBe("none");
  });

  it("cost no MAC for paths without a token: maze pages, guesses and garbage", async () => {
    let calls = 0;
    const counting: HoneypotMac = (m) => (calls++, mac(m));
    const path = await honeypotPath(mac, NET, CHROME, T);
    for (const other of [
      "/archive/abc123/index.html",
      "/archive/1a2b3c4d/harbour",
      `${path}/x`,
      path.toUpperCase(),
      `/archive/${"a".repeat(5000)}/index.html`,
      "/",
    ]) {
      expect(await matchHoneypotPath(counting, other, NET, CHROME, T)).toBe("none");
    }
    expect(calls).toBe(0);
  });
});
