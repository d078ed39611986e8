/**
 * A fast reader for the block-style YAML that rule files and tests sidecars are written in: one
 * document whose root is a block mapping, with block mappings and sequences, plain, single- and
 * double-quoted scalars (one line each, plain ones may continue on more-indented lines), literal
 * and folded block scalars, single-line flow sequences of scalars and flow mappings of scalars,
 * comments and CRLF line breaks.
 *
 * It returns the same plain values as `yaml`'s `parseDocument(…).toJS()` (YAML 1.2 core schema),
 * and for every node the same `[start, valueEnd, nodeEnd]` range `yaml` gives it, or `undefined`
 * for anything outside that subset (anchors, aliases, tags, directives, several documents, nested
 * or multi-line flow collections, explicit keys, duplicate keys, empty values, tabs where
 * indentation is read, …) and for every text `yaml` would reject. Callers then parse with `yaml`, which produces the
 * diagnostics: this reader never reports an error of its own. `test/rules/fast-yaml.test.ts`
 * compares it with `yaml` over the repository's YAML and generated documents.
 *
 * Why: `yaml` builds a token stream, a CST and a document of node objects for every file, which
 * was most of the time of loading thousands of rules; this reads each line once.
 */

export type FastScalarType = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

interface FastBase {
  /** `yaml`'s node range: where the node starts, where its value ends, where the node ends. */
  range: [number, number, number];
  /** 1-based line and column of `range[0]` (the object the loader's positions map holds, shared). */
  position: { line: number; column: number };
}

export interface FastScalar extends FastBase {
  kind: 'scalar';
  value: string | number | boolean | null;
  type: FastScalarType;
  /** The scalar's text before resolution (a plain `0x1F` is the number 31 with source `0x1F`). */
  source: string;
}

export interface FastMap extends FastBase {
  kind: 'map';
  keys: FastScalar[];
  values: FastNode[];
}

export interface FastSeq extends FastBase {
  kind: 'seq';
  items: FastNode[];
}

export type FastNode = FastScalar | FastMap | FastSeq;

export interface FastYamlDocument {
  root: FastMap;
  /** Plain data, as `doc.toJS()` gives it. */
  data: Record<string, unknown>;
  /** `yaml`'s document range. */
  range: [number, number, number];
}

/** Thrown inside the reader when the text leaves the supported subset; never escapes it. */
const DECLINE = Symbol('decline');

const NUL = -1;

/**
 * Parse `text`, or return `undefined` when it is not in the supported subset (or not valid YAML).
 * `maxDepth` is the deepest nesting of collections accepted (deeper documents are declined so that
 * the caller's own limit check reports them).
 */
export function fastParseYaml(text: string, maxDepth = 64): FastYamlDocument | undefined {
  if (text.length === 0 || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new Reader(text, maxDepth).document();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}

function decline(): never {
  throw DECLINE;
}

const CORE_NULL = /^(?:~|[Nn]ull|NULL)$/;
const CORE_TRUE = /^(?:[Tt]rue|TRUE)$/;
const CORE_FALSE = /^(?:[Ff]alse|FALSE)$/;
const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_OCT = /^0o[0-7]+$/;
const CORE_HEX = /^0x[0-9a-fA-F]+$/;
const CORE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const CORE_INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const CORE_NAN = /^\.(?:nan|NaN|NAN)$/;

/** A plain scalar's value under the YAML 1.2 core schema, as `yaml` resolves it. */
export function resolvePlain(s: string): string | number | boolean | null {
  const c = s.charCodeAt(0);
  // Only these first characters can start a non-string: digits, sign, dot, n N ~ t T f F.
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 110 || c === 78 || c === 126 || c === 116 || c === 84 || c === 102 || c === 70)) return s;
  if (CORE_NULL.test(s)) return null;
  if (CORE_TRUE.test(s)) return true;
  if (CORE_FALSE.test(s)) return false;
  if (CORE_INT.test(s)) return parseInt(s, 10);
  if (CORE_OCT.test(s)) return parseInt(s.slice(2), 8);
  if (CORE_HEX.test(s)) return parseInt(s.slice(2), 16);
  if (CORE_FLOAT.test(s)) return parseFloat(s);
  if (CORE_INF.test(s)) return s.charCodeAt(0) === 45 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (CORE_NAN.test(s)) return Number.NaN;
  return s;
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const DASH = 45;

class Reader {
  private readonly starts: number[] = [0];
  /** End of each line's content (before `\r\n` or `\n`). */
  private readonly ends: number[] = [];
  private readonly lines: number;
  /** Index of the last line the node just read took. */
  private line = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {
    const t = text;
    let from = 0;
    for (;;) {
      const nl = t.indexOf('\n', from);
      if (nl < 0) {
        if (t.indexOf('\r', from) >= 0) decline();
        this.ends.push(t.length);
        break;
      }
      const cr = t.indexOf('\r', from);
      if (cr >= 0 && cr < nl - 1) decline(); // a lone CR is a line break of its own
      this.ends.push(cr === nl - 1 ? nl - 1 : nl);
      from = nl + 1;
      this.starts.push(from);
    }
    this.lines = this.starts.length;
  }

  document(): FastYamlDocument {
    const t = this.text;
    let first = this.nextContent(0);
    if (first >= this.lines) decline();
    let docStart = -1;
    const s = this.starts[first] as number;
    if (t.startsWith('---', s)) {
      // `---` alone (or with a comment) on the first content line; anything before it is declined.
      if (first !== 0) decline();
      const after = s + 3;
      const end = this.ends[first] as number;
      if (after < end) {
        let p = after;
        while (p < end && t.charCodeAt(p) === SPACE) p++;
        if (p === after || (p < end && t.charCodeAt(p) !== HASH)) decline();
      }
      docStart = s;
      first = this.nextContent(first + 1);
      if (first >= this.lines) decline();
    }
    if (this.indent(first) !== 0) decline();
    const root = this.blockMap(first, 0, 1);
    const after = this.nextSibling();
    if (after < this.lines) decline();
    const data = this.js(root) as Record<string, unknown>;
    return { root, data, range: [docStart >= 0 ? docStart : root.range[0], root.range[1], t.length] };
  }

  private js(node: FastNode): unknown {
    if (node.kind === 'scalar') return node.value;
    if (node.kind === 'seq') return node.items.map((n) => this.js(n));
    const out: Record<string, unknown> = {};
    const { keys, values } = node;
    for (let i = 0; i < keys.length; i++) out[(keys[i] as FastScalar).value as string] = this.js(values[i] as FastNode);
    return out;
  }

  /** Spaces before the line's first character; a tab there is declined. */
  private indent(line: number): number {
    const t = this.text;
    const s = this.starts[line] as number;
    const e = this.ends[line] as number;
    let p = s;
    while (p < e && t.charCodeAt(p) === SPACE) p++;
    if (p < e && t.charCodeAt(p) === TAB) decline();
    return p - s;
  }

  /** Whether the line holds nothing but spaces or a comment. */
  private isBlank(line: number): boolean {
    const t = this.text;
    const e = this.ends[line] as number;
    let p = this.starts[line] as number;
    while (p < e) {
      const c = t.charCodeAt(p);
      if (c === SPACE) p++;
      else if (c === TAB) decline();
      else return c === HASH;
    }
    return true;
  }

  /** The first line at or after `line` with content, or `this.lines`. */
  private nextContent(line: number): number {
    let l = line;
    while (l < this.lines && this.isBlank(l)) l++;
    return l;
  }

  /**
   * The next line with content after the node just read. Comment lines on their own between the two
   * are accepted only where `yaml` leaves every node range alone: at the root's indentation, or at
   * the indentation of the next line (they then belong to the next key or item). Elsewhere `yaml`
   * stretches the end of the node before them over them, which this reader does not model.
   */
  private nextSibling(): number {
    const t = this.text;
    let l = this.line + 1;
    let comments: number[] | undefined;
    for (; l < this.lines; l++) {
      const s = this.starts[l] as number;
      const e = this.ends[l] as number;
      let p = s;
      while (p < e && t.charCodeAt(p) === SPACE) p++;
      if (p >= e) continue;
      const c = t.charCodeAt(p);
      if (c === TAB) decline();
      if (c !== HASH) break;
      (comments ??= []).push(p - s);
    }
    if (comments) {
      const next = l < this.lines ? this.indent(l) : -1;
      for (const c of comments) if (c !== 0 && c !== next) decline();
    }
    return l;
  }

  private isSeqItem(line: number, indent: number): boolean {
    const t = this.text;
    const p = (this.starts[line] as number) + indent;
    if (t.charCodeAt(p) !== DASH) return false;
    const c = p + 1 < (this.ends[line] as number) ? t.charCodeAt(p + 1) : NUL;
    return c === SPACE || c === NUL;
  }

  private pos(line: number, offset: number): { line: number; column: number } {
    return { line: line + 1, column: offset - (this.starts[line] as number) + 1 };
  }

  /** A block mapping whose keys sit at column `indent` (0-based), the first on `line`. */
  private blockMap(line: number, indent: number, depth: number): FastMap {
    if (depth > this.maxDepth) decline();
    const t = this.text;
    const keys: FastScalar[] = [];
    const values: FastNode[] = [];
    let l = line;
    let start = -1;
    for (;;) {
      const ks = (this.starts[l] as number) + indent;
      const key = this.key(l, ks);
      const name = key.node.value as string;
      if (name === '__proto__' || name === '<<') decline();
      // Rule mappings are small: a scan of the keys so far is cheaper than a set per mapping.
      for (let i = 0; i < keys.length; i++) if ((keys[i] as FastScalar).value === name) decline();
      if (start < 0) start = ks;
      let p = key.colon + 1;
      const end = this.ends[l] as number;
      while (p < end && t.charCodeAt(p) === SPACE) p++;
      let value: FastNode;
      if (p < end && t.charCodeAt(p) === TAB) decline();
      if (p >= end || t.charCodeAt(p) === HASH) {
        if (p < end && p === key.colon + 1) decline();
        const next = this.nextContent(l + 1);
        if (next >= this.lines) decline();
        const ind = this.indent(next);
        if (ind > indent) {
          if (this.isSeqItem(next, ind)) value = this.blockSeq(next, ind, depth + 1);
          else if (this.looksLikeKey(next, (this.starts[next] as number) + ind)) value = this.blockMap(next, ind, depth + 1);
          else decline();
        } else if (ind === indent && this.isSeqItem(next, ind)) value = this.blockSeq(next, ind, depth + 1);
        else decline();
      } else {
        this.line = l;
        value = this.inlineValue(l, p, indent, depth);
      }
      keys.push(key.node);
      values.push(value);
      const next = this.nextSibling();
      if (next >= this.lines) break;
      const ind = this.indent(next);
      if (ind < indent) break;
      if (ind > indent || this.isSeqItem(next, ind)) decline();
      l = next;
    }
    const last = values[values.length - 1] as FastNode;
    return { kind: 'map', keys, values, range: [start, last.range[2], last.range[2]], position: this.pos(line, start) };
  }

  /** Whether a mapping key starts at `p`: a plain or quoted scalar followed by `: ` or `:` at the end. */
  private looksLikeKey(line: number, p: number): boolean {
    const t = this.text;
    const end = this.ends[line] as number;
    const c = t.charCodeAt(p);
    if (c === 34 || c === 39) {
      // The closing quote (a doubled single quote or an escaped double quote does not close).
      let q = p + 1;
      for (;;) {
        if (q >= end) return false;
        const d = t.charCodeAt(q);
        if (c === 34 && d === 92) q += 2;
        else if (d === c) {
          if (c === 39 && t.charCodeAt(q + 1) === 39) q += 2;
          else break;
        } else q++;
      }
      q++;
      while (q < end && t.charCodeAt(q) === SPACE) q++;
      if (q >= end || t.charCodeAt(q) !== COLON) return false;
      const n = q + 1 < end ? t.charCodeAt(q + 1) : NUL;
      return n === SPACE || n === NUL || n === TAB;
    }
    for (let q = p; q < end; q++) {
      const d = t.charCodeAt(q);
      if (d === COLON) {
        const n = q + 1 < end ? t.charCodeAt(q + 1) : NUL;
        if (n === SPACE || n === NUL || n === TAB) return true;
      } else if (d === HASH && q > p && t.charCodeAt(q - 1) === SPACE) return false;
    }
    return false;
  }

  /** A mapping key at `p` and its `:`. */
  private key(line: number, p: number): { node: FastScalar; colon: number } {
    const t = this.text;
    const end = this.ends[line] as number;
    const c = t.charCodeAt(p);
    let node: FastScalar;
    let q: number;
    if (c === 34 || c === 39) {
      const quoted = this.quoted(line, p, end);
      node = quoted.node;
      q = quoted.end;
      while (q < end && t.charCodeAt(q) === SPACE) q++;
      if (t.charCodeAt(q) !== COLON) decline();
      const n = q + 1 < end ? t.charCodeAt(q + 1) : NUL;
      if (n !== SPACE && n !== NUL) decline();
      node.range = [node.range[0], node.range[1], node.range[1]];
    } else {
      if (!plainStart(t, p, end)) decline();
      q = p;
      let colon = -1;
      while (q < end) {
        const d = t.charCodeAt(q);
        if (d === COLON) {
          const n = q + 1 < end ? t.charCodeAt(q + 1) : NUL;
          if (n === SPACE || n === NUL) {
            colon = q;
            break;
          }
          if (n === TAB) decline();
        } else if (d === HASH && t.charCodeAt(q - 1) === SPACE) decline();
        else if (d === TAB) decline();
        q++;
      }
      if (colon < 0) decline();
      let e = colon;
      while (e > p && t.charCodeAt(e - 1) === SPACE) e--;
      const source = t.slice(p, e);
      const value = resolvePlain(source);
      if (typeof value !== 'string') decline();
      node = { kind: 'scalar', value, type: 'PLAIN', source, range: [p, e, e], position: this.pos(line, p) };
      q = colon;
    }
    return { node, colon: q };
  }

  /** A sequence whose `-` indicators sit at column `indent`, the first on `line`. */
  private blockSeq(line: number, indent: number, depth: number): FastSeq {
    if (depth > this.maxDepth) decline();
    const t = this.text;
    const items: FastNode[] = [];
    let l = line;
    const start = (this.starts[line] as number) + indent;
    for (;;) {
      const dash = (this.starts[l] as number) + indent;
      const end = this.ends[l] as number;
      let p = dash + 1;
      while (p < end && t.charCodeAt(p) === SPACE) p++;
      if (p >= end || t.charCodeAt(p) === HASH || t.charCodeAt(p) === TAB) decline();
      const column = p - (this.starts[l] as number);
      let item: FastNode;
      if (this.isSeqItem(l, column)) decline();
      const opening = t.charCodeAt(p);
      // `- {a: b}` is a flow mapping item, not a key (a flow collection as a key is declined later).
      if (opening !== 123 && opening !== 91 && this.looksLikeKey(l, p)) item = this.blockMap(l, column, depth + 1);
      else {
        this.line = l;
        item = this.inlineValue(l, p, indent, depth);
      }
      items.push(item);
      const next = this.nextSibling();
      if (next >= this.lines) break;
      const ind = this.indent(next);
      if (ind < indent) break;
      if (ind > indent) decline();
      if (!this.isSeqItem(next, ind)) break; // a key of the mapping this sequence is a value of
      l = next;
    }
    const last = items[items.length - 1] as FastNode;
    return { kind: 'seq', items, range: [start, last.range[2], last.range[2]], position: this.pos(line, start) };
  }

  /** A value that starts at `p` on `line`, inside a collection at column `parent`. */
  private inlineValue(line: number, p: number, parent: number, depth: number): FastNode {
    const t = this.text;
    const c = t.charCodeAt(p);
    const end = this.ends[line] as number;
    if (c === 124 || c === 62) return this.blockScalar(line, p, parent);
    if (c === 34 || c === 39) {
      const { node, end: after } = this.quoted(line, p, end, parent);
      node.range[2] = this.trailing(this.line, after);
      return node;
    }
    if (c === 91) return this.flowSeq(line, p, depth);
    if (c === 123) return this.flowMap(line, p, depth);
    return this.plain(line, p, parent);
  }

  /**
   * After a value that ends at `after`: only spaces and a comment may follow on the line. Returns
   * the node end `yaml` reports: past the spaces, and past the line break when no comment follows.
   */
  private trailing(line: number, after: number): number {
    const t = this.text;
    const end = this.ends[line] as number;
    let q = after;
    while (q < end && t.charCodeAt(q) === SPACE) q++;
    if (q < end && (t.charCodeAt(q) !== HASH || q === after)) decline();
    // A comment after the value on its line belongs to the node.
    return this.lineBreakEnd(line);
  }

  /** Offset just past the line's break (or the text's end). */
  private lineBreakEnd(line: number): number {
    return line + 1 < this.lines ? (this.starts[line + 1] as number) : this.text.length;
  }

  /**
   * A quoted scalar at `p`. With `parent` ≥ 0 it may continue on following lines indented more
   * than `parent` (folded: one line break is a space, each blank line a line break); with -1 it
   * must close on its line.
   */
  private quoted(line: number, p: number, end: number, parent = -1): { node: FastScalar; end: number } {
    const t = this.text;
    const quote = t.charCodeAt(p);
    let seg = this.segment(quote, p + 1, end);
    let value = seg.text;
    let l = line;
    if (seg.close < 0) {
      if (parent < 0) decline();
      value = this.foldableSegment(quote, p + 1, end);
      let blanks = 0;
      for (;;) {
        l++;
        if (l >= this.lines) decline();
        const s = this.starts[l] as number;
        const e = this.ends[l] as number;
        let q = s;
        while (q < e && t.charCodeAt(q) === SPACE) q++;
        if (q < e && t.charCodeAt(q) === TAB) decline();
        if (q >= e) {
          blanks++;
          continue;
        }
        if (q - s <= parent) decline();
        if (q === s && (t.startsWith('---', s) || t.startsWith('...', s))) decline();
        const fold = blanks ? '\n'.repeat(blanks) : ' ';
        blanks = 0;
        seg = this.segment(quote, q, e);
        if (seg.close >= 0) {
          value += fold + seg.text;
          break;
        }
        value += fold + this.foldableSegment(quote, q, e);
      }
    }
    const i = seg.close + 1;
    this.line = l;
    return { node: { kind: 'scalar', value, type: quote === 39 ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE', source: value, range: [p, i, i], position: this.pos(line, p) }, end: i };
  }

  /** A line of a quoted scalar that does not close on it, without its trailing white space. */
  private foldableSegment(quote: number, from: number, end: number): string {
    const t = this.text;
    let e = end;
    while (e > from && (t.charCodeAt(e - 1) === SPACE || t.charCodeAt(e - 1) === TAB)) e--;
    if (e > from && t.charCodeAt(e - 1) === 92) decline(); // an escaped line break or white space
    const seg = this.segment(quote, from, e);
    if (seg.close >= 0) decline();
    return seg.text;
  }

  /** Decode a quoted scalar's text from `from` up to its closing quote (`close`) or `to` (`close` -1). */
  private segment(quote: number, from: number, to: number): { text: string; close: number } {
    const t = this.text;
    let value = '';
    let i = from;
    if (quote === 39) {
      for (;;) {
        const close = t.indexOf("'", i);
        if (close < 0 || close >= to) return { text: value + t.slice(i, to), close: -1 };
        value += t.slice(i, close);
        if (close + 1 < to && t.charCodeAt(close + 1) === 39) {
          value += "'";
          i = close + 2;
        } else return { text: value, close };
      }
    }
    let run = i;
    for (;;) {
      if (i >= to) return { text: value + t.slice(run, to), close: -1 };
      const c = t.charCodeAt(i);
      if (c === 34) return { text: value + t.slice(run, i), close: i };
      if (c === 92) {
        value += t.slice(run, i);
        const esc = this.escape(i, to);
        value += esc.text;
        i = esc.next;
        run = i;
      } else i++;
    }
  }

  private escape(i: number, end: number): { text: string; next: number } {
    const t = this.text;
    if (i + 1 >= end) decline();
    const e = t[i + 1] as string;
    const simple = ESCAPES[e];
    if (simple !== undefined) return { text: simple, next: i + 2 };
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (!width || i + 2 + width > end) decline();
    const hex = t.slice(i + 2, i + 2 + width);
    if (!/^[0-9a-fA-F]+$/.test(hex)) decline();
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) decline();
    // Lone surrogates are what yaml's String.fromCodePoint would give too, but keep clear of them.
    if (code >= 0xd800 && code <= 0xdfff) decline();
    return { text: String.fromCodePoint(code), next: i + 2 + width };
  }

  /** A plain scalar at `p`, possibly continued on following lines indented more than `parent`. */
  private plain(line: number, p: number, parent: number): FastScalar {
    const t = this.text;
    if (!plainStart(t, p, this.ends[line] as number)) decline();
    let e = this.plainLineEnd(line, p);
    let value = t.slice(p, e);
    let l = line;
    let valueEnd = e;
    let multi = false;
    // Continuation lines: more indented than the parent, not comments.
    if (this.afterPlain(line, e) === (this.ends[line] as number)) {
      let next = l + 1;
      let blanks = 0;
      while (next < this.lines) {
        const ind = this.indent(next);
        const s = (this.starts[next] as number) + ind;
        const lineEnd = this.ends[next] as number;
        if (s >= lineEnd) {
          blanks++;
          next++;
          continue;
        }
        if (t.charCodeAt(s) === HASH || ind <= parent) break;
        if (ind === 0 && (t.startsWith('---', s) || t.startsWith('...', s))) decline();
        const ce = this.plainLineEnd(next, s);
        if (this.afterPlain(next, ce) !== lineEnd) decline(); // a comment inside a multi-line plain scalar
        value += blanks ? '\n'.repeat(blanks) : ' ';
        value += t.slice(s, ce);
        multi = true;
        blanks = 0;
        l = next;
        valueEnd = ce;
        next++;
      }
    }
    this.line = l;
    const resolved = multi ? value : resolvePlain(value);
    e = valueEnd;
    const node: FastScalar = { kind: 'scalar', value: resolved, type: 'PLAIN', source: value, range: [p, e, this.trailing(l, e)], position: this.pos(line, p) };
    return node;
  }

  /** Where a plain scalar's text on this line ends (trailing spaces excluded); `: ` is declined. */
  private plainLineEnd(line: number, p: number): number {
    const t = this.text;
    const end = this.ends[line] as number;
    let q = p;
    let e = p;
    while (q < end) {
      const c = t.charCodeAt(q);
      if (c === SPACE) {
        q++;
        continue;
      }
      if (c === TAB) decline();
      if (c === HASH && q > p && t.charCodeAt(q - 1) === SPACE) break;
      if (c === COLON) {
        const n = q + 1 < end ? t.charCodeAt(q + 1) : NUL;
        if (n === SPACE || n === NUL || n === TAB) decline();
      }
      q++;
      e = q;
    }
    return e;
  }

  /** The first offset after a plain scalar's text that is not a space (the line end or a `#`). */
  private afterPlain(line: number, e: number): number {
    const t = this.text;
    const end = this.ends[line] as number;
    let q = e;
    while (q < end && t.charCodeAt(q) === SPACE) q++;
    return q;
  }

  /**
   * A scalar inside a flow collection closed by `closer` (`]` or `}`), quoted or plain, starting at
   * `q`: its node (range ending past the spaces after it, as `yaml` gives it) and where it ends. A
   * plain one stops at `,` or the closer; a nested collection, a `:`, a tab or a comment declines.
   */
  private flowScalar(line: number, q: number, end: number, closer: number): { node: FastScalar; end: number } {
    const t = this.text;
    const c = t.charCodeAt(q);
    let node: FastScalar;
    if (c === 34 || c === 39) {
      const quoted = this.quoted(line, q, end);
      node = quoted.node;
      q = quoted.end;
    } else {
      if (!plainStart(t, q, end) || c === 45 || c === 44 || c === closer) decline();
      const s = q;
      let e = q;
      while (q < end) {
        const d = t.charCodeAt(q);
        if (d === 44 || d === closer) break;
        if (d === 91 || d === 93 || d === 123 || d === 125 || d === COLON || d === TAB || d === HASH) decline();
        q++;
        if (d !== SPACE) e = q;
      }
      const source = t.slice(s, e);
      node = { kind: 'scalar', value: resolvePlain(source), type: 'PLAIN', source, range: [s, e, e], position: this.pos(line, s) };
    }
    while (q < end && t.charCodeAt(q) === SPACE) q++;
    node.range[2] = q;
    return { node, end: q };
  }

  /** After an entry of a flow collection, at `q`: past a `,` (another entry follows) or past `closer` (`closed`). */
  private flowSeparator(q: number, end: number, closer: number): { next: number; closed: boolean } {
    const d = q < end ? this.text.charCodeAt(q) : NUL;
    if (d === 44) return { next: q + 1, closed: false };
    if (d === closer) return { next: q + 1, closed: true };
    decline();
  }

  /** `[a, 'b', "c"]` on one line, items plain or quoted scalars. */
  private flowSeq(line: number, p: number, depth: number): FastSeq {
    if (depth + 1 > this.maxDepth) decline();
    const t = this.text;
    const end = this.ends[line] as number;
    const items: FastNode[] = [];
    let q = p + 1;
    for (;;) {
      while (q < end && t.charCodeAt(q) === SPACE) q++;
      if (q >= end) decline();
      const c = t.charCodeAt(q);
      if (c === 93) {
        q++;
        break;
      }
      const scalar = this.flowScalar(line, q, end, 93);
      items.push(scalar.node);
      const after = this.flowSeparator(scalar.end, end, 93);
      q = after.next;
      if (after.closed) break;
    }
    return { kind: 'seq', items, range: [p, q, this.trailing(line, q)], position: this.pos(line, p) };
  }

  /**
   * A single-line flow mapping of scalars with plain keys, `{id: T1021, name: Remote Services}`
   * (native rules write ATT&CK entries so). Nested collections, quoted or empty keys, a value with
   * a `:`, an empty mapping and a trailing comma are declined.
   */
  private flowMap(line: number, p: number, depth: number): FastMap {
    if (depth + 1 > this.maxDepth) decline();
    const t = this.text;
    const end = this.ends[line] as number;
    const keys: FastScalar[] = [];
    const values: FastNode[] = [];
    let q = p + 1;
    for (;;) {
      while (q < end && t.charCodeAt(q) === SPACE) q++;
      if (q >= end || !plainStart(t, q, end)) decline();
      const c = t.charCodeAt(q);
      if (c === 34 || c === 39 || c === 45 || c === 63) decline();
      const ks = q;
      while (q < end && t.charCodeAt(q) !== COLON) {
        const d = t.charCodeAt(q);
        if (d === 44 || d === 91 || d === 93 || d === 123 || d === 125 || d === HASH || d === TAB) decline();
        q++;
      }
      if (q + 1 >= end || t.charCodeAt(q + 1) !== SPACE) decline();
      let ke = q;
      while (ke > ks && t.charCodeAt(ke - 1) === SPACE) ke--;
      const keySource = t.slice(ks, ke);
      const name = resolvePlain(keySource);
      if (typeof name !== 'string' || name === '__proto__' || name === '<<') decline();
      for (let i = 0; i < keys.length; i++) if ((keys[i] as FastScalar).value === name) decline();
      keys.push({ kind: 'scalar', value: name, type: 'PLAIN', source: keySource, range: [ks, ke, ke], position: this.pos(line, ks) });
      q++;
      while (q < end && t.charCodeAt(q) === SPACE) q++;
      if (q >= end) decline();
      const scalar = this.flowScalar(line, q, end, 125);
      values.push(scalar.node);
      const after = this.flowSeparator(scalar.end, end, 125);
      q = after.next;
      if (after.closed) break;
    }
    return { kind: 'map', keys, values, range: [p, q, this.trailing(line, q)], position: this.pos(line, p) };
  }

  /** `|` or `>` at `p`, with optional chomping indicator; content on the following lines. */
  private blockScalar(line: number, p: number, parent: number): FastScalar {
    const t = this.text;
    const end = this.ends[line] as number;
    const folded = t.charCodeAt(p) === 62;
    let q = p + 1;
    let chomp = '';
    if (q < end && (t[q] === '-' || t[q] === '+')) chomp = t[q++] as string;
    // Keep chomping (`+`) is declined: yaml's treatment of the kept trailing lines is intricate.
    if (chomp === '+') decline();
    // Header: nothing but spaces and a comment may follow (an indentation indicator is declined).
    const h = q;
    while (q < end && t.charCodeAt(q) === SPACE) q++;
    if (q < end && (t.charCodeAt(q) !== HASH || q === h)) decline();
    // Content lines: blank, or indented at least as much as the first non-blank one.
    let contentIndent = -1;
    let maxLeadingBlank = 0;
    const lines: Array<[number, number]> = []; // [line, indent]
    let l = line + 1;
    for (; l < this.lines; l++) {
      const s = this.starts[l] as number;
      const e = this.ends[l] as number;
      let ind = 0;
      while (s + ind < e && t.charCodeAt(s + ind) === SPACE) ind++;
      if (s + ind >= e) {
        if (contentIndent < 0 && ind > maxLeadingBlank) maxLeadingBlank = ind;
        lines.push([l, ind]);
        continue;
      }
      if (contentIndent < 0) {
        if (ind <= parent) break;
        if (t.charCodeAt(s + ind) === TAB) decline();
        contentIndent = ind;
        if (maxLeadingBlank > ind) decline();
      } else if (ind < contentIndent) break;
      if (ind === 0 && (t.startsWith('---', s) || t.startsWith('...', s))) decline();
      lines.push([l, ind]);
    }
    if (contentIndent < 0) decline(); // no content: an empty block scalar
    // Trailing blank lines belong to the scalar's chomping, not its content.
    let last = lines.length;
    while (last > 0 && (this.starts[(lines[last - 1] as [number, number])[0]] as number) + (lines[last - 1] as [number, number])[1] >= (this.ends[(lines[last - 1] as [number, number])[0]] as number)) last--;
    // More-indented trailing blank lines are content (yaml keeps their spaces).
    for (let i = lines.length - 1; i >= last; i--) {
      if ((lines[i] as [number, number])[1] > contentIndent) {
        last = i + 1;
        break;
      }
    }
    let value = '';
    let sep = '';
    let prevMore = false;
    for (let i = 0; i < last; i++) {
      const [ln, ind] = lines[i] as [number, number];
      const s = this.starts[ln] as number;
      const e = this.ends[ln] as number;
      const content = t.slice(s + Math.min(ind, contentIndent), e);
      const isEmpty = s + ind >= e;
      if (!folded) {
        value += sep + content;
        sep = '\n';
      } else if (ind > contentIndent && !isEmpty) {
        if (sep === ' ') sep = '\n';
        else if (!prevMore && sep === '\n') sep = '\n\n';
        value += sep + content;
        sep = '\n';
        prevMore = true;
      } else if (isEmpty && ind <= contentIndent) {
        if (sep === '\n') value += '\n';
        else sep = '\n';
      } else if (isEmpty) {
        // a more-indented blank line inside a folded scalar keeps its spaces
        if (sep === ' ') sep = '\n';
        else if (!prevMore && sep === '\n') sep = '\n\n';
        value += sep + content;
        sep = '\n';
        prevMore = true;
      } else {
        if (t.charCodeAt(s + ind) === TAB) decline();
        value += sep + content;
        sep = ' ';
        prevMore = false;
      }
    }
    if (chomp === '+') {
      for (let i = last; i < lines.length; i++) {
        const [ln, ind] = lines[i] as [number, number];
        value += '\n' + ' '.repeat(Math.max(0, ind - contentIndent));
        void ln;
      }
      if (value[value.length - 1] !== '\n') value += '\n';
    } else if (chomp === '') value += '\n';
    // The scalar ends after its last line (blank ones included) and that line's break.
    const lastLine = (lines[last - 1] as [number, number])[0];
    const nodeEnd = this.lineBreakEnd(lastLine);
    // Tabs inside content are kept; tabs in indentation would have been declined above.
    this.line = lastLine;
    return { kind: 'scalar', value, type: folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL', source: value, range: [p, nodeEnd, nodeEnd], position: this.pos(line, p) };
  }
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** Whether a plain scalar may start at `p` (YAML's indicator characters may not start one). */
function plainStart(t: string, p: number, end: number): boolean {
  const c = t.charCodeAt(p);
  switch (c) {
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case 35: // #
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case 39: // '
    case 34: // "
    case 37: // %
    case 64: // @
    case 96: // `
    case TAB:
      return false;
    case DASH:
    case 63: // ?
    case COLON: {
      const n = p + 1 < end ? t.charCodeAt(p + 1) : NUL;
      return n !== SPACE && n !== NUL && n !== TAB;
    }
    default:
      return true;
  }
}
