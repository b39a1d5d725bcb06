import type { BlocklistSource } from "../core/blocklist-entry";

/**
 * What every value written to the BLOCKLIST namespace carries as KV metadata, so a listing (admin's pages, an
 * audit, an operator with `wrangler kv key list`) sees who wrote it, why, when, and until when, without reading
 * the values. A small value (an entry, a fault total) also rides along whole, so a listing needs no reads.
 */
export interface KvMetadata {
  readonly source: BlocklistSource | "edge-guard" | "admin" | "fleet-ledger" | "range-index";
  readonly reason: string;
  /** Epoch ms when written. */
  readonly at: number;
  /** Epoch ms when KV drops the key; null: never. */
  readonly expiresAt: number | null;
  /** The value itself, when the metadata still fits KV's 1024 bytes with it: a listing needs no read. */
  readonly value?: string;
}

/** KV's metadata limit: 1024 bytes of serialised JSON. */
const MAX_METADATA_BYTES = 1024;
const encoder = new TextEncoder();
/** KV's minimum expirationTtl. */
export const KV_MIN_TTL_SECONDS = 60;

/** How long a value lives: seconds until KV drops it, or null for never. */
export interface KvWriteOptions {
  readonly ttlSeconds: number | null;
  /** Epoch ms of the write (from the caller's clock, so tests and audit rows agree). */
  readonly now: number;
}

/**
 * The one way Workers and Durable Objects write the BLOCKLIST namespace. `putEntry` is for blocklist and label
 * entries (`source`/`reason` come from the entry); `putDocument` for single documents (policy, snapshots, data).
 */
export class KvWriter {
  constructor(
    readonly ns: KVNamespace,
    readonly writer: KvMetadata["source"],
  ) {}

  /** Writes an entry whose value names its own source and reason (a BlocklistEntry, an AllowEntry). */
  async putEntry(
    key: string,
    entry: { readonly source: KvMetadata["source"]; readonly reason: string; readonly at?: number },
    options: KvWriteOptions,
  ): Promise<void> {
    const text = JSON.stringify(entry);
    await this.#put(
      key,
      text,
      withValue({ source: entry.source, reason: entry.reason, at: entry.at ?? options.now, expiresAt: expiryOf(options) }, text),
      options,
    );
  }

  /** Writes a document (JSON or text) under this writer's name; `reason` says what it is. */
  async putDocument(key: string, value: string, reason: string, options: KvWriteOptions): Promise<void> {
    await this.#put(
      key,
      value,
      withValue({ source: this.writer, reason: reason.slice(0, 200), at: options.now, expiresAt: expiryOf(options) }, value),
      options,
    );
  }

  async #put(key: string, value: string, metadata: KvMetadata, options: KvWriteOptions): Promise<void> {
    const ttl = options.ttlSeconds === null ? {} : { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(options.ttlSeconds)) };
    await this.ns.put(key, value, { ...ttl, metadata });
  }
}

/** The metadata with the value itself added when the whole still fits KV's limit. */
function withValue(metadata: KvMetadata, value: string): KvMetadata {
  const full = { ...metadata, value };
  return encoder.encode(JSON.stringify(full)).length <= MAX_METADATA_BYTES ? full : metadata;
}

function expiryOf(options: KvWriteOptions): number | null {
  return options.ttlSeconds === null ? null : options.now + options.ttlSeconds * 1000;
}

/** The value a listed key carries in its metadata: this adapter's `value`, or an older writer's whole-string metadata. */
export function valueFromMetadata(metadata: unknown): string | null {
  if (typeof metadata === "string") return metadata;
  if (metadata !== null && typeof metadata === "object" && "value" in metadata && typeof metadata.value === "string") return metadata.value;
  return null;
}
