import type { ClientIp } from "../../core/client-ip";
import type { RequestFacts } from "../../core/request-facts";

/** One request's facts for the pure-core tests: a plain GET / from 198.51.100.7 with no headers, changed by `over`. */
export function factsOf(over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    ip: "198.51.100.7" as ClientIp,
    method: "GET",
    path: "/",
    userAgent: "Mozilla/5.0",
    headers: {},
    cf: {},
    receivedAt: 0,
    ...over,
  };
}
