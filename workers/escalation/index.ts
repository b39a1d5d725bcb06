import type { EscalationEnv } from "./env";
import { escalate } from "./escalate";
import { loadModel, modelStatus } from "./model";

/** escalation: consumes edge-guard's decision reports (Queue), and answers `GET /healthz` with the model's status. */
export default {
  async queue(batch, env, ctx): Promise<void> {
    await escalate(batch, env, ctx);
  },
  async fetch(request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "GET" || url.pathname !== "/healthz") return Response.json({ error: "not_found" }, { status: 404 });
    await loadModel(); // lazily, once per isolate: the first call pays ORT's start-up
    const model = modelStatus();
    return Response.json({ ok: model.state === "ready", model }, { status: model.state === "ready" ? 200 : 503 });
  },
} satisfies ExportedHandler<EscalationEnv>;
