/**
 * Refuses regular expressions that can backtrack catastrophically, before they ever run at the edge. JavaScript's
 * engine backtracks, so one operator pattern like `(a+)+$` could burn the edge's CPU on every request. Refused:
 * backreferences, a quantified group that holds an unbounded quantifier (`(a+)+`, `(\w*x?)*`), and a quantified
 * alternation whose branches can start alike or be empty (`(a|ab)*`, `(\w|-)+`). Conservative: a safe pattern may
 * be refused, with the reason and a rewrite hint; what passes also runs on input capped at REGEX_INPUT_MAX_CHARS.
 * See https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS
 */
export const REGEX_INPUT_MAX_CHARS = 1024;

/** A quantifier's bounds; `max` Infinity for `*`, `+`, `{n,}`. */
interface Bounds {
  readonly min: number;
  readonly max: number;
}

/** What a node can start with: a set of lower-cased characters, or "any" when it cannot be told cheaply. */
type First = ReadonlySet<string> | "any";

interface Node {
  /** Set when the node (or anything inside) has an unbounded quantifier. */
  readonly unbounded: boolean;
  readonly first: First;
  readonly canBeEmpty: boolean;
}

class Refused extends Error {}

/** The reason a pattern is refused, or null when it is safe to run. Assumes the source already compiles. */
export function regexHazard(source: string): string | null {
  try {
    new Parser(source).parse();
    return null;
  } catch (error) {
    if (error instanceof Refused) return error.message;
    throw error;
  }
}

const REPEATS_MANY = 10; // a bounded outer repeat up to this is polynomial at worst on capped input
const MAX_BROAD_REPEATS = 3; // `.*a.*b.*` is cubic at worst: on REGEX_INPUT_MAX_CHARS that is still bounded

class Parser {
  #i = 0;
  #broadRepeats = 0;
  constructor(private readonly s: string) {}

  parse(): void {
    this.#alternation();
    if (this.#broadRepeats > MAX_BROAD_REPEATS) {
      throw new Refused(
        `more than ${MAX_BROAD_REPEATS} unbounded repeats of broad classes (\`.*\`, \`\\w+\`, \`[^/]*\`…): their backtracking grows as a power of the input length; anchor the pattern or use fewer`,
      );
    }
  }

  #peek(): string | undefined {
    return this.s[this.#i];
  }

  #alternation(): { branches: Node[] } {
    const branches: Node[] = [this.#sequence()];
    while (this.#peek() === "|") {
      this.#i++;
      branches.push(this.#sequence());
    }
    return { branches };
  }

  #sequence(): Node {
    const atoms: Node[] = [];
    while (this.#i < this.s.length && this.#peek() !== "|" && this.#peek() !== ")") atoms.push(this.#quantified());
    let first: First = new Set<string>();
    let canBeEmpty = true;
    for (const atom of atoms) {
      if (!canBeEmpty) break;
      first = union(first, atom.first);
      canBeEmpty = atom.canBeEmpty;
    }
    return { unbounded: atoms.some((a) => a.unbounded), first, canBeEmpty };
  }

  #quantified(): Node {
    const start = this.#i;
    const atom = this.#atom();
    const bounds = this.#quantifier();
    if (bounds === null) return atom;
    if (this.#peek() === "?" || this.#peek() === "+") this.#i++; // lazy (possessive is a syntax error in JS anyway)
    const many = bounds.max > REPEATS_MANY;
    if (bounds.max === Infinity && atom.first === "any") this.#broadRepeats++;
    const text = this.s.slice(start, this.#i);
    if (many && atom.unbounded)
      throw new Refused(
        `nested quantifier in \`${text}\`: a repeated group holds an unbounded repeat; rewrite without the inner + or * (e.g. \`(ab)+\` instead of \`(a+b)+\`)`,
      );
    if (many && atom.canBeEmpty)
      throw new Refused(
        `\`${text}\` repeats something that can match the empty string; make the repeated part match at least one character`,
      );
    return { unbounded: atom.unbounded || bounds.max === Infinity, first: atom.first, canBeEmpty: atom.canBeEmpty || bounds.min === 0 };
  }

  #quantifier(): Bounds | null {
    const c = this.#peek();
    if (c === "*") return this.#take({ min: 0, max: Infinity });
    if (c === "+") return this.#take({ min: 1, max: Infinity });
    if (c === "?") return this.#take({ min: 0, max: 1 });
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.#i));
      if (m === null) return null; // a literal "{" (non-unicode mode)
      this.#i += m[0].length;
      const min = Number(m[1]);
      return { min, max: m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]) };
    }
    return null;
  }

  #take(bounds: Bounds): Bounds {
    this.#i++;
    return bounds;
  }

  #atom(): Node {
    const c = this.#peek();
    this.#i++;
    if (c === "(") return this.#group();
    if (c === "[") return this.#class();
    if (c === "\\") return this.#escape();
    if (c === "^" || c === "$") return { unbounded: false, first: new Set(), canBeEmpty: true };
    if (c === ".") return any();
    return literal(c ?? "");
  }

  #group(): Node {
    let lookaround = false;
    if (this.#peek() === "?") {
      const rest = this.s.slice(this.#i);
      const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(rest);
      if (m === null) throw new Refused("unsupported group syntax");
      lookaround = /^\?(?:=|!|<=|<!)/.test(m[0]);
      this.#i += m[0].length;
    }
    const { branches } = this.#alternation();
    if (this.#peek() !== ")") throw new Refused("unbalanced parenthesis");
    this.#i++;
    if (lookaround) return { unbounded: branches.some((b) => b.unbounded), first: new Set(), canBeEmpty: true };
    const next = this.#peek();
    const quantifiedMany =
      next === "*" ||
      next === "+" ||
      (next === "{" && /^\{\d+,(\d*)\}/.exec(this.s.slice(this.#i))?.[1] !== undefined && isMany(this.s.slice(this.#i)));
    if (quantifiedMany && branches.length > 1) {
      if (branches.some((b) => b.canBeEmpty))
        throw new Refused("a repeated alternation has an empty branch; remove it or make the repeat optional instead");
      for (let a = 0; a < branches.length; a++) {
        for (let b = a + 1; b < branches.length; b++) {
          const x = branches[a];
          const y = branches[b];
          if (x !== undefined && y !== undefined && overlaps(x.first, y.first)) {
            throw new Refused(
              "a repeated alternation has branches that can start with the same character; make the branches start differently or use a character class",
            );
          }
        }
      }
    }
    return {
      unbounded: branches.some((b) => b.unbounded),
      first: branches.reduce<First>((acc, b) => union(acc, b.first), new Set()),
      canBeEmpty: branches.some((b) => b.canBeEmpty),
    };
  }

  #class(): Node {
    // A character class: its exact set is not worth computing; "any" is the conservative answer for overlap.
    if (this.#peek() === "^") this.#i++;
    if (this.#peek() === "]") this.#i++;
    while (this.#i < this.s.length && this.#peek() !== "]") this.#i += this.#peek() === "\\" ? 2 : 1;
    this.#i++;
    return any();
  }

  #escape(): Node {
    const c = this.#peek() ?? "";
    this.#i++;
    if (/[1-9]/.test(c) || (c === "k" && this.#peek() === "<"))
      throw new Refused("backreferences are not allowed (they make matching exponential)");
    if (c === "b" || c === "B") return { unbounded: false, first: new Set(), canBeEmpty: true };
    if (/[dDwWsSpPuxc0]/.test(c)) {
      // Skip the escape's own argument (\u{…}, \xHH, \p{…}, \cX) so its characters are not read as atoms.
      const m = /^(\{[^}]*\}|[0-9a-fA-F]{2,4}|[A-Za-z])?/.exec(this.s.slice(this.#i));
      if (c !== "d" && c !== "D" && c !== "w" && c !== "W" && c !== "s" && c !== "S" && c !== "0") this.#i += m?.[0].length ?? 0;
      return any();
    }
    return literal(c);
  }
}

function isMany(rest: string): boolean {
  const m = /^\{(\d+),(\d*)\}/.exec(rest);
  return m !== null && (m[2] === "" || Number(m[2]) > REPEATS_MANY);
}

const any = (): Node => ({ unbounded: false, first: "any", canBeEmpty: false });
const literal = (c: string): Node => ({ unbounded: false, first: new Set([c.toLowerCase()]), canBeEmpty: false });

function union(a: First, b: First): First {
  if (a === "any" || b === "any") return "any";
  return new Set([...a, ...b]);
}

function overlaps(a: First, b: First): boolean {
  if (a === "any" || b === "any") return (a === "any" ? 1 : a.size) > 0 && (b === "any" ? 1 : b.size) > 0;
  for (const c of a) if (b.has(c)) return true;
  return false;
}
