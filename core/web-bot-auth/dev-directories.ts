import { loopbackOrigin } from "./signature-input";

const NONE: ReadonlySet<string> = new Set();

/**
 * The loopback key-directory origins a dev stack may use (`WEB_BOT_AUTH_DEV_DIRECTORIES`, comma- or space-separated
 * `http://127.0.0.1:PORT` origins). Empty unless `devMode` (DEV_CLIENT_OVERRIDES = "on", set only by the dev stack):
 * in production, Signature-Agent must name a public https origin. Entries that are not loopback origins are ignored.
 */
export function devDirectoryOrigins(value: string | undefined, devMode: boolean): ReadonlySet<string> {
  if (!devMode || value === undefined || value.trim() === "") return NONE;
  const origins = value.split(/[\s,]+/).flatMap((entry) => loopbackOrigin(entry) ?? []);
  return origins.length === 0 ? NONE : new Set(origins);
}
