// A Worker for `npm run bench:escalation` only (built from bench/wrangler.toml, never deployed): it runs
// escalation's scoring code in workerd on request, and feeds the reports Queue.
import type { HistoryEntry } from "../../../core/client-history";
import { extractFeatures } from "../../../core/features";
import type { DecisionReport } from "../../../core/report";
import { ModelLoader, scoreRows } from "../model";

/** The model, loaded once per isolate of this bench Worker. */
const loader = new ModelLoader();

interface HarnessEnv {
  readonly REPORTS: Queue<DecisionReport>;
}

interface Sample {
  readonly report: DecisionReport;
  readonly history: HistoryEntry[];
}

let samples: Sample[] = [];

/** `GET /load`, `POST /samples`, `POST /score?n=&batch=&mode=full|features`, `POST /enqueue` (JSON reports). */
export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/load") {
      const model = await loader.load();
      return Response.json({ ok: model !== null, version: model?.version ?? null });
    }
    if (url.pathname === "/samples") {
      samples = await request.json<Sample[]>();
      return Response.json({ samples: samples.length });
    }
    if (url.pathname === "/score")
      return score(
        Number(url.searchParams.get("n") ?? "0"),
        Number(url.searchParams.get("batch") ?? "1"),
        url.searchParams.get("mode") ?? "full",
      );
    if (url.pathname === "/enqueue") {
      const reports = await request.json<DecisionReport[]>();
      for (let i = 0; i < reports.length; i += 100) await env.REPORTS.sendBatch(reports.slice(i, i + 100).map((body) => ({ body })));
      return Response.json({ sent: reports.length });
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<HarnessEnv>;

// Scores `n` events, `batch` per model call, cycling through the samples; the caller times the request.
async function score(n: number, batch: number, mode: string): Promise<Response> {
  const model = await loader.load();
  if (model === null || samples.length === 0) return Response.json({ error: "no model or no samples" }, { status: 500 });
  let sink = 0;
  for (let i = 0; i < n; i += batch) {
    const rows: number[][] = [];
    for (let j = 0; j < batch; j++) {
      const sample = samples[(i + j) % samples.length];
      if (sample !== undefined) rows.push(extractFeatures(sample.report, sample.history, model.pathModel));
    }
    if (mode === "features") sink += rows[0]?.[0] ?? 0;
    else sink += (await scoreRows(model, rows))?.[0] ?? 0;
  }
  return Response.json({ n, sink });
}
