// SCIM filter and PATCH path parser (RFC 7644 §3.4.2.2, §3.5.2): text to an AST, with limits.
import { invalidFilter, invalidPath, invalidValue } from './errors';
import { UNSTORABLE } from './quirks';
import { type AttrPath, parseAttrPath } from './schema';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Scalar = string | number | boolean | null;

export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; filter: Filter }
  | { op: 'pr'; attr: AttrPath }
  | { op: CompareOp; attr: AttrPath; value: Scalar }
  /** attr[filter]: some element of the multi-valued attr matches the inner filter (sub-attribute names). */
  | { op: 'has'; attr: AttrPath; filter: Filter };

const COMPARE = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const MAX_LENGTH = 4096;
const MAX_NODES = 200;
const MAX_DEPTH = 32;

type Token =
  | { t: 'word'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: number; pos: number }
  | { t: '(' | ')' | '[' | ']'; pos: number }
  | { t: 'end'; pos: number };

function tokenize(text: string, fail: (msg: string) => Error): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      out.push({ t: ch, pos: i });
      i++;
      continue;
    }
    if (ch === '"') {
      // A JSON string: escapes as in JSON.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw fail(`unterminated string at ${i + 1}`);
      let v: string;
      try {
        v = JSON.parse(text.slice(i, j + 1)) as string;
      } catch {
        throw fail(`bad escape in string at ${i + 1}`);
      }
      // "\u0000" is valid JSON but no database can compare it (PostgreSQL refuses NUL in text).
      if (UNSTORABLE.test(v)) throw invalidValue(`The string at ${i + 1} contains a NUL character or an unpaired surrogate.`);
      out.push({ t: 'str', v, pos: i });
      i = j + 1;
      continue;
    }
    if (/[-0-9]/.test(ch)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (m && !/[\w:]/.test(text[i + m[0].length] ?? '')) {
        out.push({ t: 'num', v: Number(m[0]), pos: i });
        i += m[0].length;
        continue;
      }
    }
    const m = /^[A-Za-z0-9_$:.\-]+/.exec(text.slice(i));
    if (!m) throw fail(`unexpected "${ch}" at ${i + 1}`);
    out.push({ t: 'word', v: m[0], pos: i });
    i += m[0].length;
  }
  out.push({ t: 'end', pos: text.length });
  return out;
}

class Parser {
  private i = 0;
  private nodes = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly fail: (msg: string) => Error,
  ) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isWord(tok: Token, ...words: string[]): boolean {
    return tok.t === 'word' && words.includes(tok.v.toLowerCase());
  }
  private count(depth: number): void {
    if (++this.nodes > MAX_NODES) throw this.fail(`more than ${MAX_NODES} expressions`);
    if (depth > MAX_DEPTH) throw this.fail(`nested deeper than ${MAX_DEPTH}`);
  }

  parseAll(): Filter {
    const f = this.parseOr(0, false);
    const tok = this.peek();
    if (tok.t !== 'end') throw this.fail(`unexpected ${describe(tok)} at ${tok.pos + 1}`);
    return f;
  }

  /** The inside of attr[...]: sub-attribute names only, no nested value filters. */
  parseValueFilter(): Filter {
    const f = this.parseOr(0, true);
    const tok = this.peek();
    if (tok.t !== 'end') throw this.fail(`unexpected ${describe(tok)} at ${tok.pos + 1}`);
    return f;
  }

  parseOr(depth: number, inner: boolean): Filter {
    return this.parseChain('or', depth, (d) => this.parseAnd(d, inner));
  }

  parseAnd(depth: number, inner: boolean): Filter {
    return this.parseChain('and', depth, (d) => this.parseUnary(d, inner));
  }

  /** `operand (op operand)*`, grouped to the left; every operator counts toward the nesting limit. */
  parseChain(op: 'and' | 'or', depth: number, operand: (depth: number) => Filter): Filter {
    let left = operand(depth);
    while (this.isWord(this.peek(), op)) {
      this.next();
      this.count(depth);
      left = { op, left, right: operand(depth + 1) };
    }
    return left;
  }

  parseUnary(depth: number, inner: boolean): Filter {
    this.count(depth);
    const tok = this.peek();
    if (this.isWord(tok, 'not') && this.tokens[this.i + 1]?.t === '(') {
      this.next();
      this.next();
      const filter = this.parseOr(depth + 1, inner);
      this.expect(')');
      return { op: 'not', filter };
    }
    if (tok.t === '(') {
      this.next();
      const f = this.parseOr(depth + 1, inner);
      this.expect(')');
      return f;
    }
    return this.parseAttrExpression(depth, inner);
  }

  private expect(t: ')' | ']'): void {
    const tok = this.next();
    if (tok.t !== t) throw this.fail(`expected "${t}" at ${tok.pos + 1}, found ${describe(tok)}`);
  }

  private attrPath(tok: Token): AttrPath {
    if (tok.t !== 'word') throw this.fail(`expected an attribute name at ${tok.pos + 1}, found ${describe(tok)}`);
    const path = parseAttrPath(tok.v);
    if (!path) throw this.fail(`"${tok.v}" is not an attribute path`);
    return path;
  }

  private parseAttrExpression(depth: number, inner: boolean): Filter {
    const attr = this.attrPath(this.next());
    if (this.peek().t === '[') {
      if (inner) throw this.fail('a value filter cannot contain another value filter');
      if (attr.sub) throw this.fail(`"${attr.name}.${attr.sub}[" is not a valid value path`);
      this.next();
      const filter = this.parseOr(depth + 1, true);
      this.expect(']');
      // Extension used by some IdPs: emails[type eq "work"].value eq "x".
      const after = this.peek();
      if (after.t === 'word' && after.v.startsWith('.')) {
        this.next();
        const sub = after.v.slice(1);
        const cmp = this.comparison({ name: sub }, depth);
        return { op: 'has', attr, filter: { op: 'and', left: filter, right: cmp } };
      }
      return { op: 'has', attr, filter };
    }
    return this.comparison(attr, depth);
  }

  private comparison(attr: AttrPath, depth: number): Filter {
    this.count(depth);
    const opTok = this.next();
    if (opTok.t !== 'word') throw this.fail(`expected an operator at ${opTok.pos + 1}, found ${describe(opTok)}`);
    const op = opTok.v.toLowerCase();
    if (op === 'pr') return { op: 'pr', attr };
    if (!COMPARE.has(op)) throw this.fail(`unknown operator "${opTok.v}" at ${opTok.pos + 1}`);
    const valTok = this.next();
    let value: Scalar;
    if (valTok.t === 'str' || valTok.t === 'num') value = valTok.v;
    else if (this.isWord(valTok, 'true')) value = true;
    else if (this.isWord(valTok, 'false')) value = false;
    else if (this.isWord(valTok, 'null')) value = null;
    else throw this.fail(`expected a value after "${opTok.v}" at ${valTok.pos + 1}, found ${describe(valTok)}`);
    return { op: op as CompareOp, attr, value };
  }
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'end':
      return 'the end of the filter';
    case 'word':
      return `"${tok.v}"`;
    case 'str':
      return `"${tok.v}"`;
    case 'num':
      return String(tok.v);
    default:
      return `"${tok.t}"`;
  }
}

/** Parses a filter; malformed input raises a SCIM 400 invalidFilter naming the problem. */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_LENGTH) throw invalidFilter(`The filter is longer than ${MAX_LENGTH} characters.`);
  if (UNSTORABLE.test(text)) throw invalidFilter('The filter contains a NUL character or an unpaired surrogate.');
  const fail = (msg: string) => invalidFilter(`Invalid filter: ${msg}.`);
  if (!text.trim()) throw fail('it is empty');
  return new Parser(tokenize(text, fail), fail).parseAll();
}

/** A PATCH path: attrPath, or attr[valFilter] optionally followed by .subAttr. */
export interface PatchPath {
  attr: AttrPath;
  filter?: Filter;
  /** The sub-attribute after a value filter (emails[type eq "work"].value). */
  sub?: string;
}

export function parsePatchPath(text: string): PatchPath {
  const fail = (msg: string) => invalidPath(`Invalid path "${text.slice(0, 200)}": ${msg}.`);
  const raw = text.trim();
  if (!raw || raw.length > MAX_LENGTH) throw fail('empty or too long');
  if (UNSTORABLE.test(raw)) throw fail('it contains a NUL character or an unpaired surrogate');
  const open = raw.indexOf('[');
  if (open < 0) {
    const attr = parseAttrPath(raw);
    if (!attr) throw fail('not an attribute path');
    return { attr };
  }
  const close = raw.lastIndexOf(']');
  if (close < open) throw fail('unbalanced "["');
  const attr = parseAttrPath(raw.slice(0, open));
  if (!attr || attr.sub) throw fail('a value filter must follow a multi-valued attribute');
  const tail = raw.slice(close + 1);
  let sub: string | undefined;
  if (tail) {
    const m = /^\.([A-Za-z$][\w$-]*)$/.exec(tail);
    if (!m) throw fail(`unexpected "${tail}" after "]"`);
    sub = m[1];
  }
  const inner = raw.slice(open + 1, close);
  const filter = new Parser(tokenize(inner, fail), fail).parseValueFilter();
  return { attr, filter, sub };
}
