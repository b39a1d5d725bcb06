/** A JSON value's span in the text; objects keep their keys' spans, arrays their items. */
interface JsonNode {
  readonly start: number;
  readonly end: number;
  readonly keys?: Map<string, { keyStart: number; keyEnd: number; value: JsonNode }>;
  readonly items?: JsonNode[];
}

/** A tiny JSON parser that keeps positions. Throws on malformed text (JSON.parse has already said why). */
function parse(text: string) {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i] ?? "")) i++;
  };
  const string = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return { start, end: i, value: JSON.parse(text.slice(start, i)) };
  };
  const value = (): JsonNode => {
    ws();
    const start = i;
    const ch = text[i];
    if (ch === "{") {
      i++;
      const keys = new Map();
      ws();
      while (text[i] !== "}") {
        ws();
        const key = string();
        ws();
        i++; // :
        const v = value();
        keys.set(key.value, { keyStart: key.start, keyEnd: key.end, value: v });
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== "}") throw new Error("bad object");
      }
      i++;
      return { start, end: i, keys };
    }
    if (ch === "[") {
      i++;
      const items = [];
      ws();
      while (text[i] !== "]") {
        items.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== "]") throw new Error("bad array");
        ws();
      }
      i++;
      return { start, end: i, items };
    }
    if (ch === '"') return string();
    while (i < text.length && !",]} \t\r\n".includes(text[i] ?? "")) i++;
    if (i === start) throw new Error("bad value");
    return { start, end: i };
  };
  return value();
}

/** Splits a zod path into keys and indexes. */
export function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const re = /\.?([A-Za-z_$][\w$]*|\d+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let m;
  while ((m = re.exec(path)) !== null) {
    if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(JSON.parse(m[3]));
    else if (m[1] !== undefined) segments.push(m[1]);
  }
  return segments;
}

/**
 * Where the field at path is in text: its value (for a scalar), or its key (for an object or array), or the
 * deepest part of the path that exists. Null when the text is not JSON.
 */
export function locate(text: string, path: string): { start: number; end: number; found: boolean } | null {
  let node: JsonNode;
  try {
    node = parse(text);
  } catch {
    return null;
  }
  let span: { start: number; end: number } = { start: node.start, end: Math.min(node.end, node.start + 1) };
  for (const segment of pathSegments(path)) {
    const item: JsonNode | undefined = typeof segment === "number" ? node.items?.[segment] : undefined;
    if (item !== undefined) {
      node = item;
      span = node.keys || node.items ? { start: node.start, end: node.start + 1 } : node;
    } else if (typeof segment === "string" && node.keys?.has(segment)) {
      const entry = node.keys.get(segment) as { keyStart: number; keyEnd: number; value: JsonNode };
      node = entry.value;
      span = node.keys || node.items ? { start: entry.keyStart, end: entry.keyEnd } : node;
    } else {
      return { start: span.start, end: span.end, found: false };
    }
  }
  return { start: span.start, end: span.end, found: true };
}

/** The 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number) {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before[before.length - 1] || "").length + 1 };
}
