import { z } from "zod";
import type { AdminEnv } from "./env";

const list = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

const VarsSchema = z.object({
  SESSION_SECRET: z.string().min(32, "SESSION_SECRET must be at least 32 characters").optional(),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  ACCESS_TEAM_DOMAIN: z
    .string()
    .regex(/^$|^[a-z0-9-]+\.cloudflareaccess\.com$/, "ACCESS_TEAM_DOMAIN is <team>.cloudflareaccess.com")
    .default(""),
  ACCESS_AUD: z.string().default(""),
  ACCESS_ROLES: z.string().default(""),
  CORS_ORIGINS: z.string().default(""),
  METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  DEV_MODE: z.enum(["on", "off", ""]).default("off"),
  ADMIN_DEV_TOKEN: z.string().min(16, "ADMIN_DEV_TOKEN must be at least 16 characters").optional(),
  ADMIN_DEV_USER: z.string().optional(),
  API_TOKEN_MAX_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
});

/** A Cloudflare Access application to trust. */
export interface AccessConfig {
  readonly teamDomain: string;
  readonly issuer: string;
  readonly audience: string;
  readonly certsUrl: string;
  /** Email (lower-case) or `*@domain` → role, from ACCESS_ROLES. */
  readonly roles: ReadonlyMap<string, string>;
}

/** admin's parsed settings. */
export interface AdminConfig {
  readonly sessionSecret: string | null;
  readonly sessionTtlSeconds: number;
  readonly access: AccessConfig | null;
  readonly corsOrigins: readonly string[];
  readonly metricsToken: string | null;
  readonly devMode: boolean;
  /** Only set when DEV_MODE is on. */
  readonly devToken: string | null;
  readonly devUser: { readonly name: string; readonly password: string; readonly totpSecret: string } | null;
  /** API tokens live at most this many days (API_TOKEN_MAX_DAYS). */
  readonly tokenMaxDays: number;
}

/** Parses the vars once per env object (kept in `cache`, AdminState's); throws on a bad deploy (answered 500 and logged). */
export function adminConfig(env: AdminEnv, cache: WeakMap<object, AdminConfig>): AdminConfig {
  const cached = cache.get(env);
  if (cached !== undefined) return cached;
  const parsed = VarsSchema.safeParse({
    ...env,
    SESSION_SECRET: env.SESSION_SECRET || undefined,
    METRICS_TOKEN: env.METRICS_TOKEN || undefined,
    ADMIN_DEV_TOKEN: env.ADMIN_DEV_TOKEN || undefined,
    API_TOKEN_MAX_DAYS: env.API_TOKEN_MAX_DAYS || undefined,
  });
  if (!parsed.success) throw new Error(`admin vars are invalid:\n${z.prettifyError(parsed.error)}`);
  const v = parsed.data;
  const devMode = v.DEV_MODE === "on";
  const access = v.ACCESS_TEAM_DOMAIN !== "" && v.ACCESS_AUD !== "";
  const [devName, devPassword, devTotp] = (v.ADMIN_DEV_USER ?? "").split(":");
  const config: AdminConfig = {
    sessionSecret: v.SESSION_SECRET ?? null,
    sessionTtlSeconds: v.SESSION_TTL_SECONDS,
    access: access
      ? {
          teamDomain: v.ACCESS_TEAM_DOMAIN,
          issuer: `https://${v.ACCESS_TEAM_DOMAIN}`,
          audience: v.ACCESS_AUD,
          certsUrl: `https://${v.ACCESS_TEAM_DOMAIN}/cdn-cgi/access/certs`,
          roles: new Map(
            list(v.ACCESS_ROLES).map((pair) => {
              const [who = "", role = ""] = pair.split("=");
              return [who.trim().toLowerCase(), role.trim()] as const;
            }),
          ),
        }
      : null,
    corsOrigins: list(v.CORS_ORIGINS),
    metricsToken: v.METRICS_TOKEN ?? null,
    devMode,
    devToken: devMode ? (v.ADMIN_DEV_TOKEN ?? null) : null,
    tokenMaxDays: v.API_TOKEN_MAX_DAYS,
    devUser: devMode && devName && devPassword && devTotp ? { name: devName, password: devPassword, totpSecret: devTotp } : null,
  };
  cache.set(env, config);
  return config;
}
