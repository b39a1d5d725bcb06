import { WorkerEntrypoint } from "cloudflare:workers";
import { renderLabyrinthPage } from "../../core/labyrinth";
import { chainFor, tarpitStats, type TarpitStats } from "./chain-source";
import type { TarpitEnv } from "./env";

/**
 * The Markov labyrinth. edge-guard forwards a trapped request over a service binding; every path answers 200
 * with a plausible article (the same bytes for the same path) whose links lead deeper into the maze.
 * If Postgres is unreachable it writes from a bundled chain: a tarpit that answers 500 would tip the scraper off.
 */
export default class Tarpit extends WorkerEntrypoint<TarpitEnv> {
  override async fetch(request: Request): Promise<Response> {
    const { chain } = await chainFor(this.env, Date.now());
    const html = renderLabyrinthPage(chain, new URL(request.url).pathname, { secret: this.env.LABYRINTH_SECRET });
    return new Response(request.method === "HEAD" ? null : html, {
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8", "x-robots-tag": "noindex, nofollow" },
    });
  }

  /** Where this isolate's chain came from, and how often Postgres failed it. */
  async stats(): Promise<TarpitStats> {
    return tarpitStats();
  }
}
