import { describe, expect, it } from "vitest";
import { HISTORY_MAX, HISTORY_WINDOW_MS, historyBefore } from "../../core/client-history";
import {
  MAX_SURPRISE_BITS,
  PathModelSchema,
  START_SHAPE,
  UNKNOWN_SHAPE,
  compilePathModel,
  pathShape,
  pathSurprise,
  sequenceStats,
  trainPathModel,
} from "../../core/path-sequence";

describe("pathShape", () => {
  it.each([
    ["/", "/"],
    ["/?utm_source=x", "/"],
    ["/articles/france", "/:w/:slug"],
    ["/tags/coffee", "/tags/:slug"],
    ["/page/3", "/page/:n"],
    ["/about", "/:w"],
    ["/Tags", "/tags"],
    ["/2024/05/some-post", "/:n/:n/+"],
    ["/static/site.css", "asset"],
    ["/favicon.ico", "asset"],
    ["/img/x/y/photo.JPG", "asset"],
    ["/feed.xml", "feed"],
    ["/blog/index.rss", "feed"],
    ["/sitemap.xml", "sitemap"],
    ["/sitemap-posts.xml", "sitemap"],
    ["/robots.txt", "robots"],
    ["/archive/1234/entry-5", "trap"],
    ["/.well-known/security.txt", "well-known"],
    ["/.env", "/:w"],
    ["/ignore previous instructions", "/:w"],
  ])("%s → %s", (path, shape) => {
    expect(pathShape(path)).toBe(shape);
  });
});

describe("path Markov model", () => {
  const human = ["/", "asset", "asset", "/:w/:slug", "/:w/:slug", "/tags/:slug", "/:w/:slug"];
  const model = trainPathModel(
    Array.from({ length: 30 }, () => human),
    0.5,
    3,
  );
  const compiled = compilePathModel(model);

  it("keeps START, UNKNOWN and every shape seen at least minCount times, and validates as JSON", () => {
    expect(model.states.slice(0, 2)).toEqual([START_SHAPE, UNKNOWN_SHAPE]);
    expect(model.states).toEqual(expect.arrayContaining(["/", "asset", "/:w/:slug", "/tags/:slug"]));
    expect(PathModelSchema.safeParse(JSON.parse(JSON.stringify(model))).success).toBe(true);
    expect(trainPathModel([["/", "/rare"]], 0.5, 3).states).not.toContain("/rare");
  });

  it("is versioned by content", () => {
    expect(model.version).toMatch(/^pm-[0-9a-f]{8}$/);
    expect(
      trainPathModel(
        Array.from({ length: 30 }, () => human),
        0.5,
        3,
      ).version,
    ).toBe(model.version);
    expect(trainPathModel([human], 0.5, 1).version).not.toBe(model.version);
  });

  it("finds a human's walk unsurprising and a crawler's sweep or a trap dive surprising", () => {
    const person = pathSurprise(compiled, human);
    const sweep = pathSurprise(compiled, ["robots", "sitemap", "/:w/:slug", "/:w/:slug", "/:w/:slug", "/:w/:slug"]);
    const trap = pathSurprise(compiled, ["trap", "trap", "trap"]);
    expect(person).toBeLessThan(2);
    expect(sweep).toBeGreaterThan(person + 1);
    expect(trap).toBeGreaterThan(sweep);
    expect(trap).toBeLessThanOrEqual(MAX_SURPRISE_BITS);
    expect(pathSurprise(compiled, [])).toBe(0);
  });

  it("refuses a malformed model", () => {
    expect(PathModelSchema.safeParse({ ...model, counts: model.counts.slice(1) }).success).toBe(false);
    expect(
      PathModelSchema.safeParse({ ...model, states: model.states.slice(2), counts: model.counts.slice(2).map((r) => r.slice(2)) }).success,
    ).toBe(false);
  });

  it("summarises a client's paths", () => {
    const stats = sequenceStats(["/", "/static/site.css", "/archive/1/x", "/articles/a"], compiled);
    expect(stats).toMatchObject({ length: 4, assetShare: 0.25, trapShare: 0.25 });
    expect(stats.surprise).toBeGreaterThan(0);
    expect(sequenceStats(["/"], null).surprise).toBe(0);
  });
});

describe("historyBefore", () => {
  const report = { id: "r-5", at: 1_000_000_000 };
  it("keeps earlier requests of the window, oldest first, without the report itself or a duplicate", () => {
    const entries = [
      { id: "r-3", at: report.at - 2000, path: "/b" },
      { id: "r-1", at: report.at - HISTORY_WINDOW_MS - 1, path: "/too-old" },
      { id: "r-2", at: report.at - 3000, path: "/a" },
      { id: "r-5", at: report.at, path: "/self" },
      { id: "r-9", at: report.at + 1, path: "/later" },
      { id: "r-3", at: report.at - 2000, path: "/b" },
    ];
    expect(historyBefore(report, entries).map((e) => e.path)).toEqual(["/a", "/b"]);
  });

  it("breaks ties on the same millisecond by id, so two reports never both see the other", () => {
    const a = { id: "a", at: 5, path: "/a" };
    const b = { id: "b", at: 5, path: "/b" };
    expect(historyBefore(a, [a, b])).toEqual([]);
    expect(historyBefore(b, [a, b])).toEqual([a]);
  });

  it("keeps only the newest HISTORY_MAX", () => {
    const many = Array.from({ length: HISTORY_MAX + 10 }, (_, i) => ({ id: `e${i}`, at: report.at - 1000 + i, path: `/p${i}` }));
    const kept = historyBefore(report, many);
    expect(kept).toHaveLength(HISTORY_MAX);
    expect(kept.at(-1)?.path).toBe(`/p${HISTORY_MAX + 9}`);
  });
});
