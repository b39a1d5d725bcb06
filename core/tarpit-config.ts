import { z } from "zod";
import { fail, ok, type Result } from "./result";

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * The tarpit's vars (workers/tarpit/wrangler.toml), all strings there. Defaults are the production values:
 * a page trickles out in STREAM_CHUNK_BYTES pieces every STREAM_DELAY_MS, for at most STREAM_MAX_SECONDS.
 */
export const TarpitVarsSchema = z.object({
  STREAM_CHUNK_BYTES: int(16, 1 << 20, 512),
  /** 0 turns slow streaming off (the page is sent at once). */
  STREAM_DELAY_MS: int(0, 60_000, 2000),
  STREAM_MAX_SECONDS: int(1, 600, 30),
  /** Slow streams one client may hold open at once; more requests get the page at full speed. */
  STREAM_MAX_PER_CLIENT: int(0, 100, 2),
  /** Hops within HOP_WINDOW_SECONDS a client may make; the next one blocks it. */
  HOP_LIMIT: int(1, 1_000_000, 25),
  HOP_WINDOW_SECONDS: int(10, 86_400, 600),
  /** Blocklist entry lifetime; KV's minimum expirationTtl is 60 s. */
  BLOCK_TTL_SECONDS: int(60, 365 * 86_400, 3600),
  /** "prefix" blocks the client's /24 (IPv4) or /64 (IPv6) too. */
  BLOCK_PREFIX: z.enum(["none", "prefix"]).default("none"),
  /** "on": pages link to large fake JS bundles and archives, generated and streamed slowly. */
  FAKE_ASSETS: z.enum(["on", "off"]).default("on"),
  FAKE_ASSET_MAX_BYTES: int(16_384, 1 << 30, 8 << 20),
});
export type TarpitVars = z.infer<typeof TarpitVarsSchema>;

/** How a response body is paced. */
export interface StreamConfig {
  readonly chunkBytes: number;
  readonly delayMs: number;
  readonly maxMs: number;
}

/** When a client has hopped too far, and what is blocked then. */
export interface HopPolicy {
  readonly limit: number;
  readonly windowMs: number;
  readonly blockTtlSeconds: number;
  readonly blockPrefix: "none" | "prefix";
}

/** The tarpit's settings, validated and in the units the code uses. */
export interface TarpitConfig {
  readonly stream: StreamConfig;
  readonly maxStreamsPerClient: number;
  readonly hops: HopPolicy;
  readonly fakeAssets: boolean;
  readonly fakeAssetMaxBytes: number;
}

/** Validates the vars; empty strings count as unset. The error names each bad var, for the operator. */
export function parseTarpitConfig(vars: Readonly<Record<string, unknown>>): Result<TarpitConfig, string> {
  const present = Object.fromEntries(Object.entries(vars).filter(([, value]) => value !== "" && value !== undefined));
  const parsed = TarpitVarsSchema.safeParse(present);
  if (!parsed.success) return fail(z.prettifyError(parsed.error));
  const v = parsed.data;
  return ok({
    stream: { chunkBytes: v.STREAM_CHUNK_BYTES, delayMs: v.STREAM_DELAY_MS, maxMs: v.STREAM_MAX_SECONDS * 1000 },
    maxStreamsPerClient: v.STREAM_MAX_PER_CLIENT,
    hops: { limit: v.HOP_LIMIT, windowMs: v.HOP_WINDOW_SECONDS * 1000, blockTtlSeconds: v.BLOCK_TTL_SECONDS, blockPrefix: v.BLOCK_PREFIX },
    fakeAssets: v.FAKE_ASSETS === "on",
    fakeAssetMaxBytes: v.FAKE_ASSET_MAX_BYTES,
  });
}
