// RFC 8941 Structured Field Values: the parts edge-guard reads (Signature-Input, Signature, Signature-Agent,
// Sec-CH-UA). https://www.rfc-editor.org/rfc/rfc8941 (parsing: §4.2, serialisation: §4.1). Dates and Display
// Strings (RFC 9651) are not needed and fail to parse.

/** One bare item. Byte sequences keep their base64 text (core has no base64 decoder; the caller decodes). */
export type BareItem =
  | { readonly type: "integer" | "decimal"; readonly value: number }
  | { readonly type: "string" | "token" | "bytes"; readonly value: string }
  | { readonly type: "boolean"; readonly value: boolean };

/** Parameters in wire order; a repeated key keeps its first position and its last value (RFC 8941 §4.2.3.2). */
export type Parameters = ReadonlyMap<string, BareItem>;
/** A bare item with its parameters, e.g. `"signature-agent";key="sig1"`. */
export interface Item {
  readonly kind: "item";
  readonly value: BareItem;
  readonly params: Parameters;
}
/** A parenthesised list of items with parameters of its own, e.g. one Signature-Input member. */
export interface InnerList {
  readonly kind: "inner-list";
  readonly items: readonly Item[];
  readonly params: Parameters;
}
/** A List or Dictionary member. */
export type Member = Item | InnerList;
/** A Dictionary: member keys in wire order (RFC 8941 §3.2). */
export type Dictionary = ReadonlyMap<string, Member>;

/** Parses a Dictionary field value (RFC 8941 §4.2.2); null when malformed: the whole field is then ignored. */
export function parseDictionary(input: string): Dictionary | null {
  return parseWhole(input, (p) => p.dictionary());
}

/** Parses a List field value (RFC 8941 §4.2.1), e.g. Sec-CH-UA; null when malformed. */
export function parseList(input: string): readonly Member[] | null {
  return parseWhole(input, (p) => p.list());
}

/** Parses an Item field value (RFC 8941 §4.2.3), e.g. a legacy Signature-Agent string; null when malformed. */
export function parseItem(input: string): Item | null {
  return parseWhole(input, (p) => p.item());
}

/** Serialises a member (item or inner list) with its parameters, as RFC 9421 signature bases need (RFC 8941 §4.1). */
export function serializeMember(member: Member): string {
  if (member.kind === "item") return serializeBareItem(member.value) + serializeParams(member.params);
  return `(${member.items.map(serializeMember).join(" ")})${serializeParams(member.params)}`;
}

/** The value of a string or token parameter, or null when absent or of another type. */
export function textParam(params: Parameters, key: string): string | null {
  const item = params.get(key);
  return item?.type === "string" || item?.type === "token" ? item.value : null;
}

/** The value of an integer parameter, or null when absent or of another type. */
export function integerParam(params: Parameters, key: string): number | null {
  const item = params.get(key);
  return item?.type === "integer" ? item.value : null;
}

function serializeParams(params: Parameters): string {
  let out = "";
  for (const [key, value] of params) out += value.type === "boolean" && value.value ? `;${key}` : `;${key}=${serializeBareItem(value)}`;
  return out;
}

function serializeBareItem(item: BareItem): string {
  switch (item.type) {
    case "integer":
      return String(item.value);
    case "decimal": {
      const text = String(Math.round(item.value * 1000) / 1000);
      return text.includes(".") ? text : `${text}.0`;
    }
    case "string":
      return `"${item.value.replace(/[\\"]/g, "\\$&")}"`;
    case "token":
      return item.value;
    case "bytes":
      return `:${item.value}:`;
    case "boolean":
      return item.value ? "?1" : "?0";
  }
}

class Malformed extends Error {}

function parseWhole<T>(input: string, read: (p: Parser) => T): T | null {
  const parser = new Parser(input.replace(/^ +| +$/g, ""));
  try {
    const value = read(parser);
    return parser.done() ? value : null;
  } catch (error) {
    if (error instanceof Malformed) return null;
    throw error;
  }
}

const KEY_START = /[a-z*]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;

class Parser {
  #i = 0;
  constructor(readonly text: string) {}

  done(): boolean {
    return this.#i === this.text.length;
  }

  dictionary(): Map<string, Member> {
    const out = new Map<string, Member>();
    this.#members(() => {
      const key = this.#key();
      out.set(key, this.#eat("=") ? this.#member() : { kind: "item", value: TRUE, params: this.#params() });
    });
    return out;
  }

  list(): Member[] {
    const out: Member[] = [];
    this.#members(() => out.push(this.#member()));
    return out;
  }

  item(): Item {
    return { kind: "item", value: this.#bareItem(), params: this.#params() };
  }

  #members(readOne: () => void): void {
    while (!this.done()) {
      readOne();
      this.#skip(/[ \t]/);
      if (this.done()) return;
      if (!this.#eat(",")) throw new Malformed();
      this.#skip(/[ \t]/);
      if (this.done()) throw new Malformed(); // trailing comma
    }
  }

  #member(): Member {
    if (!this.#eat("(")) return this.item();
    const items: Item[] = [];
    for (;;) {
      this.#skip(/ /);
      if (this.#eat(")")) {
        return { kind: "inner-list", items, params: this.#params() };
      }
      items.push(this.item());
      const next = this.#peek();
      if (next !== " " && next !== ")") throw new Malformed();
    }
  }

  #params(): Map<string, BareItem> {
    const out = new Map<string, BareItem>();
    while (this.#eat(";")) {
      this.#skip(/ /);
      const key = this.#key();
      out.set(key, this.#eat("=") ? this.#bareItem() : TRUE);
    }
    return out;
  }

  #key(): string {
    if (!KEY_START.test(this.#peek())) throw new Malformed();
    return this.#take(KEY_CHAR);
  }

  #bareItem(): BareItem {
    const c = this.#peek();
    if (c === "-" || /[0-9]/.test(c)) return this.#number();
    if (c === '"') return { type: "string", value: this.#string() };
    if (/[A-Za-z*]/.test(c)) return { type: "token", value: this.#take(TOKEN_CHAR) };
    if (this.#eat(":")) {
      const value = this.#take(/[A-Za-z0-9+/=]/);
      if (!this.#eat(":")) throw new Malformed();
      return { type: "bytes", value };
    }
    if (c === "?") {
      const flag = this.text[this.#i + 1];
      if (flag !== "0" && flag !== "1") throw new Malformed();
      this.#i += 2;
      return { type: "boolean", value: flag === "1" };
    }
    throw new Malformed();
  }

  #number(): BareItem {
    const match = /^-?(\d{1,15})(\.\d{1,3})?/.exec(this.text.slice(this.#i));
    if (match === null) throw new Malformed();
    const [text, whole = "", fraction] = match;
    if (fraction !== undefined && whole.length > 12) throw new Malformed();
    this.#i += text.length;
    return { type: fraction === undefined ? "integer" : "decimal", value: Number(text) };
  }

  #string(): string {
    let out = "";
    for (this.#i++; this.#i < this.text.length; this.#i++) {
      const c = this.text[this.#i] ?? "";
      if (c === '"') {
        this.#i++;
        return out;
      }
      if (c === "\\") {
        const escaped = this.text[++this.#i];
        if (escaped !== '"' && escaped !== "\\") throw new Malformed();
        out += escaped;
      } else if (c < " " || c > "~") throw new Malformed();
      else out += c;
    }
    throw new Malformed(); // unterminated
  }

  #peek(): string {
    return this.text[this.#i] ?? "";
  }

  #skip(chars: RegExp): void {
    while (chars.test(this.#peek())) this.#i++;
  }

  #eat(char: string): boolean {
    if (this.#peek() !== char) return false;
    this.#i++;
    return true;
  }

  #take(chars: RegExp): string {
    const start = this.#i;
    this.#skip(chars);
    return this.text.slice(start, this.#i);
  }
}

const TRUE: BareItem = { type: "boolean", value: true };
