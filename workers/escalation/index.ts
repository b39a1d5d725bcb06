import type { EscalationEnv } from "./env";
import { escalate } from "./escalate";
import { ModelLoader } from "./model";
import { createEscalationState, type EscalationState } from "./state";

/** Dev only (DEV_FAULTS "on", set by the dev stack's fault suite): `POST` `{"model": true}` makes the model unloadable, `false` restores it. */
const DEV_FAULTS_PATH = "/__dev/faults";
// Not an ONNX file: the next load fails exactly as a corrupt or mismatched model would.
const BROKEN_MODEL = Uint8Array.of(0x08, 0x07, 0x12, 0x00);

/**
 * escalation's handlers over one state: they consume edge-guard's decision reports (Queue) and answer
 * `GET /healthz` with the model's status. The deployed Worker builds its state on first use (once per isolate); a
 * test passes its own.
 */
export function escalationWorker(given?: EscalationState): Required<Pick<ExportedHandler<EscalationEnv>, "queue" | "fetch">> {
  let state = given ?? null;
  const current = (): EscalationState => (state ??= createEscalationState());
  return {
    async queue(batch, env, ctx): Promise<void> {
      await escalate(current(), batch, env, ctx);
    },
    async fetch(request, env): Promise<Response> {
      const url = new URL(request.url);
      if (env.DEV_FAULTS === "on" && request.method === "POST" && url.pathname === DEV_FAULTS_PATH) {
        const body: unknown = await request.json().catch(() => null);
        const on = typeof body === "object" && body !== null && "model" in body ? body.model : undefined;
        if (typeof on !== "boolean") return Response.json({ error: "invalid_request" }, { status: 400 });
        current().model = on ? new ModelLoader(() => BROKEN_MODEL) : new ModelLoader();
        return Response.json({ failing: on ? ["model"] : [] });
      }
      if (request.method !== "GET" || url.pathname !== "/healthz") return Response.json({ error: "not_found" }, { status: 404 });
      const loader = current().model;
      await loader.load(); // lazily, once per isolate: the first call pays ORT's start-up
      const model = loader.status();
      return Response.json({ ok: model.state === "ready", model }, { status: model.state === "ready" ? 200 : 503 });
    },
  };
}

export default escalationWorker();
