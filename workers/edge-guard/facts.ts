import { parseIp, type ClientIp } from "../../core/client-ip";
import { CfFactsSchema, type CfFacts } from "../../core/report";
import { requestFacts, type RequestFacts } from "../../core/request-facts";
import { AppError } from "../../adapters/http";

/** Dev-only header carrying JSON for `request.cf` fields, honoured only when DEV_CLIENT_OVERRIDES is "on". */
export const DEV_CF_HEADER = "x-dev-cf";

/**
 * Reads the facts of a request. `devOverrides` (DEV_CLIENT_OVERRIDES, set only by the dev stack and tests) trusts
 * client-sent CF-Connecting-IP and X-Dev-Cf (local simulation); otherwise CF-Connecting-IP counts only on a request
 * that came through Cloudflare's edge, which sets that header itself. `url`: the request's URL when the caller parsed it.
 */
export function readFacts(request: Request, devOverrides: boolean, receivedAt: number, url: URL = new URL(request.url)): RequestFacts {
  const source = { method: request.method, path: url.pathname, headers: request.headers };
  return requestFacts(source, clientIp(request, devOverrides), devOverrides ? devCf(request) : cfFacts(request.cf), receivedAt);
}

/** Stands in for a missing or malformed client address (never blocklisted: it is not a real client). */
const UNKNOWN_IP = "0.0.0.0" as ClientIp;

function clientIp(request: Request, devOverrides: boolean): ClientIp {
  // Behind Cloudflare (request.cf is set by its edge) CF-Connecting-IP is Cloudflare's, not the client's. Without
  // it (plain workerd, another proxy), anyone could have written the header: only the dev server may trust it.
  if (!devOverrides && request.cf === undefined) return UNKNOWN_IP;
  const header = request.headers.get("cf-connecting-ip");
  const ip = header === null ? null : parseIp(header);
  return ip ?? UNKNOWN_IP;
}

function cfFacts(cf: Request["cf"]): CfFacts {
  if (cf === undefined) return {};
  const parsed = CfFactsSchema.safeParse({
    asn: cf.asn,
    asOrganization: cf.asOrganization,
    country: cf.country,
    httpProtocol: cf.httpProtocol,
    tlsVersion: cf.tlsVersion,
    clientTcpRtt: cf.clientTcpRtt,
    tlsCipher: cf.tlsCipher,
    tlsClientExtensionsSha1: cf.tlsClientExtensionsSha1,
    tlsClientCiphersSha1: (cf as { tlsClientCiphersSha1?: unknown }).tlsClientCiphersSha1,
    ja4: (cf.botManagement as { ja4?: unknown } | undefined)?.ja4,
  });
  return parsed.success ? parsed.data : {};
}

function devCf(request: Request): CfFacts {
  const header = request.headers.get(DEV_CF_HEADER);
  if (header === null) return cfFacts(request.cf);
  let json: unknown;
  try {
    json = JSON.parse(header);
  } catch (cause) {
    throw new AppError(400, "invalid_request", `${DEV_CF_HEADER} must be a JSON object of request.cf fields`, { cause });
  }
  const parsed = CfFactsSchema.strict().safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new AppError(400, "invalid_request", `${DEV_CF_HEADER} is invalid: ${where}`);
  }
  return parsed.data;
}
