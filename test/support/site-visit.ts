import { request } from "node:http";
import { CHROME_NAVIGATION_HEADERS } from "./browser-headers";

/** What a visit got: the status, the body as text, and whether the demo origin answered (its cache validators). */
export interface Visit {
  readonly status: number;
  readonly body: string;
  readonly fromOrigin: boolean;
}

/**
 * A GET to the edge at `edgeUrl` for `host` (the port kept), through node:http: fetch (undici) replaces a Host header
 * and Node does not resolve `*.localhost`, where curl and Chromium go to loopback by themselves.
 */
export function visitSite(
  edgeUrl: string,
  host: string,
  path: string,
  ip: string,
  headers: Record<string, string> = CHROME_NAVIGATION_HEADERS,
): Promise<Visit> {
  const port = new URL(edgeUrl).port;
  return new Promise((resolve, reject) => {
    const req = request(
      // identity: the body is read as text here (a browser would decompress it).
      {
        host: "127.0.0.1",
        port,
        path,
        headers: { ...headers, "accept-encoding": "identity", host: `${host}:${port}`, "cf-connecting-ip": ip },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            fromOrigin: res.headers.etag !== undefined,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}
