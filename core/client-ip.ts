/** A client address, normalised: IPv4 dotted quad or lower-case, fully expanded IPv6. */
export type ClientIp = string & { readonly __brand: "ClientIp" };

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP_RE = /^[0-9a-f]{1,4}$/;

/** Parses an IPv4 or IPv6 address into its canonical form, or null when it is not one. */
export function parseIp(input: string): ClientIp | null {
  const text = input.trim().toLowerCase();
  if (IPV4_RE.test(text)) return text as ClientIp;
  const groups = ipv6Groups(text);
  return groups === null ? null : (groups.map((g) => g.padStart(4, "0")).join(":") as ClientIp);
}

/** The eight hex groups of an IPv6 address, `::` expanded and an IPv4 tail converted; null if malformed. */
function ipv6Groups(text: string): string[] | null {
  if (text.length > 45 || !text.includes(":")) return null;
  let body = text;
  const v4Tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4Tail?.[1] !== undefined) {
    if (!IPV4_RE.test(v4Tail[1])) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4Tail[1].split(".").map(Number);
    body = `${body.slice(0, v4Tail.index)}:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const split = (part: string | undefined): string[] => (part ? part.split(":") : []);
  const head = split(halves[0]);
  const tail = split(halves[1]);
  if (![...head, ...tail].every((g) => HEX_GROUP_RE.test(g))) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => "0"), ...tail];
}
