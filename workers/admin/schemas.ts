import { z } from "@hono/zod-openapi";
import { RoleSchema } from "../../core/admin/roles";

/** Every error the API answers: a stable `code` for programs and a `message` for people. */
export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: "forbidden" }),
    message: z.string(),
  })
  .openapi("Error");

/** The error responses every authenticated route can give. */
export const ERROR_RESPONSES = {
  400: { description: "invalid input (`invalid_request`)", content: { "application/json": { schema: ErrorSchema } } },
  401: { description: "not signed in (`unauthenticated`)", content: { "application/json": { schema: ErrorSchema } } },
  403: {
    description: "role too low (`forbidden`) or CSRF check failed (`csrf_failed`)",
    content: { "application/json": { schema: ErrorSchema } },
  },
  503: {
    description: "Postgres or KV unreachable (`database_unavailable`, `kv_unavailable`)",
    content: { "application/json": { schema: ErrorSchema } },
  },
} as const;

/** 404 `not_found`. */
export const NOT_FOUND = { description: "`not_found`", content: { "application/json": { schema: ErrorSchema } } } as const;

/** The `{id}` path parameter of a row's routes: a positive integer. */
export const IdParamsSchema = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: "id", in: "path" }, type: "integer" }),
});

/** Pagination every list takes: `limit`, and the `cursor` the previous page returned as `nextCursor`. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: "rows per page (1-500)" }),
  cursor: z.string().max(500).optional().openapi({ description: "`nextCursor` of the previous page" }),
});

/** A response body holding a JSON document. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A request body holding a JSON document. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

export const OkSchema = z.object({ ok: z.literal(true) }).openapi("Ok");

export { RoleSchema };

/** A site id (core/sites.ts SiteIdSchema's rule, built with the OpenAPI-aware zod). */
export const SiteIdField = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a site id is lower-case letters, digits and dashes (at most 63)")
  .openapi({ example: "blog" });

/** Which sites an account or token may use (core/admin/roles.ts SiteScope). */
export const SiteScopeField = z
  .union([z.literal("all"), z.array(SiteIdField).min(1).max(100)])
  .openapi({ description: "the sites this account may see and act on: `all`, or a list of site ids (an admin always has all)" });
