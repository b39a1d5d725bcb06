import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A forward HTTP proxy on loopback that stamps every request with one client address. */
export interface ClientProxy {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Lets an unmodified real client (lynx, wget, Scrapy…) appear to edge-guard's dev mode as coming from `ip`:
 * point the tool's `http_proxy` here and each request is forwarded with `CF-Connecting-IP: ip` (plus `extra`
 * headers). Only loopback targets are forwarded.
 */
export async function startClientProxy(ip: string, extra: Record<string, string> = {}): Promise<ClientProxy> {
  const server: Server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end("absolute URL expected");
      return;
    }
    if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") {
      res.writeHead(403).end("loopback only");
      return;
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, ...extra, "cf-connecting-ip": ip, host: target.host };
    delete headers["proxy-connection"];
    const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
