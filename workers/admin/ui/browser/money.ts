import { fmtInt } from "./app";

const MICROS_PER_USD = 1_000_000;

/** Micro-dollars as dollars, exact (integers only): `$0.01`, `$12.345678` (trailing zeros past the cents dropped). */
export function fmtUsd(micros: number | null): string {
  if (micros === null) return "—";
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const fraction = String(abs % MICROS_PER_USD)
    .padStart(6, "0")
    .replace(/0{1,4}$/, "");
  return `${sign}$${fmtInt(Math.floor(abs / MICROS_PER_USD))}.${fraction}`;
}

/** Dollars typed by a person (`0.01`, `12.5`) as micro-dollars, or null when it is not an amount. */
export function parseUsd(text: string): number | null {
  const match = /^\s*\$?(\d{1,7})(?:\.(\d{1,6}))?\s*$/.exec(text);
  if (match === null) return null;
  return Number(match[1]) * MICROS_PER_USD + Number((match[2] ?? "").padEnd(6, "0"));
}
