/**
 * One CSV record (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled. A field starting
 * with `=`, `+`, `-` or `@` gets a leading `'`, so a spreadsheet never runs it as a formula (OWASP CSV injection).
 */
export function csvRecord(fields: readonly (string | number | null)[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Micro-dollars as a decimal dollar amount with 6 places (`0.010000`), exact for any integer (no floats). */
export function usdText(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, "0")}`;
}
