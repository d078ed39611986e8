/**
 * Regular expressions from rules must not be a way to hang CI. Two tools:
 *
 * 1. `automatonMatcher` — a linear-time matcher for regular-language patterns (EQL's Lucene
 *    regexes): a Thompson NFA run as a lazily built DFA (RE2's approach). Each input character
 *    costs one table lookup once its DFA state is known; building a state costs at most the NFA's
 *    size, and the DFA cache is bounded (flushed when full), so the time is O(input × pattern) in
 *    the worst case and never exponential. Pattern size is bounded too (`{n,m}` copies its group).
 *
 * 2. `backtrackingHazard` — a pre-check for patterns that must run on JavaScript's backtracking
 *    RegExp (PCRE-style syntax with features no automaton has: lookarounds, backreferences): it
 *    rejects the shapes that take exponential time — a quantified group that contains another
 *    quantifier or an alternation (`(a+)+`, `(a|a)*`, `(\w+\s?)*`) — and overlong patterns.
 */
import { limits } from '../util/limits.js';

/** The regular-language AST (Lucene's parser in `./lucene-regex.ts` produces it). */
export type RegexNode =
  | { t: 'char'; set: RegexCharSet }
  | { t: 'seq'; items: RegexNode[] }
  | { t: 'alt'; options: RegexNode[] }
  | { t: 'repeat'; node: RegexNode; min: number; max: number }
  | { t: 'empty' }
  | { t: 'never' };

export interface RegexCharSet {
  ranges: Array<[number, number]>;
  negated: boolean;
}

export class SafeRegexError extends Error {}

/** Most NFA states a pattern may expand to (`(a{1,100}){1,100}` expands to 10,000 copies of `a`). */
export const MAX_NFA_STATES = 50_000;
/** DFA states cached per pattern before the cache is flushed. */
const MAX_DFA_STATES = 2_000;

// ---- NFA ------------------------------------------------------------------------------------

interface NfaState {
  set?: RegexCharSet;
  next: number;
  eps: number[];
}

class NfaBuilder {
  readonly states: NfaState[] = [];
  add(set?: RegexCharSet): number {
    if (this.states.length >= MAX_NFA_STATES) {
      throw new SafeRegexError(`the regular expression is too large once its repetitions are expanded (over ${MAX_NFA_STATES} states)`);
    }
    this.states.push(set ? { set, next: -1, eps: [] } : { next: -1, eps: [] });
    return this.states.length - 1;
  }
  eps(from: number, to: number): void {
    (this.states[from] as NfaState).eps.push(to);
  }

  /** A fragment for `n`: [start, end]. */
  build(n: RegexNode): [number, number] {
    switch (n.t) {
      case 'char': {
        const end = this.add();
        const start = this.add(n.set);
        (this.states[start] as NfaState).next = end;
        return [start, end];
      }
      case 'empty': {
        const s = this.add();
        return [s, s];
      }
      case 'never':
        return [this.add(), this.add()];
      case 'seq': {
        if (n.items.length === 0) return this.build({ t: 'empty' });
        let [start, end] = this.build(n.items[0] as RegexNode);
        for (let i = 1; i < n.items.length; i++) {
          const [s, e] = this.build(n.items[i] as RegexNode);
          this.eps(end, s);
          end = e;
        }
        return [start, end];
      }
      case 'alt': {
        const start = this.add();
        const end = this.add();
        for (const o of n.options) {
          const [s, e] = this.build(o);
          this.eps(start, s);
          this.eps(e, end);
        }
        return [start, end];
      }
      case 'repeat': {
        const start = this.add();
        let cur = start;
        for (let k = 0; k < n.min; k++) {
          const [s, e] = this.build(n.node);
          this.eps(cur, s);
          cur = e;
        }
        const end = this.add();
        if (n.max === Infinity) {
          const [s, e] = this.build(n.node);
          this.eps(cur, s);
          this.eps(cur, end);
          this.eps(e, s);
          this.eps(e, end);
        } else {
          this.eps(cur, end);
          for (let k = n.min; k < n.max; k++) {
            const [s, e] = this.build(n.node);
            this.eps(cur, s);
            this.eps(e, end);
            cur = e;
          }
        }
        return [start, end];
      }
    }
  }
}

function inSet(set: RegexCharSet, cp: number, fold: boolean): boolean {
  const ranges = set.ranges;
  let hit = false;
  for (let i = 0; i < ranges.length && !hit; i++) {
    const r = ranges[i] as [number, number];
    hit = cp >= r[0] && cp <= r[1];
  }
  if (!hit && fold) {
    const ch = String.fromCodePoint(cp);
    const lo = ch.toLowerCase().codePointAt(0) as number;
    const up = ch.toUpperCase().codePointAt(0) as number;
    for (let i = 0; i < ranges.length && !hit; i++) {
      const r = ranges[i] as [number, number];
      hit = (lo >= r[0] && lo <= r[1]) || (up >= r[0] && up <= r[1]);
    }
  }
  return set.negated ? !hit : hit;
}

// ---- lazy DFA -------------------------------------------------------------------------------

interface DfaState {
  nfa: Int32Array;
  accept: boolean;
  /** Next DFA state per ASCII character (-1: not built yet). */
  ascii: Int32Array;
  other: Map<number, number>;
}

/**
 * A whole-value matcher (anchored at both ends) for a regular-language pattern, in linear time.
 * Throws `SafeRegexError` when the pattern expands past `MAX_NFA_STATES`.
 */
export function automatonMatcher(root: RegexNode, caseInsensitive: boolean): (input: string) => boolean {
  const nfa = new NfaBuilder();
  const [start, acceptState] = nfa.build(root);
  const states = nfa.states;
  const mark = new Int32Array(states.length).fill(-1);
  let generation = 0;

  const closureOf = (seeds: Iterable<number>): Int32Array => {
    generation++;
    const out: number[] = [];
    const stack: number[] = [];
    for (const s of seeds) {
      if (mark[s] === generation) continue;
      mark[s] = generation;
      stack.push(s);
    }
    while (stack.length) {
      const s = stack.pop() as number;
      const st = states[s] as NfaState;
      // only states that read a character, or accept, matter to the DFA state
      if (st.set || s === acceptState) out.push(s);
      for (const e of st.eps) {
        if (mark[e] !== generation) {
          mark[e] = generation;
          stack.push(e);
        }
      }
    }
    return Int32Array.from(out.sort((a, b) => a - b));
  };

  let dfa: DfaState[] = [];
  let index = new Map<string, number>();
  const intern = (set: Int32Array): number => {
    const key = set.join(',');
    let id = index.get(key);
    if (id === undefined) {
      id = dfa.length;
      dfa.push({ nfa: set, accept: set.includes(acceptState), ascii: new Int32Array(128).fill(-1), other: new Map() });
      index.set(key, id);
    }
    return id;
  };
  const startSet = closureOf([start]);
  let startId = 0;
  const reset = () => {
    dfa = [];
    index = new Map();
    intern(new Int32Array(0)); // 0: dead
    startId = intern(startSet); // 0 too when the pattern matches nothing
  };
  reset();

  const step = (from: number, cp: number): number => {
    const d = dfa[from] as DfaState;
    const cached = cp < 128 ? (d.ascii[cp] as number) : (d.other.get(cp) ?? -1);
    if (cached >= 0) return cached;
    const seeds: number[] = [];
    for (const s of d.nfa) {
      const st = states[s] as NfaState;
      if (st.set && inSet(st.set, cp, caseInsensitive)) seeds.push(st.next);
    }
    const set = closureOf(seeds);
    let current = from;
    if (dfa.length >= MAX_DFA_STATES) {
      // Bounded memory: start the cache over, keeping the state we are in.
      const keep = d.nfa;
      reset();
      current = intern(keep);
    }
    const to = intern(set);
    const cur = dfa[current] as DfaState;
    if (cp < 128) cur.ascii[cp] = to;
    else if (cur.other.size < 256) cur.other.set(cp, to);
    return to;
  };

  return (input: string) => {
    let s = startId;
    if (s === 0) return false;
    for (let i = 0; i < input.length; i++) {
      let cp = input.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < input.length) {
        const lo = input.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          i++;
        }
      }
      const known = cp < 128 ? ((dfa[s] as DfaState).ascii[cp] as number) : -1;
      s = known >= 0 ? known : step(s, cp);
      if (s === 0) return false;
    }
    return (dfa[s] as DfaState).accept;
  };
}

// ---- backtracking pre-check -----------------------------------------------------------------

export interface RegexHazard {
  message: string;
  /** 0-based offset in the pattern. */
  index: number;
}

/**
 * Why a PCRE/JavaScript-syntax pattern could take exponential time on a backtracking engine, or
 * undefined when it cannot: a quantifier (`*`, `+`, `{n,}`, `{n,m}` with m > 1) applied to a group
 * that itself holds a quantifier or an alternation. Also too-long patterns.
 */
export function backtrackingHazard(source: string): RegexHazard | undefined {
  const max = limits().maxRegexLength;
  if (source.length > max) return { message: `the regular expression is ${source.length} characters long (limit ${max})`, index: max };
  interface Group {
    start: number;
    /** The group contains a quantifier or an alternation. */
    risky: boolean;
  }
  const stack: Group[] = [{ start: 0, risky: false }];
  /** What the next quantifier applies to: the last atom, and whether it was a risky group. */
  let lastAtom: { start: number; risky: boolean } | undefined;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      i++;
      if (!inClass) lastAtom = { start: i - 1, risky: false };
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (source[i + 1] === '^') i++;
      if (source[i + 1] === ']') i++;
      lastAtom = { start: i, risky: false };
      continue;
    }
    if (c === '(') {
      stack.push({ start: i, risky: false });
      lastAtom = undefined;
      // skip the group's prefix: (?: (?= (?! (?<= (?<! (?<name> (?P<name>
      if (source[i + 1] === '?') {
        const m = /^\(\?(?:P?<[A-Za-z_]\w*>|<[=!]|[:=!>]|[imsx-]+:)/.exec(source.slice(i));
        if (m) i += m[0].length - 1;
      }
      continue;
    }
    if (c === ')') {
      const g = stack.length > 1 ? (stack.pop() as Group) : { start: 0, risky: false };
      lastAtom = { start: g.start, risky: g.risky };
      if (g.risky) (stack[stack.length - 1] as Group).risky = true;
      continue;
    }
    if (c === '|') {
      (stack[stack.length - 1] as Group).risky = true;
      lastAtom = undefined;
      continue;
    }
    let quant: { unbounded: boolean; many: boolean; width: number } | undefined;
    if (c === '*' || c === '+') quant = { unbounded: true, many: true, width: 1 };
    else if (c === '?') quant = { unbounded: false, many: false, width: 1 };
    else if (c === '{') {
      const m = /^\{(\d*)(,?)(\d*)\}/.exec(source.slice(i));
      if (m && (m[1] || m[3])) {
        const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : Number(m[1]);
        quant = { unbounded: hi === Infinity, many: hi > 1, width: m[0].length };
      }
    }
    if (quant) {
      if (quant.many && lastAtom?.risky) {
        return {
          message: `a repeated group that itself repeats or alternates (at offset ${lastAtom.start}) can take exponential time on a backtracking engine`,
          index: lastAtom.start,
        };
      }
      (stack[stack.length - 1] as Group).risky = true;
      i += quant.width - 1;
      if (source[i + 1] === '?' || source[i + 1] === '+') i++;
      lastAtom = undefined;
      continue;
    }
    lastAtom = { start: i, risky: false };
  }
  return undefined;
}
