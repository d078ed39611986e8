/**
 * A fast reader for the TOML that Elastic detection rules are written in: `[table]` and
 * `[[array.of.tables]]` headers with bare or quoted keys (`[rule.threat_filters."$state"]`),
 * `key = value` lines, values that are strings (basic, literal, and their multi-line forms),
 * decimal integers, booleans, arrays of those (over several lines, with comments and a trailing
 * comma) and inline tables (`{ field = "host.id", excluded = false }`, as investigation guides'
 * query providers and alert suppression durations write them), and comments.
 *
 * It gives the same data as toml-eslint-parser's `getStaticTOMLValue` and the same key positions
 * `elastic-toml.ts` collects from that parser's AST, or `undefined` for anything else (floats,
 * dates, dotted keys, CRLF, control characters, a key or table defined twice, …) and for every
 * text the parser would reject: the caller then parses with
 * toml-eslint-parser, which reports the errors. `test/rules/fast-toml.test.ts` compares the two.
 */
import type { Position } from './model.js';

export interface FastTomlString {
  /** Offset of the opening quote. */
  start: number;
  line: number;
  /** 0-based, as the parser's `loc.start.column`. */
  column: number;
  multiline: boolean;
}

export interface FastToml {
  data: Record<string, unknown>;
  /** Dotted path → position of its key (tables: of their header), first one wins, as `collect` builds it. */
  positions: Map<string, Position>;
  /** String values by dotted path (what `queryOrigin` needs of `rule.query`). */
  strings: Map<string, FastTomlString>;
}

const DECLINE = Symbol('decline');

function decline(): never {
  throw DECLINE;
}

export function fastParseToml(text: string): FastToml | undefined {
  // CR, control characters (other than tab and line feed) and DEL: left to the parser.
  if (/[\x00-\x08\x0b-\x1f\x7f\ufeff]/.test(text)) return undefined;
  try {
    return new TomlReader(text).read();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/y;
const INTEGER = /^(?:0|[+-]?[1-9][0-9]*)$/;

type Table = Record<string, unknown>;

class TomlReader {
  private p = 0;
  private line = 1;
  private lineStart = 0;
  private readonly data: Table = {};
  private readonly positions = new Map<string, Position>();
  private readonly strings = new Map<string, FastTomlString>();
  /** Tables written with a `[header]` (a second header for one is an error). */
  private readonly defined = new Set<Table>();
  /** Arrays made by `[[header]]` (only those take more `[[header]]` entries). */
  private readonly tableArrays = new Set<unknown[]>();
  /** Inline tables: complete as written, so no header may add to them or to tables inside them. */
  private readonly inlineTables = new Set<Table>();
  private current: Table = this.data;
  /** The current table's dotted path ('' at the root): every prefix of it is marked already. */
  private currentKey = '';

  constructor(private readonly text: string) {}

  read(): FastToml {
    const t = this.text;
    while (this.p < t.length) {
      this.skipBlankAndComments();
      if (this.p >= t.length) break;
      const c = t.charCodeAt(this.p);
      if (c === 91 /* [ */) this.header();
      else this.keyValue();
    }
    return { data: this.data, positions: this.positions, strings: this.strings };
  }

  /** Spaces, tabs, comments and line breaks. */
  private skipBlankAndComments(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.p);
      if (c === 32 || c === 9) this.p++;
      else if (c === 10) this.newline();
      else if (c === 35 /* # */) {
        const nl = t.indexOf('\n', this.p);
        this.p = nl < 0 ? t.length : nl;
      } else return;
    }
  }

  private newline(): void {
    this.p++;
    this.line++;
    this.lineStart = this.p;
  }

  /** After a value or header: spaces, an optional comment, then a line break or the end. */
  private endOfLine(): void {
    const t = this.text;
    while (t.charCodeAt(this.p) === 32 || t.charCodeAt(this.p) === 9) this.p++;
    if (t.charCodeAt(this.p) === 35) {
      const nl = t.indexOf('\n', this.p);
      this.p = nl < 0 ? t.length : nl;
    }
    if (this.p >= t.length) return;
    if (t.charCodeAt(this.p) !== 10) decline();
    this.newline();
  }

  private bareKey(): string {
    const t = this.text;
    const s = this.p;
    BARE_KEY.lastIndex = this.p;
    while (BARE_KEY.test(t)) this.p = BARE_KEY.lastIndex;
    if (this.p === s) decline();
    return t.slice(s, this.p);
  }

  /** A bare key, or a one-line basic or literal string as a key (`"file.path"`). */
  private key(): string {
    const c = this.text.charCodeAt(this.p);
    if (c !== 34 && c !== 39) return this.bareKey();
    // Two quotes open a multi-line string (no key) or are an empty key: both left to the parser.
    if (this.text.charCodeAt(this.p + 1) === c) decline();
    const key = this.string(c);
    if (key === '__proto__') decline();
    return key;
  }

  /** Mark one more key under a path whose prefixes are all marked; returns the dotted key. */
  private markUnder(parent: string, key: string | number, position: Position): string {
    const dotted = parent ? `${parent}.${key}` : String(key);
    if (!this.positions.has(dotted)) this.positions.set(dotted, position);
    return dotted;
  }

  private mark(path: (string | number)[], position: Position): void {
    let key = '';
    for (let n = 0; n < path.length; n++) {
      key = n === 0 ? String(path[0]) : `${key}.${String(path[n])}`;
      if (!this.positions.has(key)) this.positions.set(key, position);
    }
  }

  private header(): void {
    const t = this.text;
    const position = { line: this.line, column: this.p - this.lineStart + 1 };
    const array = t.charCodeAt(this.p + 1) === 91;
    this.p += array ? 2 : 1;
    const keys: string[] = [this.key()];
    while (t.charCodeAt(this.p) === 46 /* . */) {
      this.p++;
      keys.push(this.key());
    }
    if (t.charCodeAt(this.p) !== 93) decline();
    this.p++;
    if (array) {
      if (t.charCodeAt(this.p) !== 93) decline();
      this.p++;
    }
    this.endOfLine();
    // Walk to the parent: missing tables are made implicitly, arrays of tables go to their last entry.
    let target = this.data;
    const resolved: (string | number)[] = [];
    for (let i = 0; i < keys.length - 1; i++) {
      const key = keys[i] as string;
      const next: unknown = target[key];
      resolved.push(key);
      if (next === undefined) target = target[key] = {};
      else if (Array.isArray(next) && this.tableArrays.has(next)) {
        resolved.push(next.length - 1);
        target = next[next.length - 1] as Table;
      } else if (isTable(next) && !this.inlineTables.has(next)) target = next;
      else decline();
    }
    const last = keys[keys.length - 1] as string;
    const existing: unknown = target[last];
    resolved.push(last);
    let table: Table;
    if (array) {
      if (existing === undefined) {
        const list: unknown[] = [];
        this.tableArrays.add(list);
        target[last] = list;
        table = {};
        list.push(table);
        resolved.push(0);
      } else if (Array.isArray(existing) && this.tableArrays.has(existing)) {
        table = {};
        existing.push(table);
        resolved.push(existing.length - 1);
      } else decline();
    } else {
      if (existing === undefined) table = target[last] = {};
      else if (isTable(existing) && !this.defined.has(existing)) table = existing;
      else decline();
    }
    this.defined.add(table);
    this.current = table;
    this.mark(resolved, position);
    this.currentKey = resolved.join('.');
  }

  private keyValue(): void {
    this.keyValueInto(this.current, this.currentKey);
    this.endOfLine();
  }

  /** `key = value` into a table whose dotted path is `dotted` (up to the value's end). */
  private keyValueInto(table: Table, dotted: string): void {
    const t = this.text;
    const keyPosition = { line: this.line, column: this.p - this.lineStart + 1 };
    const key = this.key();
    while (t.charCodeAt(this.p) === 32 || t.charCodeAt(this.p) === 9) this.p++;
    if (t.charCodeAt(this.p) !== 61 /* = */) decline();
    this.p++;
    while (t.charCodeAt(this.p) === 32 || t.charCodeAt(this.p) === 9) this.p++;
    if (Object.prototype.hasOwnProperty.call(table, key) || key === '__proto__') decline();
    table[key] = this.value(this.markUnder(dotted, key, keyPosition));
  }

  /**
   * `{ key = value, ... }` on one line (TOML allows line breaks inside its values only: those are
   * left to the parser, as is a trailing comma, which TOML forbids here).
   */
  private inlineTable(dotted: string): Table {
    const t = this.text;
    const table: Table = {};
    this.inlineTables.add(table);
    this.defined.add(table);
    this.p++;
    const line = this.line;
    const blanks = () => {
      while (t.charCodeAt(this.p) === 32 || t.charCodeAt(this.p) === 9) this.p++;
    };
    blanks();
    if (t.charCodeAt(this.p) === 125 /* } */) {
      this.p++;
      return table;
    }
    for (;;) {
      this.keyValueInto(table, dotted);
      if (this.line !== line) decline();
      blanks();
      const c = t.charCodeAt(this.p);
      this.p++;
      if (c === 125) return table;
      if (c !== 44 /* , */) decline();
      blanks();
    }
  }

  private value(dotted: string): unknown {
    const t = this.text;
    const c = t.charCodeAt(this.p);
    if (c === 34 || c === 39) {
      const start = this.p;
      const line = this.line;
      const column = this.p - this.lineStart;
      const multiline = t.startsWith(c === 34 ? '"""' : "'''", this.p);
      const value = multiline ? this.multilineString(c) : this.string(c);
      this.strings.set(dotted, { start, line, column, multiline });
      return value;
    }
    if (c === 91) return this.array(dotted);
    if (c === 123) return this.inlineTable(dotted);
    // A bare token: boolean or decimal integer; anything else (floats, dates, inf, nan, hex…) is declined.
    const s = this.p;
    while (this.p < t.length) {
      const d = t.charCodeAt(this.p);
      if (d === 32 || d === 9 || d === 10 || d === 44 || d === 93 || d === 35) break;
      this.p++;
    }
    const token = t.slice(s, this.p);
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (INTEGER.test(token)) {
      const n = Number(token);
      if (!Number.isSafeInteger(n)) decline();
      return n;
    }
    return decline();
  }

  private array(dotted: string): unknown[] {
    const t = this.text;
    this.p++;
    const out: unknown[] = [];
    for (;;) {
      this.skipBlankAndComments();
      if (t.charCodeAt(this.p) === 93) {
        this.p++;
        return out;
      }
      out.push(this.value(this.markUnder(dotted, out.length, { line: this.line, column: this.p - this.lineStart + 1 })));
      this.skipBlankAndComments();
      const d = t.charCodeAt(this.p);
      if (d === 44) this.p++;
      else if (d === 93) {
        this.p++;
        return out;
      } else decline();
    }
  }

  private string(quote: number): string {
    const t = this.text;
    this.p++;
    if (quote === 39) {
      const close = t.indexOf("'", this.p);
      const nl = t.indexOf('\n', this.p);
      if (close < 0 || (nl >= 0 && nl < close)) decline();
      const value = t.slice(this.p, close);
      this.p = close + 1;
      return value;
    }
    let value = '';
    let run = this.p;
    for (;;) {
      if (this.p >= t.length) decline();
      const c = t.charCodeAt(this.p);
      if (c === 34) {
        value += t.slice(run, this.p);
        this.p++;
        return value;
      }
      if (c === 10) decline();
      if (c === 92) {
        value += t.slice(run, this.p);
        value += this.escape();
        run = this.p;
      } else this.p++;
    }
  }

  private escape(): string {
    const t = this.text;
    const e = t[this.p + 1];
    this.p += 2;
    switch (e) {
      case 'b':
        return '\b';
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'f':
        return '\f';
      case 'r':
        return '\r';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u':
      case 'U': {
        const width = e === 'u' ? 4 : 8;
        const hex = t.slice(this.p, this.p + width);
        if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) decline();
        const code = parseInt(hex, 16);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) decline();
        this.p += width;
        return String.fromCodePoint(code);
      }
      default:
        return decline();
    }
  }

  private multilineString(quote: number): string {
    const t = this.text;
    const delimiter = quote === 34 ? '"""' : "'''";
    this.p += 3;
    // A line break right after the opening delimiter is not part of the string.
    if (t.charCodeAt(this.p) === 10) this.newline();
    const close = t.indexOf(delimiter, this.p);
    if (close < 0) decline();
    // Quotes next to the closing delimiter (`""""`) are legal but rare: left to the parser.
    if (t.charCodeAt(close + 3) === quote || t.charCodeAt(close - 1) === quote || t.charCodeAt(close - 1) === 92) decline();
    const body = t.slice(this.p, close);
    let value: string;
    if (quote === 39) value = body;
    else {
      value = '';
      let run = 0;
      let i = 0;
      while (i < body.length) {
        if (body.charCodeAt(i) !== 92) {
          i++;
          continue;
        }
        value += body.slice(run, i);
        // A backslash at the end of a line (spaces may follow) joins it with the next non-blank text.
        let j = i + 1;
        while (body.charCodeAt(j) === 32 || body.charCodeAt(j) === 9) j++;
        if (body.charCodeAt(j) === 10) {
          while (j < body.length && (body.charCodeAt(j) === 32 || body.charCodeAt(j) === 9 || body.charCodeAt(j) === 10)) j++;
          i = j;
        } else {
          const saved = this.p;
          this.p = this.p + i;
          value += this.escape();
          i = this.p - saved;
          this.p = saved;
        }
        run = i;
      }
      value += body.slice(run);
    }
    // Keep line counting right across the string.
    for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) {
      this.line++;
      this.lineStart = this.p + i + 1;
    }
    this.p = close + 3;
    return value;
  }
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
