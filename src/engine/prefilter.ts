/**
 * Literal prefiltering: the literals a query requires (from the IR), gathered across all the rules
 * replayed on a dataset into one multi-pattern scan (an Aho-Corasick automaton) over each raw line,
 * so that lines no rule can match are never decoded or parsed.
 *
 * ## When a literal is "required"
 * An event can match a stage only if one of the stage's alternatives occurs, case-insensitively, in
 * the raw JSON line. That holds for ECS documents, which reach the engine as written, when:
 *  - the literal is compared with a string field read as stored (no computed binding, not a number,
 *    IP or date field, whose values the engine converts), by `==`, `in`, a wildcard `:`/`like`, or
 *    `startsWith`/`endsWith`/`stringContains`;
 *  - the part kept is a run of printable ASCII without `"`, `\` or `/`: JSON may escape those (`\/`),
 *    but writes every other printable ASCII character as itself, or as `\uXXXX`, and a line with a
 *    `\u` escape is always kept;
 *  - the part cannot be the text of a number or boolean (`"4688"` compared with a keyword field matches
 *    the JSON number `4.688e3`, whose raw text does not contain it);
 *  - the comparison is case-insensitive and the line is pure ASCII, or else the line is kept: Unicode
 *    case folding maps a few non-ASCII characters onto ASCII letters (the Kelvin sign to `k`).
 * `and` needs one conjunct's requirement (the most selective is kept), `or` needs every branch's
 * (their union), `not` and everything else need none (every line is kept). A sequence or sample needs
 * one of its stages' (every stage, also `until` and missing-event stages, since their events change
 * the outcome).
 */
import type { CompileContext } from './compile.js';
import type { Expr, QueryIR, Scalar, StageNode } from './ir.js';
import { isAscii } from 'node:buffer';
import { ipBytes } from './values.js';

/** Alternatives, lower-cased; null: no literal is required (every line must be read). */
export type Requirement = string[] | null;

/** Shortest literal worth scanning for: shorter ones occur in nearly every line. */
const MIN_LITERAL = 3;

function isSafeChar(c: number): boolean {
  return c >= 0x20 && c <= 0x7e && c !== 0x22 /* " */ && c !== 0x5c /* \ */ && c !== 0x2f /* / */;
}

/** Could `s` (lower-cased) be part of the text of a number or a boolean? */
function numberLike(s: string): boolean {
  if (/^[0-9.e+-]*$/.test(s)) return true;
  return '-infinity'.includes(s) || 'nan'.includes(s) || 'true'.includes(s) || 'false'.includes(s);
}

/** The longest usable run of `text` (split also at `breaks`), lower-cased, or undefined. */
export function bestSegment(text: string, breaks = ''): string | undefined {
  let best: string | undefined;
  let start = 0;
  const consider = (end: number) => {
    if (end - start >= MIN_LITERAL) {
      const seg = text.slice(start, end).toLowerCase();
      if (!numberLike(seg) && (!best || seg.length > best.length)) best = seg;
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isSafeChar(c) || breaks.includes(text[i] as string)) {
      consider(i);
      start = i + 1;
    }
  }
  consider(text.length);
  return best;
}

/**
 * Literals from these fields are in nearly every line of their kind (`windows`, `start`,
 * `incoming`): a conjunct on any other field is scanned for first.
 */
export const LOW_CARDINALITY: ReadonlySet<string> = new Set([
  'host.os.type', 'host.os.family', 'host.os.platform', 'host.os.name', 'event.type', 'event.kind', 'event.outcome', 'event.category',
  'event.module', 'event.dataset', 'event.provider', 'data_stream.dataset', 'data_stream.type', 'data_stream.namespace', 'agent.type',
  'network.direction', 'network.transport', 'network.protocol', 'network.type', 'winlog.channel', 'winlog.provider_name', 'ecs.version',
  'user.domain', 'event.action',
]);

/** Literals that came from low-cardinality fields (see `LOW_CARDINALITY`). */
const weak = new WeakSet<string[]>();

function quality(r: string[]): number {
  const min = Math.min(...r.map((s) => s.length));
  return weak.has(r) ? min / 100 : min;
}

/** The more selective of two requirements: longer shortest literal, then fewer alternatives. */
function better(a: Requirement, b: Requirement): Requirement {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length === 0) return a;
  if (b.length === 0) return b;
  const minA = quality(a);
  const minB = quality(b);
  if (minA !== minB) return minA > minB ? a : b;
  return a.length <= b.length ? a : b;
}

function union(reqs: Requirement[]): Requirement {
  const out = new Set<string>();
  let anyWeak = false;
  for (const r of reqs) {
    if (r === null) return null;
    if (weak.has(r)) anyWeak = true;
    for (const s of r) out.add(s);
  }
  const list = [...out].sort();
  if (anyWeak) weak.add(list);
  return list;
}

export interface LiteralContext {
  ctx: CompileContext;
}

/** Whether a field's stored value reaches comparisons as written (so its text is in the line). */
function verbatimField(ctx: CompileContext, e: Expr): boolean {
  if (e.kind !== 'field') return false;
  if (ctx.isNull(e)) return false;
  const b = ctx.bind(e);
  if (b.binding.get) return false;
  if (b.binding.path === '@timestamp') return false;
  return b.cls === 'string' || b.cls === 'version' || b.cls === 'loose';
}

function literalRequirement(ctx: CompileContext, field: Expr, value: Scalar, breaks = ''): Requirement {
  if (typeof value !== 'string') return null;
  const b = ctx.bind(field as Expr & { kind: 'field' });
  // An untyped field compares IP-looking literals as addresses (`::1` equals `0:0::1`).
  if (b.cls === 'loose' && ipBytes(value)) return null;
  const seg = bestSegment(value, breaks);
  if (!seg) return null;
  const req = [seg];
  if (LOW_CARDINALITY.has(b.binding.path)) weak.add(req);
  return req;
}

/** What an expression, used as a condition, requires of the raw line. */
export function exprRequirement(ctx: CompileContext, e: Expr): Requirement {
  switch (e.kind) {
    case 'and': {
      let best: Requirement = null;
      for (const t of e.terms) best = better(best, exprRequirement(ctx, t));
      return best;
    }
    case 'or':
      return union(e.terms.map((t) => exprRequirement(ctx, t)));
    case 'literal':
      return e.value === false || e.value === null ? [] : null;
    case 'compare': {
      if (e.op !== '==') return null;
      const [f, l] = e.left.kind === 'field' ? [e.left, e.right] : [e.right, e.left];
      if (l.kind !== 'literal' || !verbatimField(ctx, f)) return null;
      return literalRequirement(ctx, f, l.value);
    }
    case 'in': {
      if (!verbatimField(ctx, e.subject)) return null;
      const reqs: Requirement[] = [];
      for (const v of e.values) {
        if (v.kind !== 'literal') return null;
        if (v.value === null) continue;
        reqs.push(literalRequirement(ctx, e.subject, v.value));
      }
      return union(reqs);
    }
    case 'match': {
      if (e.mode !== 'wildcard' || !verbatimField(ctx, e.subject)) return null;
      const reqs: Requirement[] = [];
      for (const p of e.patterns) {
        if (p === null) continue;
        reqs.push(literalRequirement(ctx, e.subject, p, '*?'));
      }
      return union(reqs);
    }
    case 'call': {
      if (!['startsWith', 'endsWith', 'stringContains'].includes(e.name) || e.args.length !== 2) return null;
      const [f, l] = e.args as [Expr, Expr];
      if (l.kind !== 'literal' || !verbatimField(ctx, f)) return null;
      return literalRequirement(ctx, f, l.value);
    }
    default:
      return null;
  }
}

/** The requirement of a whole query, with the category as one more conjunct of each stage. */
export function queryRequirement(ir: QueryIR, ctx: CompileContext): Requirement {
  const category = ctx.bindPath('event.category');
  const categoryVerbatim = !category.binding.get && category.cls === 'string';
  const stage = (category_: string | null, condition: Expr): Requirement => {
    const req = exprRequirement(ctx, condition);
    // The category is in nearly every line of its kind: only worth scanning for when nothing else is.
    if (req === null && category_ !== null && categoryVerbatim) {
      const seg = bestSegment(category_);
      if (seg === category_.toLowerCase()) return [seg];
    }
    return req;
  };
  const root = ir.root;
  if (root.kind === 'event') return stage(root.category, root.condition);
  const stages: StageNode[] = [...root.stages, ...(root.kind === 'sequence' && root.until ? [root.until] : [])];
  return union(stages.map((s) => stage(s.query.category, s.query.condition)));
}

// ---------------------------------------------------------------------------------------------
// The scan: one automaton over the bytes of a line.

/** Decides whether a raw line may hold an event some rule can match. */
export interface RawLineTest {
  test(bytes: Uint8Array, start: number, end: number): boolean;
}

/**
 * Aho-Corasick over ASCII, case-folded, compiled to a dense transition table over the character
 * classes the literals use. A JSON escape (`\x`) resets the automaton (no literal holds `\`, `"`
 * or `/`, nor any character JSON writes as a short escape); a `\u` escape or (for case-insensitive
 * literals) a non-ASCII byte makes the line pass.
 */
export class LiteralScanner implements RawLineTest {
  readonly literals: readonly string[];
  /** Byte → character class: 0 other, 1..k the literals' characters (case-folded), then `\`, then bytes ≥ 0x80. */
  private readonly classOf = new Uint8Array(256);
  /**
   * `delta[offset + class]` is the next state's offset (state × width), or a negative signal:
   * ACCEPT (a literal ended), ESCAPE (a backslash) or UNICODE (a non-ASCII byte that may fold).
   */
  private readonly delta: Int32Array;
  /** Whether a non-ASCII byte can make a line match (some literal has a letter that may fold). */
  private readonly unicodeSensitive: boolean;
  /**
   * All the literals in one case-insensitive regular expression (an alternation), for
   * `keepPositions`; undefined beyond `MAX_NATIVE_LITERALS`. The literals are printable ASCII
   * (checked below), and a regular expression's `i` without `u` never matches a non-ASCII character
   * to an ASCII one, so it finds exactly the occurrences the lower-cased text would. The engine
   * compiles it to native code: one pass over a chunk costs about as much for a hundred literals as
   * for eight, and half of what the automaton's walk over every byte costs.
   */
  private readonly search: RegExp | undefined;

  constructor(literals: readonly string[]) {
    this.literals = [...new Set(literals.map((l) => l.toLowerCase()))].sort();
    for (const l of this.literals) {
      for (let i = 0; i < l.length; i++) {
        if (!isSafeChar(l.charCodeAt(i))) throw new Error(`prefilter literal ${JSON.stringify(l)} holds a character the scan cannot see`);
      }
    }
    this.search =
      this.literals.length <= MAX_NATIVE_LITERALS ? new RegExp(this.literals.map((l) => l.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'gi') : undefined;
    let classes = 0;
    for (const l of this.literals) {
      for (let i = 0; i < l.length; i++) {
        const c = l.charCodeAt(i);
        if (this.classOf[c] === 0) {
          this.classOf[c] = ++classes;
          if (c >= 0x61 && c <= 0x7a) this.classOf[c - 0x20] = classes;
        }
      }
    }
    const escapeClass = ++classes;
    const highClass = ++classes;
    this.classOf[0x5c] = escapeClass;
    for (let c = 0x80; c < 256; c++) this.classOf[c] = highClass;
    const w = classes + 1;
    const unicodeSensitive = this.literals.some((l) => /[a-z]/.test(l));
    this.unicodeSensitive = unicodeSensitive;
    // trie over the literal classes
    const next: Array<Map<number, number>> = [new Map()];
    const accepting: boolean[] = [false];
    for (const l of this.literals) {
      let s = 0;
      for (let i = 0; i < l.length; i++) {
        const k = this.classOf[l.charCodeAt(i)] as number;
        let t = next[s]!.get(k);
        if (t === undefined) {
          t = next.length;
          next.push(new Map());
          accepting.push(false);
          next[s]!.set(k, t);
        }
        s = t;
      }
      accepting[s] = true;
    }
    // breadth-first failure links folded into a dense table of state numbers, then signals
    const n = next.length;
    const goto = new Int32Array(n * w);
    const accept = new Uint8Array(n);
    const fail = new Int32Array(n);
    const order: number[] = [0];
    for (let qi = 0; qi < order.length; qi++) {
      const s = order[qi] as number;
      if (s !== 0) accept[s] = accepting[s] || accept[fail[s] as number] ? 1 : 0;
      for (let k = 0; k < w; k++) {
        const t = next[s]!.get(k);
        if (t !== undefined) {
          fail[t] = s === 0 ? 0 : (goto[(fail[s] as number) * w + k] as number);
          goto[s * w + k] = t;
          order.push(t);
        } else {
          goto[s * w + k] = s === 0 ? 0 : (goto[(fail[s] as number) * w + k] as number);
        }
      }
    }
    const delta = new Int32Array(n * w);
    for (let s = 0; s < n; s++) {
      for (let k = 0; k < w; k++) {
        const t = goto[s * w + k] as number;
        delta[s * w + k] = accept[t] ? ACCEPT : t * w;
      }
      delta[s * w + escapeClass] = ESCAPE;
      delta[s * w + highClass] = unicodeSensitive ? UNICODE : 0;
    }
    this.delta = delta;
  }

  test(bytes: Uint8Array, start: number, end: number): boolean {
    const classOf = this.classOf;
    const delta = this.delta;
    let s = 0;
    for (let i = start; i < end; i++) {
      s = delta[s + (classOf[bytes[i] as number] as number)] as number;
      if (s < 0) {
        if (s !== ESCAPE) return true;
        // `\uXXXX` may spell any character: keep the line. Any other escape stands for a character
        // no literal holds: skip it and start over.
        if (bytes[i + 1] === 0x75) return true;
        i++;
        s = 0;
      }
    }
    return false;
  }

  /**
   * The chunk-wide form of `test`, up to `MAX_NATIVE_LITERALS` literals: the positions in `bytes[start, end)` from
   * which a line must be kept — each occurrence of a literal (case-insensitively), of a `\u`
   * escape, and (when a literal has a letter) of a non-ASCII byte — found by the engine's native
   * search (one case-insensitive regular expression) over the chunk read as Latin-1, faster than
   * walking the automaton byte by byte. A line holding none of these positions is one `test`
   * rejects: a literal never holds `\`, `"` or `/`, so an occurrence cannot straddle an escape.
   * Undefined when there are too many literals for one expression (the automaton is used then).
   */
  keepPositions(bytes: Uint8Array, start: number, end: number, latin1?: string): number[] | undefined {
    const search = this.search;
    if (!search) return undefined;
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start);
    const raw = latin1 ?? chunk.toString('latin1');
    const at: number[] = [];
    search.lastIndex = 0;
    for (let m = search.exec(raw); m; m = search.exec(raw)) {
      at.push(start + m.index);
      search.lastIndex = m.index + 1; // overlapping occurrences each count
    }
    // `\u` escapes (JSON writes them with a lower-case u): a backslash preceded by an even number
    // of backslashes starts one; `\\u` is an escaped backslash and a letter.
    for (let i = raw.indexOf('\\u'); i >= 0; i = raw.indexOf('\\u', i + 1)) {
      let run = 0;
      while (i - run - 1 >= 0 && raw.charCodeAt(i - run - 1) === 0x5c) run++;
      if (run % 2 === 0) at.push(start + i);
    }
    if (this.unicodeSensitive && !isAscii(chunk)) {
      NON_ASCII.lastIndex = 0;
      for (let m = NON_ASCII.exec(raw); m; m = NON_ASCII.exec(raw)) at.push(start + m.index);
    }
    return at.sort((a, b) => a - b);
  }

  /** The same test over a decoded line (JSON text). */
  testString(line: string): boolean {
    const bytes = Buffer.from(line, 'utf8');
    return this.test(bytes, 0, bytes.length);
  }
}

/**
 * Up to this many literals, `keepPositions` searches natively; beyond, the automaton scans each line
 * (measured on 95 MB: one alternation of 1,000 literals took 0.22 s, of 3,000 literals 1.7 s).
 */
const MAX_NATIVE_LITERALS = 500;
/** Runs of non-ASCII characters (a Latin-1 reading of UTF-8 bytes). */
const NON_ASCII = /[^\x00-\x7f]+/g;

const ACCEPT = -1;
const ESCAPE = -2;
const UNICODE = -3;

/** `RULEPROOF_PREFILTER=0` turns prefiltering off (for comparisons and benchmarks). */
export function prefilterEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RULEPROOF_PREFILTER !== '0' && env.RULEPROOF_PREFILTER !== 'false';
}

/**
 * One scanner for every query replayed on a dataset, or undefined when some query may match lines
 * without any literal (then every line must be read anyway).
 */
export function prefilterFor(queries: ReadonlyArray<{ literals?: readonly string[] | undefined }>): LiteralScanner | undefined {
  if (!prefilterEnabled() || queries.length === 0) return undefined;
  const all: string[] = [];
  for (const q of queries) {
    if (!q.literals) return undefined;
    all.push(...q.literals);
  }
  return new LiteralScanner(all);
}
