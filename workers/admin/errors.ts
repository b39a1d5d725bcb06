import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, onError } from "../../adapters/http";

const CODES: Readonly<Record<number, string>> = {
  400: "invalid_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  413: "too_large",
  415: "unsupported_media_type",
};

/** admin's error handler: Hono's own HTTPExceptions (malformed JSON, wrong media type) get the same `{ error, message }` shape. */
export function adminOnError(error: Error, c: Context): Response {
  if (error instanceof HTTPException && !(error instanceof AppError)) {
    const status = error.status;
    return onError(new AppError(status, CODES[status] ?? `http_${status}`, error.message || "request refused", { cause: error }), c);
  }
  return onError(error, c);
}
