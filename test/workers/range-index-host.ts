// Stands in for edge-guard in the admin, escalation and tarpit test projects: those Workers bind RANGE_INDEX with
// script_name = "edge-guard", so the tests run the real RangeIndex class in an auxiliary Worker of that name.
// vitest.config.ts bundles this file to test/.build/ (an auxiliary Worker must be built JS inside the project root).
export { CrawlerAccount } from "../../durable-objects/crawler-account";
export { RangeIndex } from "../../durable-objects/range-index";

export default {
  fetch(): Response {
    return new Response("range index host", { status: 404 });
  },
};
