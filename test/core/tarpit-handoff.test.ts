import { describe, expect, it } from "vitest";
import { TARPIT_CORPUS_HEADER, TARPIT_NO_HOP_HEADER, readTarpitHandoff, writeTarpitHandoff } from "../../core/tarpit-headers";

const read = (headers: Headers) => readTarpitHandoff((name) => headers.get(name));

describe("the edge-to-tarpit handoff", () => {
  it("reads back what the edge wrote, whatever copies the client had sent", () => {
    const headers = new Headers({
      "x-edge-guard-client-ip": "192.0.2.66",
      "x-edge-guard-site": "forge",
      [TARPIT_CORPUS_HEADER]: "client-picked",
      [TARPIT_NO_HOP_HEADER]: "1",
    });
    writeTarpitHandoff(headers, { ip: "203.0.113.9", site: "blog", corpus: null, score: 75, hop: true });
    expect(read(headers)).toEqual({ client: { ip: "203.0.113.9", edgeScore: 75, site: "blog" }, corpus: null, hop: true });
    writeTarpitHandoff(headers, { ip: "203.0.113.9", site: "default", corpus: "forge-docs", score: 75, hop: false });
    expect(read(headers)).toMatchObject({ corpus: "forge-docs", hop: false });
  });

  it("takes an older edge's request (no handoff headers) and malformed values as the defaults, never as a client's word", () => {
    expect(read(new Headers({ "cf-connecting-ip": "198.51.100.7" }))).toEqual({
      client: { ip: "198.51.100.7", edgeScore: null, site: "default" },
      corpus: null,
      hop: true,
    });
    const malformed = new Headers({ "x-edge-guard-client-ip": "not an address", "cf-connecting-ip": "also not" });
    expect(read(malformed).client).toBeNull();
    const odd = new Headers({
      "x-edge-guard-client-ip": "198.51.100.8",
      "x-edge-guard-site": "../etc",
      "x-edge-guard-score": "lots",
      [TARPIT_CORPUS_HEADER]: "../../x",
    });
    expect(read(odd)).toEqual({ client: { ip: "198.51.100.8", edgeScore: null, site: "default" }, corpus: null, hop: true });
  });
});
