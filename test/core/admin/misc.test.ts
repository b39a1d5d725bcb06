import { describe, expect, it } from "vitest";
import { ALLOW_KEY_PREFIX, allowKey, parseAllowEntry, targetOfAllowKey } from "../../../core/admin/allowlist";
import { parseTarget } from "../../../core/admin/block-target";
import {
  LOGIN_ACCOUNT_MAX_DELAY_MS,
  LOGIN_ACCOUNT_SLOW_AFTER,
  LOGIN_MAX_FAILURES_PER_IP,
  LOGIN_MAX_FAILURES_PER_USER,
  LOGIN_WINDOW_MS,
  loginAllowed,
} from "../../../core/admin/login-throttle";
import { formatMetrics } from "../../../core/admin/metrics-text";
import { PBKDF2_ITERATIONS, bytesEqual, formatPasswordHash, parsePasswordHash } from "../../../core/admin/password-hash";
import { roleAtLeast } from "../../../core/admin/roles";

describe("roles", () => {
  it("orders viewer < operator < admin", () => {
    expect(roleAtLeast("admin", "operator")).toBe(true);
    expect(roleAtLeast("operator", "operator")).toBe(true);
    expect(roleAtLeast("viewer", "operator")).toBe(false);
  });
});

describe("password hash format", () => {
  it("round-trips and refuses other schemes and over-large iteration counts", () => {
    const h = { iterations: PBKDF2_ITERATIONS, salt: new Uint8Array(16).fill(1), hash: new Uint8Array(32).fill(2) };
    const text = formatPasswordHash(h);
    expect(text).toMatch(/^pbkdf2-sha256\$100000\$(01){16}\$(02){32}$/);
    expect(parsePasswordHash(text)).toEqual({ ok: true, value: h });
    expect(parsePasswordHash("bcrypt$x").ok).toBe(false);
    expect(parsePasswordHash(text.replace("100000", "200000")).ok).toBe(false);
    expect(bytesEqual(h.salt, h.salt)).toBe(true);
    expect(bytesEqual(h.salt, h.hash)).toBe(false);
  });
});

describe("login throttle", () => {
  it("refuses per address (alone and with the account), says when to retry, and only delays per account", () => {
    const now = 10 * LOGIN_WINDOW_MS;
    const none = { pair: 0, ip: 0, account: 0, oldestAt: null };
    expect(loginAllowed({ ...none, pair: LOGIN_MAX_FAILURES_PER_USER - 2 }, now)).toEqual({ allowed: true, delayMs: 0, last: false });
    expect(loginAllowed({ ...none, pair: LOGIN_MAX_FAILURES_PER_USER - 1 }, now)).toEqual({ allowed: true, delayMs: 0, last: true });
    expect(loginAllowed({ ...none, pair: LOGIN_MAX_FAILURES_PER_USER, oldestAt: now - 60_000 }, now)).toEqual({
      allowed: false,
      retryAfterSeconds: LOGIN_WINDOW_MS / 1000 - 60,
    });
    expect(loginAllowed({ ...none, ip: LOGIN_MAX_FAILURES_PER_IP, oldestAt: now }, now).allowed).toBe(false);
    // However many failures the account has from elsewhere: allowed, only later.
    const slow = loginAllowed({ ...none, account: 10_000 }, now);
    expect(slow).toEqual({ allowed: true, delayMs: LOGIN_ACCOUNT_MAX_DELAY_MS, last: false });
    expect(loginAllowed({ ...none, account: LOGIN_ACCOUNT_SLOW_AFTER }, now)).toMatchObject({ allowed: true, delayMs: expect.any(Number) });
    expect(loginAllowed({ ...none, account: LOGIN_ACCOUNT_SLOW_AFTER - 1 }, now)).toMatchObject({ delayMs: 0 });
  });
});

describe("allow-list keys", () => {
  it("names IPs and CIDRs canonically and reads them back", () => {
    const t = parseTarget("2a01:4f8::/32");
    if (!t.ok || t.value.kind === "asn") throw new Error("bad target");
    expect(allowKey(t.value)).toBe(`${ALLOW_KEY_PREFIX}2a01:04f8:0000:0000:0000:0000:0000:0000/32`);
    expect(targetOfAllowKey(allowKey(t.value))).toEqual(t.value);
    expect(targetOfAllowKey("ip:45.1.2.3")).toBeNull();
    expect(parseAllowEntry(JSON.stringify({ reason: "office", source: "operator", by: "user:a", at: 1 }))).toMatchObject({
      reason: "office",
    });
    expect(parseAllowEntry("nope")).toBeNull();
  });
});

describe("Prometheus text", () => {
  it("writes HELP, TYPE, escaped labels, and a comment for a family without a source", () => {
    const text = formatMetrics([
      { name: "x_total", help: "X.", type: "counter", samples: [{ labels: { reason: 'a"b\\c\nd' }, value: 3 }] },
      { name: "y", help: "Y.", type: "gauge", samples: [], missing: "not stored" },
    ]);
    expect(text).toBe(
      '# HELP x_total X.\n# TYPE x_total counter\nx_total{reason="a\\"b\\\\c\\nd"} 3\n# HELP y Y.\n# TYPE y gauge\n# y: no data (not stored)\n',
    );
  });
});
