// Small, comment-preserving edits to a wrangler.toml (wrangler's own patcher refuses files with comments): the id of a
// KV binding, and the top-level routes. Each edit is checked by re-reading the file with wrangler's parser.
import type { Route } from "./sites";

/** Sets `id` in the `[[kv_namespaces]]` table whose `binding` is `binding`. Throws when there is no such table. */
export function setKvId(text: string, binding: string, id: string): string {
  const lines = text.split("\n");
  for (let start = 0; start < lines.length; start++) {
    if (!/^\s*\[\[kv_namespaces\]\]\s*(#.*)?$/.test(lines[start] ?? "")) continue;
    let end = start + 1;
    while (end < lines.length && !/^\s*\[/.test(lines[end] ?? "")) end++;
    const body = lines.slice(start + 1, end);
    if (!body.some((l) => new RegExp(`^\\s*binding\\s*=\\s*"${binding}"\\s*(#.*)?$`).test(l))) continue;
    const idLine = body.findIndex((l) => /^\s*id\s*=/.test(l));
    if (idLine === -1) lines.splice(start + 1, 0, `id = "${id}"`);
    else lines[start + 1 + idLine] = (lines[start + 1 + idLine] ?? "").replace(/^(\s*id\s*=\s*)"[^"]*"/, `$1"${id}"`);
    return lines.join("\n");
  }
  throw new Error(`no [[kv_namespaces]] table with binding = "${binding}"`);
}

/** Sets the top-level `routes` (one line, replacing an existing one-line `routes = […]`, else before the first table). */
export function setRoutes(text: string, routes: readonly Route[]): string {
  const line = `routes = [${routes.map((r) => `{ pattern = ${JSON.stringify(r.pattern)}, zone_name = ${JSON.stringify(r.zone_name)} }`).join(", ")}]`;
  const lines = text.split("\n");
  const firstTable = lines.findIndex((l) => /^\s*\[/.test(l));
  const topLevel = firstTable === -1 ? lines.length : firstTable;
  const existing = lines.slice(0, topLevel).findIndex((l) => /^\s*routes\s*=/.test(l));
  if (existing !== -1) {
    if (!/\]\s*(#.*)?$/.test(lines[existing] ?? "")) throw new Error("routes spans several lines; write it on one line or remove it");
    lines[existing] = line;
    return lines.join("\n");
  }
  let at = topLevel;
  while (at > 0 && /^\s*(#.*)?$/.test(lines[at - 1] ?? "")) at--; // before the comment block that belongs to the first table
  lines.splice(at, 0, line);
  return lines.join("\n");
}
