import { Hono } from "hono";
const app = new Hono().get("/:page{decisions|blocklists|policy|peers}", (c) => c.text("page " + c.req.param("page"))).get("/ui/:version/:file", (c) => c.text("asset " + c.req.param("file")));
for (const p of ["/ui/abc/blocklists.js", "/ui/abc/decisions.js", "/ui/abc/policy.js", "/blocklists", "/ui/abc/app.js", "/xblocklists"]) console.log(p, await (await app.request(p)).text());
