import { createHmac } from "node:crypto";
import type { Page } from "playwright-core";
import { base32Decode, totpCode } from "../../core/admin/totp";
import { STUCK_SESSION_MS } from "../../dev/postgres";

/** The one-time code an authenticator app shows now for a base32 TOTP secret. */
export function totpNow(secret: string): Promise<string> {
  const key = base32Decode(secret);
  if (key === null) throw new Error("the TOTP secret is not base32");
  return totpCode(async (k, message) => new Uint8Array(createHmac("sha1", k).update(message).digest()), key, Date.now());
}

/** Signs in on admin's login form with password and one-time code, and waits for the dashboard. */
export async function signIn(page: Page, adminUrl: string, user: { name: string; password: string; totpSecret: string }): Promise<void> {
  await page.goto(`${adminUrl}/login`);
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Password").fill(user.password);
  await page.getByLabel("One-time code").fill(await totpNow(user.totpSecret));
  await page.getByRole("button", { name: /sign in/i }).click();
  // The dev stack's Postgres serves one session at a time (dev/serial-ws-proxy.ts): a session some Worker left open is
  // closed after STUCK_SESSION_MS of silence, and a sign-in behind it waits that long. Past it, not Playwright's 30 s.
  await page.waitForURL((url) => url.pathname === "/", { timeout: 2 * STUCK_SESSION_MS });
}
