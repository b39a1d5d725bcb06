import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An expected HTTP failure. `code` is public and stable; `message` tells an operator what to fix; `cause` stays in the logs. */
export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Hono error handler: AppErrors become `{ error, message }` with their status; anything else is logged and answered 500. */
export function onError(error: Error, c: Context): Response {
  const { body, status } = errorAnswer(error);
  return c.json(body, status);
}

/** The same answer as `onError`, for a handler that runs outside Hono (edge-guard's guarded requests). */
export function errorResponse(error: unknown): Response {
  const { body, status } = errorAnswer(error);
  return Response.json(body, { status });
}

/** What an error is answered with (an AppError's own status and code; anything else 500), logged when it is ours to fix. */
function errorAnswer(error: unknown): { body: { error: string; message: string }; status: ContentfulStatusCode } {
  if (error instanceof AppError) {
    if (error.status >= 500) console.error(JSON.stringify({ msg: error.message, code: error.code, cause: String(error.cause) }));
    return { body: { error: error.code, message: error.message }, status: error.status };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  console.error(JSON.stringify({ msg: e.message, name: e.name, stack: e.stack }));
  return { body: { error: "internal", message: "internal error" }, status: 500 };
}
