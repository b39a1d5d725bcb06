import type { GatewayError } from "../../core/payments/gateway";
import { fail, ok, type Result } from "../../core/result";

/**
 * One POST to a payment provider's API, as both gateways make it: a network failure or a 5xx is `gateway_unreachable`,
 * another refusal `gateway_refused` naming the path and the provider's own reason when `reasonOf` finds one (never the
 * key: it travels in a header only); a 2xx answers its JSON body.
 */
export async function gatewayPost(
  fetcher: typeof fetch,
  provider: string,
  url: string,
  path: string,
  init: { readonly headers: Record<string, string>; readonly body: string },
  reasonOf: (body: unknown) => string | null = () => null,
): Promise<Result<Record<string, unknown>, GatewayError>> {
  let response: Response;
  try {
    response = await fetcher(url, { method: "POST", headers: init.headers, body: init.body });
  } catch (error) {
    return fail({ code: "gateway_unreachable", message: `${provider} is not reachable (${String(error).slice(0, 200)})` });
  }
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.ok && body !== null) return ok(body);
  return fail({
    code: response.status >= 500 ? "gateway_unreachable" : "gateway_refused",
    message: `${provider} refused ${path}: ${reasonOf(body) ?? `HTTP ${response.status}`}`,
  });
}

/** The `id` of a provider's answer ("" when it has none). */
export const idOf = (body: Record<string, unknown>): string => (typeof body.id === "string" ? body.id : "");
