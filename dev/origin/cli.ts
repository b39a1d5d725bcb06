// Serves the demo origin on its own: npx tsx dev/origin/cli.ts --port 8790 [--host 127.0.0.1] [--public-url http://127.0.0.1:8787]
import { parseArgs } from "node:util";
import { startOrigin } from "./server";

const { values } = parseArgs({
  options: { port: { type: "string", default: "8790" }, host: { type: "string" }, "public-url": { type: "string" } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be 0-65535, got ${values.port}`);

const started = performance.now();
const origin = await startOrigin({
  port,
  ...(values.host === undefined ? {} : { host: values.host }),
  ...(values["public-url"] === undefined ? {} : { publicUrl: values["public-url"] }),
});
console.log(`demo origin listening on ${origin.url} (built in ${Math.round(performance.now() - started)} ms)`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void origin.close().then(() => process.exit(0));
  });
}
