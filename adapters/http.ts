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
  if (error instanceof AppError) {
    if (error.status >= 500) console.error(JSON.stringify({ msg: error.message, code: error.code, cause: String(error.cause) }));
    return c.json({ error: error.code, message: error.message }, error.status);
  }
  console.error(JSON.stringify({ msg: error.message, name: error.name, stack: error.stack }));
  return c.json({ error: "internal", message: "internal error" }, 500);
}
