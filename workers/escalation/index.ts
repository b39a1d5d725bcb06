import type { EscalationEnv } from "./env";
import { escalate } from "./escalate";
import { loadModel, modelStatus, useModelBytesForTests } from "./model";

/** Dev only (DEV_FAULTS "on", set by the dev stack's fault suite): `POST` `{"model": true}` makes the model unloadable, `false` restores it. */
const DEV_FAULTS_PATH = "/__dev/faults";
// Not an ONNX file: the next load fails exactly as a corrupt or mismatched model would.
const BROKEN_MODEL = Uint8Array.of(0x08, 0x07, 0x12, 0x00);

/** escalation: consumes edge-guard's decision reports (Queue), and answers `GET /healthz` with the model's status. */
export default {
  async queue(batch, env, ctx): Promise<void> {
    await escalate(batch, env, ctx);
  },
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    if (env.DEV_FAULTS === "on" && request.method === "POST" && url.pathname === DEV_FAULTS_PATH) {
      const body: unknown = await request.json().catch(() => null);
      const on = typeof body === "object" && body !== null && "model" in body ? body.model : undefined;
      if (typeof on !== "boolean") return Response.json({ error: "invalid_request" }, { status: 400 });
      useModelBytesForTests(on ? BROKEN_MODEL : null);
      return Response.json({ failing: on ? ["model"] : [] });
    }
    if (request.method !== "GET" || url.pathname !== "/healthz") return Response.json({ error: "not_found" }, { status: 404 });
    await loadModel(); // lazily, once per isolate: the first call pays ORT's start-up
    const model = modelStatus();
    return Response.json({ ok: model.state === "ready", model }, { status: model.state === "ready" ? 200 : 503 });
  },
} satisfies ExportedHandler<EscalationEnv>;
