/**
 * `npm run crawler:paid -- URL [options]`: a sample crawler that pays per crawl (HTTP 402, Web Bot Auth). It loads or
 * generates an Ed25519 key, serves its key directory on loopback, fetches URL signed, and on 402 pays the price asked.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../../dev/build";
import { SAMPLE_CRAWLER_DIRECTORY_PORT } from "../../dev/pay-demo";
import { parsePrice } from "../../core/pay-per-crawl";
import { loadOrCreateKey, serveKeyDirectory, type ServedDirectory } from "./crawler-key";
import { ERROR_HELP, paidCrawl, type Answer, type PaidCrawlResult } from "./paid-crawl";

const USAGE = `usage: npm run crawler:paid -- URL [options]

  --max-price "USD 0.05"  offer at most this (crawler-max-price); default: pay exactly the price asked (crawler-exact-price)
  --key FILE              Ed25519 private JWK; generated there if missing (default .state/sample-crawler/key.json)
  --directory-port N      serve the key directory on http://127.0.0.1:N (default ${SAMPLE_CRAWLER_DIRECTORY_PORT}, what npm run dev trusts)
  --agent URL             send this Signature-Agent and serve nothing (your directory is published there, e.g. https://crawler.example)
  --user-agent UA         default "edge-guard-sample-crawler/1.0"
  --header "Name: value"  an extra request header (repeatable), e.g. "CF-Connecting-IP: 198.51.100.7" on the dev stack
  --output FILE           write the page there instead of to stdout
  --json                  print one JSON line (the exchange) instead of the page
  --duplicates N          send the paid request N times at once with one signature (a retry storm): charged once`;

function usage(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        "max-price": { type: "string" },
        key: { type: "string" },
        "directory-port": { type: "string" },
        agent: { type: "string" },
        "user-agent": { type: "string" },
        header: { type: "string", multiple: true },
        output: { type: "string" },
        json: { type: "boolean" },
        duplicates: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}
const [url, ...extra] = positionals;
if (url === undefined || extra.length > 0) usage("give exactly one URL");
if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) usage(`not an http(s) URL: ${url}`);
const maxPriceMicros = values["max-price"] === undefined ? null : parsePrice(values["max-price"]);
if (maxPriceMicros === 0 || (values["max-price"] !== undefined && maxPriceMicros === null))
  usage(`--max-price "${values["max-price"]}" is not a price such as "USD 0.05" (US dollars, up to 6 decimals, above 0)`);
const port = Number(values["directory-port"] ?? SAMPLE_CRAWLER_DIRECTORY_PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--directory-port ${values["directory-port"]} is not a TCP port`);
const duplicates = Number(values.duplicates ?? "1");
if (!Number.isInteger(duplicates) || duplicates < 1 || duplicates > 100) usage("--duplicates is a whole number from 1 to 100");
const headers: Record<string, string> = {};
for (const line of values.header ?? []) {
  const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
  if (match === null) usage(`--header "${line}" is not "Name: value"`);
  headers[(match[1] ?? "").toLowerCase()] = match[2] ?? "";
}

const keyFile = values.key ?? join(process.env.EDGE_GUARD_STATE_DIR ?? join(ROOT, ".state"), "sample-crawler", "key.json");
const say = (line: string) => console.error(line);
let directory: ServedDirectory | null = null;
let result: PaidCrawlResult;
try {
  const { key, created } = await loadOrCreateKey(keyFile);
  say(`${created ? "created" : "loaded"} key ${keyFile} (keyid ${key.thumbprint})`);
  if (values.agent === undefined) {
    try {
      directory = await serveKeyDirectory(key, port);
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
      throw new Error(inUse ? `port ${port} is in use (another crawler running?): choose one with --directory-port` : String(error));
    }
    say(`key directory: ${directory.origin}/.well-known/http-message-signatures-directory`);
  }
  const agent = values.agent ?? directory?.origin ?? "";
  result = await paidCrawl({
    url,
    key,
    agent,
    maxPriceMicros,
    userAgent: values["user-agent"] ?? "edge-guard-sample-crawler/1.0",
    headers,
    duplicates,
  });
} catch (error) {
  const cause = (error as Error).cause;
  const why = cause instanceof Error ? `: ${cause.message}` : "";
  console.error(`crawler: ${(error as Error).message}${why}${why === "" ? "" : ` (is the site up at ${new URL(url).origin}?)`}`);
  await directory?.close();
  process.exit(3);
}
await directory?.close();

const describe = (a: Answer) =>
  [
    `HTTP ${a.status}`,
    a.price && `crawler-price: ${a.price}`,
    a.charged && `crawler-charged: ${a.charged}`,
    a.error && `crawler-error: ${a.error}`,
  ]
    .filter(Boolean)
    .join(", ");
say(`GET ${url} (signed): ${describe(result.first)}`);
if (result.offered !== null) {
  const last = result.paid[0];
  say(`retry signed with ${result.offered.header}: ${result.offered.value}${duplicates > 1 ? ` (×${duplicates}, one signature)` : ""}`);
  if (last !== undefined) say(`  → ${describe(last)}`);
}
const error = [result.first, ...result.paid].find((a) => a.error !== null)?.error ?? null;
if (result.outcome === "over-max-price") say(`not paying: the price ${result.first.price} is above --max-price ${values["max-price"]}`);
else if (result.outcome === "refused")
  say(`refused${error === null ? "" : `: ${error} (${ERROR_HELP[error] ?? "an error this crawler does not know"})`}`);
else say(result.outcome === "paid" ? `paid ${result.paid[0]?.charged ?? ""}` : "free: this page is not priced for this crawler");

if (values.json === true) console.log(JSON.stringify({ ...result, body: null, bodyChars: result.body?.length ?? 0 }));
else if (result.body !== null && values.output === undefined) process.stdout.write(result.body);
if (result.body !== null && values.output !== undefined) await writeFile(values.output, result.body);
process.exit(result.outcome === "paid" || result.outcome === "free" ? 0 : 1);
