/**
 * Lucene regular expressions (the syntax of Elasticsearch's `regexp` query, which EQL's `regex`
 * and `regex~` use), matched against the whole value.
 *
 * Lucene compiles a regexp to an automaton, so no pattern is slow there. JavaScript's RegExp
 * backtracks, and patterns such as `(a+)+b` or `(a|a)*b` take exponential time on it. So we parse
 * the Lucene syntax ourselves and choose the executor per pattern:
 *  - patterns whose quantified groups contain no further quantifier or alternation (star height
 *    one: every real-world detection pattern) become an anchored JS RegExp;
 *  - anything else runs on a Thompson NFA simulation written here (linear in the input times the
 *    pattern size, never exponential).
 *
 * Supported: literals, `.`, `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`, `|`, `( )`, character classes
 * with ranges and `^` negation, `\` escapes of any character, `\d \D \s \S \w \W`, `"…"` quoted
 * literals, `@` (any string) and `#` (empty language), `<n-m>` numeric ranges. The automaton-only
 * operators `~` (complement) and `&` (intersection) are rejected with a message.
 * `^` and `$` are ordinary characters in Lucene, as are all others not listed.
 */

import { limits } from '../util/limits.js';
import { automatonMatcher, SafeRegexError } from './safe-regex.js';

type Node =
  | { t: 'char'; set: CharSet }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'empty' }
  | { t: 'never' };

/** A set of code points: ranges, optionally negated. */
interface CharSet {
  ranges: Array<[number, number]>;
  negated: boolean;
}

export class LuceneRegexError extends Error {
  constructor(
    message: string,
    public readonly index: number,
  ) {
    super(message);
  }
}

const DIGIT: Array<[number, number]> = [[48, 57]];
const SPACE: Array<[number, number]> = [[9, 13], [32, 32]];
const WORD: Array<[number, number]> = [[48, 57], [65, 90], [95, 95], [97, 122]];

class RegexParser {
  private i = 0;
  private readonly cps: number[];
  constructor(source: string) {
    this.cps = Array.from(source, (c) => c.codePointAt(0) as number);
  }
  private peek(): number | undefined {
    return this.cps[this.i];
  }
  private err(msg: string): never {
    throw new LuceneRegexError(msg, this.i);
  }
  parse(): Node {
    const n = this.alt();
    if (this.i < this.cps.length) this.err(`unexpected character '${String.fromCodePoint(this.cps[this.i] as number)}' at position ${this.i}`);
    return n;
  }
  private alt(): Node {
    const options = [this.seq()];
    while (this.peek() === 0x7c /* | */) {
      this.i++;
      options.push(this.seq());
    }
    return options.length === 1 ? (options[0] as Node) : { t: 'alt', options };
  }
  private seq(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === 0x7c || c === 0x29 /* ) */) break;
      if (c === 0x26 /* & */) this.err('intersection [&] is not supported in regex patterns');
      items.push(this.repeat());
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? (items[0] as Node) : { t: 'seq', items };
  }
  private repeat(): Node {
    let node = this.atom();
    for (;;) {
      const c = this.peek();
      if (c === 0x2a) {
        this.i++;
        node = { t: 'repeat', node, min: 0, max: Infinity };
      } else if (c === 0x2b) {
        this.i++;
        node = { t: 'repeat', node, min: 1, max: Infinity };
      } else if (c === 0x3f) {
        this.i++;
        node = { t: 'repeat', node, min: 0, max: 1 };
      } else if (c === 0x7b /* { */) {
        const rest = String.fromCodePoint(...this.cps.slice(this.i));
        const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
        if (!m) this.err(`invalid repetition at position ${this.i}`);
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (max < min) this.err(`invalid repetition {${min},${max}}`);
        if (min > 1000 || (max !== Infinity && max > 1000)) this.err('repetition counts above 1000 are not supported');
        this.i += m[0].length;
        node = { t: 'repeat', node, min, max };
      } else {
        return node;
      }
    }
  }
  private atom(): Node {
    const c = this.peek() as number;
    this.i++;
    switch (c) {
      case 0x2e: // .
        return { t: 'char', set: { ranges: [[0, 0x10ffff]], negated: false } };
      case 0x28: {
        // (
        if (this.peek() === 0x29) {
          this.i++;
          return { t: 'empty' };
        }
        const inner = this.alt();
        if (this.peek() !== 0x29) this.err('missing closing [)]');
        this.i++;
        return inner;
      }
      case 0x5b: // [
        return { t: 'char', set: this.charClass() };
      case 0x22: {
        // "literal"
        const items: Node[] = [];
        while (this.peek() !== 0x22) {
          if (this.peek() === undefined) this.err('missing closing ["]');
          const ch = this.cps[this.i++] as number;
          items.push(lit(ch));
        }
        this.i++;
        return items.length === 0 ? { t: 'empty' } : { t: 'seq', items };
      }
      case 0x40: // @
        return { t: 'repeat', node: { t: 'char', set: { ranges: [[0, 0x10ffff]], negated: false } }, min: 0, max: Infinity };
      case 0x23: // #
        return { t: 'never' };
      case 0x7e: // ~
        this.err('complement [~] is not supported in regex patterns');
        break;
      case 0x3c: {
        // <n-m>
        const rest = String.fromCodePoint(...this.cps.slice(this.i));
        const m = /^(\d+)-(\d+)>/.exec(rest);
        if (!m) return lit(c);
        this.i += m[0].length;
        return numericRange(m[1] as string, m[2] as string);
      }
      case 0x5c: {
        const e = this.peek();
        if (e === undefined) this.err('trailing backslash');
        this.i++;
        const cls = shorthand(e);
        if (cls) return { t: 'char', set: cls };
        return lit(e);
      }
      case 0x2a:
      case 0x2b:
      case 0x3f:
      case 0x7b:
        this.err(`nothing to repeat at position ${this.i - 1}`);
        break;
      case 0x29:
        this.err(`unbalanced [)] at position ${this.i - 1}`);
        break;
    }
    return lit(c);
  }
  private charClass(): CharSet {
    let negated = false;
    if (this.peek() === 0x5e) {
      negated = true;
      this.i++;
    }
    const ranges: Array<[number, number]> = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.err('missing closing []]');
      if (c === 0x5d && !first) {
        this.i++;
        break;
      }
      first = false;
      this.i++;
      let lo = c;
      if (c === 0x5c) {
        const e = this.peek();
        if (e === undefined) this.err('trailing backslash');
        this.i++;
        const cls = shorthand(e);
        if (cls) {
          if (cls.negated) this.err('negated shorthand classes inside [...] are not supported');
          ranges.push(...cls.ranges);
          continue;
        }
        lo = e;
      }
      if (this.peek() === 0x2d && this.cps[this.i + 1] !== undefined && this.cps[this.i + 1] !== 0x5d) {
        this.i++;
        let hi = this.cps[this.i++] as number;
        if (hi === 0x5c) hi = this.cps[this.i++] as number;
        if (hi < lo) this.err('invalid character range');
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    return { ranges, negated };
  }
}

function lit(cp: number): Node {
  return { t: 'char', set: { ranges: [[cp, cp]], negated: false } };
}

function shorthand(e: number): CharSet | undefined {
  switch (e) {
    case 0x64:
      return { ranges: DIGIT, negated: false };
    case 0x44:
      return { ranges: DIGIT, negated: true };
    case 0x73:
      return { ranges: SPACE, negated: false };
    case 0x53:
      return { ranges: SPACE, negated: true };
    case 0x77:
      return { ranges: WORD, negated: false };
    case 0x57:
      return { ranges: WORD, negated: true };
    default:
      return undefined;
  }
}

/** `<lo-hi>`: decimal numbers in [lo, hi], as an alternation (ranges are small in practice). */
function numericRange(a: string, b: string): Node {
  const lo = Number(a);
  const hi = Number(b);
  if (hi - lo > 10000) throw new LuceneRegexError('numeric range <n-m> wider than 10000 values is not supported', 0);
  const options: Node[] = [];
  for (let v = Math.min(lo, hi); v <= Math.max(lo, hi); v++) {
    options.push({ t: 'seq', items: Array.from(String(v), (ch) => lit(ch.codePointAt(0) as number)) });
  }
  return { t: 'alt', options };
}

// ---- safety analysis ----

function hasQuantOrAlt(n: Node): boolean {
  switch (n.t) {
    case 'repeat':
      return n.max > 1 || hasQuantOrAlt(n.node);
    case 'alt':
      return true;
    case 'seq':
      return n.items.some(hasQuantOrAlt);
    default:
      return false;
  }
}

/** True when a backtracking engine could take super-linear time (a quantified group with inner choice). */
function risky(n: Node): boolean {
  switch (n.t) {
    case 'repeat':
      return (n.max > 1 && hasQuantOrAlt(n.node)) || risky(n.node);
    case 'alt':
      return n.options.some(risky);
    case 'seq':
      return n.items.some(risky);
    default:
      return false;
  }
}

// ---- JS RegExp emission ----

function hex(cp: number): string {
  return cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\u{${cp.toString(16)}}`;
}

function toJs(n: Node): string {
  switch (n.t) {
    case 'char': {
      const { ranges, negated } = n.set;
      if (!negated && ranges.length === 1 && (ranges[0] as [number, number])[0] === 0 && (ranges[0] as [number, number])[1] === 0x10ffff) return '[^]';
      if (!negated && ranges.length === 1 && (ranges[0] as [number, number])[0] === (ranges[0] as [number, number])[1]) return hex((ranges[0] as [number, number])[0]);
      return `[${negated ? '^' : ''}${ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}]`;
    }
    case 'seq':
      return n.items.map(toJs).join('');
    case 'alt':
      return `(?:${n.options.map(toJs).join('|')})`;
    case 'repeat': {
      const q = n.min === 0 && n.max === Infinity ? '*' : n.min === 1 && n.max === Infinity ? '+' : n.min === 0 && n.max === 1 ? '?' : n.max === Infinity ? `{${n.min},}` : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
      return `(?:${toJs(n.node)})${q}`;
    }
    case 'empty':
      return '';
    case 'never':
      return '[]';
  }
}

// ---- Thompson NFA ----

interface NfaState {
  /** Character transition (to `next`) when set. */
  set?: CharSet;
  next?: number;
  /** Epsilon transitions. */
  eps: number[];
}

class Nfa {
  states: NfaState[] = [];
  add(s: NfaState): number {
    this.states.push(s);
    return this.states.length - 1;
  }
}

/** Build a fragment; returns [start, end] state indexes. */
function build(nfa: Nfa, n: Node): [number, number] {
  switch (n.t) {
    case 'char': {
      const end = nfa.add({ eps: [] });
      const start = nfa.add({ set: n.set, next: end, eps: [] });
      return [start, end];
    }
    case 'empty': {
      const s = nfa.add({ eps: [] });
      return [s, s];
    }
    case 'never': {
      const s = nfa.add({ eps: [] });
      const e = nfa.add({ eps: [] });
      return [s, e];
    }
    case 'seq': {
      let [start, end] = build(nfa, n.items[0] as Node);
      for (const item of n.items.slice(1)) {
        const [s, e] = build(nfa, item);
        (nfa.states[end] as NfaState).eps.push(s);
        end = e;
      }
      return [start, end];
    }
    case 'alt': {
      const start = nfa.add({ eps: [] });
      const end = nfa.add({ eps: [] });
      for (const o of n.options) {
        const [s, e] = build(nfa, o);
        (nfa.states[start] as NfaState).eps.push(s);
        (nfa.states[e] as NfaState).eps.push(end);
      }
      return [start, end];
    }
    case 'repeat': {
      const start = nfa.add({ eps: [] });
      let cur = start;
      for (let k = 0; k < n.min; k++) {
        const [s, e] = build(nfa, n.node);
        (nfa.states[cur] as NfaState).eps.push(s);
        cur = e;
      }
      const end = nfa.add({ eps: [] });
      if (n.max === Infinity) {
        const [s, e] = build(nfa, n.node);
        (nfa.states[cur] as NfaState).eps.push(s, end);
        (nfa.states[e] as NfaState).eps.push(s, end);
      } else {
        (nfa.states[cur] as NfaState).eps.push(end);
        for (let k = n.min; k < n.max; k++) {
          const [s, e] = build(nfa, n.node);
          (nfa.states[cur] as NfaState).eps.push(s);
          (nfa.states[e] as NfaState).eps.push(end);
          cur = e;
        }
      }
      return [start, end];
    }
  }
}

function inSet(set: CharSet, cp: number, fold: boolean): boolean {
  const test = (c: number) => set.ranges.some(([a, b]) => c >= a && c <= b);
  let hit = test(cp);
  if (!hit && fold) {
    const ch = String.fromCodePoint(cp);
    const lo = ch.toLowerCase().codePointAt(0) as number;
    const up = ch.toUpperCase().codePointAt(0) as number;
    hit = test(lo) || test(up);
  }
  return set.negated ? !hit : hit;
}

function nfaMatcher(root: Node, caseInsensitive: boolean): (s: string) => boolean {
  const nfa = new Nfa();
  const [start, accept] = build(nfa, root);
  const closure = (set: Set<number>, s: number) => {
    if (set.has(s)) return;
    set.add(s);
    for (const e of (nfa.states[s] as NfaState).eps) closure(set, e);
  };
  return (input: string) => {
    let current = new Set<number>();
    closure(current, start);
    for (const ch of input) {
      const cp = ch.codePointAt(0) as number;
      const next = new Set<number>();
      for (const s of current) {
        const st = nfa.states[s] as NfaState;
        if (st.set && st.next !== undefined && inSet(st.set, cp, caseInsensitive)) closure(next, st.next);
      }
      if (next.size === 0) return false;
      current = next;
    }
    return current.has(accept);
  };
}

/**
 * Compile a Lucene regexp into an anchored whole-value test. Throws `LuceneRegexError` for
 * invalid or unsupported syntax.
 */
export function compileLuceneRegex(pattern: string, caseInsensitive: boolean): { test: (s: string) => boolean; engine: 'regexp' | 'nfa' | 'dfa' } {
  const max = limits().maxRegexLength;
  if (pattern.length > max) throw new LuceneRegexError(`the pattern is ${pattern.length} characters long (limit ${max}, RULEPROOF_MAX_REGEX_LENGTH)`, max);
  const ast = new RegexParser(pattern).parse();
  // Every pattern runs as an automaton (./safe-regex.ts): linear time whatever the pattern. A star-
  // height-one pattern is not exponential on JavaScript's RegExp, but `.*a.*b.*c…` is polynomial.
  try {
    return { test: automatonMatcher(ast, caseInsensitive), engine: 'dfa' };
  } catch (err) {
    if (err instanceof SafeRegexError) throw new LuceneRegexError(err.message, 0);
    throw err;
  }
}

/** The previous executors, kept for comparison in tests: RegExp for star height one, else the NFA. */
export function compileLuceneRegexBacktracking(pattern: string, caseInsensitive: boolean): { test: (s: string) => boolean; engine: 'regexp' | 'nfa' } {
  const ast = new RegexParser(pattern).parse();
  if (!risky(ast)) {
    const re = new RegExp(`^(?:${toJs(ast)})$`, caseInsensitive ? 'iu' : 'u');
    return { test: (s) => re.test(s), engine: 'regexp' };
  }
  return { test: nfaMatcher(ast, caseInsensitive), engine: 'nfa' };
}
