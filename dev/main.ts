import { join } from "node:path";
import { ROOT } from "./build";
import { startStack } from "./stack";
import { SAMPLE_CRAWLER_DIRECTORY_PORT, sampleCrawlerOrigin, seedDemoPolicy } from "./pay-demo";

/** `npm run dev`: the whole stack on loopback, state under .state/, until Ctrl-C. */
function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`${name}=${raw} is not a TCP port (1-65535)`);
    process.exit(2);
  }
  return value;
}

const started = performance.now();
const stateDir = process.env.EDGE_GUARD_STATE_DIR ?? join(ROOT, ".state");
// The sample paying crawler's key directory (npm run crawler:paid serves it there) is always a dev directory.
const crawlerPort = port("SAMPLE_CRAWLER_PORT", SAMPLE_CRAWLER_DIRECTORY_PORT);
const devDirectories = [sampleCrawlerOrigin(crawlerPort), process.env.WEB_BOT_AUTH_DEV_DIRECTORIES ?? ""].filter(Boolean).join(",");
const stack = await startStack({
  edgePort: port("EDGE_GUARD_PORT", 8787),
  adminPort: port("ADMIN_PORT", 8788),
  originPort: port("ORIGIN_PORT", 8790),
  stateDir,
  verbose: process.env.VERBOSE === "1",
  // Loopback Web Bot Auth key directories for a local signer (README, "Web Bot Auth"); dev only.
  vars: { "edge-guard": { WEB_BOT_AUTH_DEV_DIRECTORIES: devDirectories } },
});
// A first start prices the demo articles for the sample crawler; a policy an operator saved is kept.
const seeded = await seedDemoPolicy(stack.adminUrl, stack.secrets.ADMIN_DEV_TOKEN, undefined, sampleCrawlerOrigin(crawlerPort)).catch(
  (error: unknown) => {
    console.error(`could not set the demo pay-per-crawl policy: ${String(error)}`);
    return false;
  },
);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const portArg = crawlerPort === SAMPLE_CRAWLER_DIRECTORY_PORT ? "" : ` --directory-port ${crawlerPort}`;
console.log(`
edge-guard dev stack is up (${seconds} s). State: ${stateDir} (npm run reset clears it)

  protected site (edge-guard → demo origin)  ${stack.edgeUrl}
  admin dashboard and API                    ${stack.adminUrl}
  demo origin, unprotected                   ${stack.originUrl}
  embedded Postgres (neon driver proxy)      ws://${stack.neonLocalProxy}

Admin sign-in (dev only: DEV_MODE=on, never set in a deploy):
  user admin, password ${stack.secrets.ADMIN_DEV_PASSWORD}, TOTP secret ${stack.secrets.ADMIN_DEV_TOTP} (npm run totp prints the current code)
  API: curl -H "Authorization: Bearer ${stack.secrets.ADMIN_DEV_TOKEN}" ${stack.adminUrl}/api/decisions
  Prometheus: curl -H "Authorization: Bearer ${stack.secrets.METRICS_TOKEN}" ${stack.adminUrl}/metrics

Dev-only client simulation is on: send CF-Connecting-IP: <ip> and X-Dev-Cf: {"asn":…,"country":…}.
  curl ${stack.edgeUrl}/                                   # the demo home page
  curl -A GPTBot ${stack.edgeUrl}/                         # a tarpit page

Pay per crawl${seeded ? " (demo policy set: USD 0.01 a page on /articles/*, the origin prices /premium/*)" : " (the saved policy is in force)"}:
  npm run crawler:paid -- ${stack.edgeUrl}/articles/france${portArg}   # 402, then a signed, paid retry
  npm run crawler:paid -- ${stack.edgeUrl}/premium/france${portArg}    # in-band: the origin names the price
Built: ${stack.builds.map((b) => `${b.name} ${b.size}`).join("; ")}
Ctrl-C to stop.`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log("\nstopping…");
    void stack.stop().then(() => process.exit(0));
  });
}
