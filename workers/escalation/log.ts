/** Logs an infrastructure fault as one JSON line (code, the report or message id, and a short detail). */
export function logFault(code: string, error: unknown, id: string | null): void {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(JSON.stringify({ code, id, detail: detail.slice(0, 500) }));
}
