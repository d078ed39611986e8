/**
 * SPL regular expressions (`match()`, `replace()`) without a way to hang CI.
 *
 * Splunk runs PCRE as an unanchored search. A contributed pattern must not take exponential (or
 * large polynomial) time on a long field value, so a pattern is handled in one of two ways:
 *
 * 1. Tests (`match()`): when the pattern is a regular language — literals, classes, `.`, groups,
 *    alternation, greedy or lazy quantifiers, `^`/`$`/`\A`/`\z`/`\Z` — it is translated to the
 *    shared automaton AST and run on the linear-time lazy DFA (`../safe-regex.ts`). Anchors become
 *    characters: the input is framed by two Unicode noncharacters (start, end), `^` reads the
 *    start one, `$` an optional final newline and the end one, and every other construct (`.`,
 *    negated classes) excludes both. PCRE semantics kept: `.` is any character but `\n` unless
 *    `(?s)`, `$` also matches before a final newline, `(?i)` folds case.
 * 2. Everything else (back-references, lookarounds, `\b`, `(?m)` anchors, replacements that need
 *    JavaScript's RegExp): JavaScript's backtracking engine, after `backtrackingHazard` refuses the
 *    shapes that take exponential time (`(a+)+`, `(a|aa)*`, `(\w+\s?)*`) with a positioned error.
 */
import type { Span } from '../ir.js';
import { automatonMatcher, backtrackingHazard, SafeRegexError, type RegexCharSet, type RegexNode } from '../safe-regex.js';
import { limit, limitEnvName } from '../../util/limits.js';
import { SplError } from './lexer.js';

/** Frame characters: noncharacters, which never occur in real text (any that do are replaced). */
const BOS = 0xfdd0;
const EOS = 0xfdd1;
const FRAME = /[\ufdd0\ufdd1]/g;

export interface SplRegexTest {
  test: (input: string) => boolean;
  /** Which engine runs it: `dfa` (linear time) or `backtracking` (JavaScript, hazard-checked). */
  engine: 'dfa' | 'backtracking';
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  /** JavaScript syntax and meaning instead of PCRE's (`$` only at the end, JS `\s` and `.`). */
  js?: boolean;
}

/** The pattern's leading `(?imsx)` group as flags; `(?x)` is refused. */
function leadingFlags(pattern: string, span: Span): { flags: Flags; body: string; offset: number } {
  const flags: Flags = { i: false, m: false, s: false };
  const lead = /^\(\?([imsx]+)\)/.exec(pattern);
  if (!lead) return { flags, body: pattern, offset: 0 };
  for (const f of lead[1] as string) {
    if (f === 'x') throw new SplError('not supported: the (?x) regular-expression flag', span, 'unsupported');
    flags[f as keyof Flags] = true;
  }
  return { flags, body: pattern.slice(lead[0].length), offset: lead[0].length };
}

/** The span of a pattern's character inside its string literal (quotes and escapes make it approximate). */
function spanAt(span: Span, offset: number): Span {
  const start = Math.min(span.start + 1 + Math.max(0, offset), Math.max(span.start, span.end - 1));
  return { start, end: Math.min(start + 1, Math.max(span.end, start + 1)) };
}

function checkLength(pattern: string, span: Span): void {
  const max = limit('maxRegexLength');
  if (pattern.length > max) {
    throw new SplError(
      `unsafe regular expression: the pattern is ${pattern.length} characters long (limit ${max}; raise it with ${limitEnvName('maxRegexLength')})`,
      span,
      'semantic',
    );
  }
}

/**
 * A JavaScript RegExp for a PCRE pattern (leading `(?i)`, `(?P<name>`), refused with a positioned
 * `SplError` when it could backtrack exponentially or does not compile.
 */
export function pcreToRegExp(pattern: string, span: Span, extraFlags = ''): RegExp {
  checkLength(pattern, span);
  const { flags, body: raw, offset } = leadingFlags(pattern, span);
  const body = raw.replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>');
  const hazard = backtrackingHazard(raw);
  if (hazard) {
    throw new SplError(
      `unsafe regular expression ${JSON.stringify(pattern)}: ${hazard.message.replace(/at offset \d+/, `at offset ${hazard.index + offset}`)}; rewrite it without nested repetition`,
      spanAt(span, hazard.index + offset),
      'semantic',
    );
  }
  let f = extraFlags;
  for (const k of ['i', 'm', 's'] as const) if (flags[k] && !f.includes(k)) f += k;
  try {
    return new RegExp(body, f);
  } catch (e) {
    throw new SplError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`, span, 'semantic');
  }
}

/** A boolean search test for a PCRE pattern: the linear-time automaton when possible. */
export function splRegexTest(pattern: string, span: Span): SplRegexTest {
  checkLength(pattern, span);
  const { flags, body } = leadingFlags(pattern, span);
  const test = pcreAutomatonTest(body, flags, false);
  if (test) return { engine: 'dfa', test };
  const re = pcreToRegExp(pattern, span);
  return { engine: 'backtracking', test: (input) => re.test(input) };
}

/**
 * A linear-time test for a PCRE/JavaScript-syntax pattern with PCRE semantics (`.` is not `\n`
 * unless `s`; `$` also before a final newline), searched anywhere in the input or, with
 * `anchorStart`, from its start only (Python's `re.match`); undefined when the pattern uses a
 * construct the automaton cannot run (back-references, lookarounds, `\b`, `(?m)` anchors) or is
 * too large once its repetitions are expanded — the caller then needs `backtrackingHazard`.
 */
export function pcreAutomatonTest(body: string, flags: { i?: boolean; m?: boolean; s?: boolean }, anchorStart: boolean): ((input: string) => boolean) | undefined {
  return automatonTest(body, { i: !!flags.i, m: !!flags.m, s: !!flags.s }, anchorStart);
}

/**
 * The same for a JavaScript pattern run as `new RegExp('^(?:' + pattern + ')', 's' or 'is')` (the
 * IR's `match` call: EQL's legacy match(), Sigma `re`, KQL patterns): JavaScript's own meaning of
 * `$`, `\s` and escapes. Undefined when only the backtracking RegExp can run it.
 */
export function jsRegexAutomatonTest(pattern: string, caseInsensitive: boolean): ((input: string) => boolean) | undefined {
  if (pattern.length > limit('maxRegexLength')) return undefined;
  return automatonTest(pattern, { i: caseInsensitive, m: false, s: true, js: true }, true);
}

function automatonTest(body: string, flags: Flags, anchorStart: boolean): ((input: string) => boolean) | undefined {
  let node: RegexNode;
  try {
    node = new PcreParser(body, flags).parse();
    const anchors = anchorsOnOnePath(node);
    if (anchors.start > 1 || anchors.end > 1) throw new NotRegular();
  } catch (e) {
    if (e instanceof NotRegular) return undefined;
    throw e;
  }
  const anyRun: RegexNode = { t: 'repeat', node: { t: 'char', set: { ranges: [], negated: true } }, min: 0, max: Infinity };
  // Anchored at the start: the start frame is read here unless the pattern's own `^` reads it.
  const atStart: RegexNode = { t: 'repeat', node: ch(BOS), min: 0, max: 1 };
  let run: (input: string) => boolean;
  try {
    run = automatonMatcher({ t: 'seq', items: anchorStart ? [atStart, node, anyRun] : [anyRun, node, anyRun] }, flags.i);
  } catch (e) {
    if (e instanceof SafeRegexError) return undefined;
    throw e;
  }
  return (input) => {
    const text = input.includes('\ufdd0') || input.includes('\ufdd1') ? input.replace(FRAME, '\ufffd') : input;
    return run(`\ufdd0${text}\ufdd1`);
  };
}

/**
 * The most start and end anchors one path through the pattern reads. Anchors are characters here,
 * and each frame character occurs once: a path with two (`^^`, `($)$`, a repeated group holding
 * one) would fail where the zero-width anchors of RegExp succeed, so such patterns backtrack.
 */
function anchorsOnOnePath(n: RegexNode): { start: number; end: number } {
  switch (n.t) {
    case 'char': {
      const r = n.set.ranges;
      const only = !n.set.negated && r.length === 1 ? (r[0] as [number, number]) : undefined;
      return { start: only && only[0] === BOS && only[1] === BOS ? 1 : 0, end: only && only[0] === EOS && only[1] === EOS ? 1 : 0 };
    }
    case 'seq':
      return n.items.reduce((acc, item) => {
        const a = anchorsOnOnePath(item);
        return { start: acc.start + a.start, end: acc.end + a.end };
      }, { start: 0, end: 0 });
    case 'alt':
      return n.options.reduce((acc, o) => {
        const a = anchorsOnOnePath(o);
        return { start: Math.max(acc.start, a.start), end: Math.max(acc.end, a.end) };
      }, { start: 0, end: 0 });
    case 'repeat': {
      const a = anchorsOnOnePath(n.node);
      if ((a.start || a.end) && n.max > 1) throw new NotRegular();
      return a;
    }
    default:
      return { start: 0, end: 0 };
  }
}

/** A construct the automaton cannot express: the pattern goes to the backtracking engine. */
class NotRegular extends Error {}

const ch = (c: number): RegexNode => ({ t: 'char', set: { ranges: [[c, c]], negated: false } });
const DIGIT: Array<[number, number]> = [[0x30, 0x39]];
const WORD: Array<[number, number]> = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Array<[number, number]> = [
  [0x09, 0x0d],
  [0x20, 0x20],
];
const FRAMES: Array<[number, number]> = [[BOS, EOS]];
/** JavaScript's `\s` (WhiteSpace and LineTerminator). */
const JS_SPACE: Array<[number, number]> = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

/** A negated set never matches the frame characters. */
const notIn = (ranges: Array<[number, number]>): RegexCharSet => ({ ranges: [...ranges, ...FRAMES], negated: true });

/** Recursive-descent parser from PCRE syntax to the automaton AST (throws NotRegular). */
class PcreParser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly src: string,
    private readonly flags: Flags,
  ) {}

  parse(): RegexNode {
    const n = this.alternation();
    if (this.i < this.src.length) throw new NotRegular(); // an unmatched `)`: let RegExp report it
    return n;
  }

  private alternation(): RegexNode {
    const options = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as RegexNode) : { t: 'alt', options };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? (items[0] as RegexNode) : { t: 'seq', items };
  }

  private quantified(atom: RegexNode): RegexNode {
    const s = this.src;
    let node = atom;
    let quantifiers = 0;
    for (;;) {
      const c = s[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(s.slice(this.i));
        if (!m) return node; // a literal `{`
        min = Number(m[1]);
        max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
        if (max < min || min > 1000 || (max !== Infinity && max > 1000)) throw new NotRegular();
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (s[this.i] === '+') throw new NotRegular(); // possessive: not the same language
      if (s[this.i] === '?') this.i++; // lazy: the same yes/no answer
      if (++quantifiers > 1) throw new NotRegular(); // `a**`: RegExp reports the error
      node = { t: 'repeat', node, min, max };
    }
  }

  private atom(): RegexNode {
    const s = this.src;
    const c = s[this.i] as string;
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape(false) as RegexNode;
    if (c === '*' || c === '+' || c === '?') throw new NotRegular(); // nothing to repeat
    this.i++;
    if (c === '.') {
      if (this.flags.s) return { t: 'char', set: notIn([]) };
      return { t: 'char', set: notIn(this.flags.js ? [[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]] : [[0x0a, 0x0a]]) };
    }
    if (c === '^') {
      if (this.flags.m) throw new NotRegular();
      return ch(BOS);
    }
    if (c === '$') {
      if (this.flags.m) throw new NotRegular();
      return this.endAnchor();
    }
    const cp = s.codePointAt(this.i - 1) as number;
    if (cp > 0xffff) this.i++;
    return ch(cp);
  }

  /** `$`/`\Z`: an optional final newline, then the end. Only valid where nothing can follow it. */
  private endAnchor(): RegexNode {
    const next = this.src[this.i];
    if (next !== undefined && next !== ')' && next !== '|') throw new NotRegular();
    if (this.flags.js) return ch(EOS); // JavaScript: the end of the input only
    return { t: 'seq', items: [{ t: 'repeat', node: ch(0x0a), min: 0, max: 1 }, ch(EOS)] };
  }

  private group(): RegexNode {
    const s = this.src;
    this.i++;
    // Sigma's spelling of PCRE's `$` for JavaScript: the end, or before a final newline.
    if (this.flags.js && s.startsWith('?=\\n?$)', this.i)) {
      this.i += 7;
      const next = s[this.i];
      if (next !== undefined && next !== ')' && next !== '|') throw new NotRegular();
      return { t: 'seq', items: [{ t: 'repeat', node: ch(0x0a), min: 0, max: 1 }, ch(EOS)] };
    }
    if (s[this.i] === '?') {
      const m = (this.flags.js ? /^\?(?::|<[A-Za-z_$][\w$]*>)/ : /^\?(?::|P?<[A-Za-z_]\w*>|'[A-Za-z_]\w*')/).exec(s.slice(this.i));
      // lookarounds, atomic groups, inline flags, conditionals, recursion: not regular
      if (!m || s.startsWith('?<=', this.i) || s.startsWith('?<!', this.i)) throw new NotRegular();
      this.i += m[0].length;
    }
    if (++this.depth > 200) throw new NotRegular();
    const inner = this.alternation();
    this.depth--;
    if (s[this.i] !== ')') throw new NotRegular();
    this.i++;
    return inner;
  }

  /** An escape: a node, or (in a class) its ranges. */
  private escape(inClass: true): RegexCharSet;
  private escape(inClass: false): RegexNode;
  private escape(inClass: boolean): RegexNode | RegexCharSet {
    const s = this.src;
    const e = s[this.i + 1];
    if (e === undefined) throw new NotRegular();
    // escapes PCRE has and JavaScript reads otherwise (as identity escapes, or not at all)
    if (this.flags.js && 'AzZhHeaxv'.includes(e)) return this.jsEscape(e, inClass);
    this.i += 2;
    const set = (ranges: Array<[number, number]>, negated = false): RegexCharSet => (negated ? notIn(ranges) : { ranges, negated: false });
    let out: RegexCharSet | undefined;
    switch (e) {
      case 'd':
      case 'D':
        out = set(DIGIT, e === 'D');
        break;
      case 'w':
      case 'W':
        out = set(WORD, e === 'W');
        break;
      case 's':
      case 'S':
        out = set(this.flags.js ? JS_SPACE : SPACE, e === 'S');
        break;
      case 'h':
      case 'H':
        out = set([[0x09, 0x09], [0x20, 0x20], [0xa0, 0xa0]], e === 'H');
        break;
      case 't':
        out = set([[0x09, 0x09]]);
        break;
      case 'n':
        out = set([[0x0a, 0x0a]]);
        break;
      case 'r':
        out = set([[0x0d, 0x0d]]);
        break;
      case 'f':
        out = set([[0x0c, 0x0c]]);
        break;
      case 'v':
        out = set([[0x0a, 0x0d]]); // PCRE: \v is any vertical space
        break;
      case 'e':
        out = set([[0x1b, 0x1b]]);
        break;
      case 'a':
        out = set([[0x07, 0x07]]);
        break;
      case 'x': {
        const m = /^(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{1,2}))/.exec(s.slice(this.i));
        if (!m) throw new NotRegular();
        const cp = parseInt((m[1] ?? m[2]) as string, 16);
        if (cp > 0x10ffff) throw new NotRegular();
        this.i += m[0].length;
        out = set([[cp, cp]]);
        break;
      }
      case 'A':
        if (inClass) throw new NotRegular();
        return ch(BOS);
      case 'z':
        if (inClass) throw new NotRegular();
        return ch(EOS);
      case 'Z':
        if (inClass) throw new NotRegular();
        return this.endAnchor();
      default:
        // letters and digits are classes, anchors or references (\b \B \G \1 \k \p \Q…): not here
        if (/[A-Za-z0-9]/.test(e)) throw new NotRegular();
        {
          const cp = s.codePointAt(this.i - 1) as number;
          if (cp > 0xffff) this.i++;
          out = set([[cp, cp]]);
        }
    }
    return inClass ? out : { t: 'char', set: out };
  }

  /** `\xHH` and `\v` as JavaScript reads them; the PCRE-only escapes are not for the automaton. */
  private jsEscape(e: string, inClass: boolean): RegexNode | RegexCharSet {
    let cp: number;
    if (e === 'v') {
      cp = 0x0b;
      this.i += 2;
    } else if (e === 'x' && /^[0-9A-Fa-f]{2}$/.test(this.src.slice(this.i + 2, this.i + 4))) {
      cp = parseInt(this.src.slice(this.i + 2, this.i + 4), 16);
      this.i += 4;
    } else throw new NotRegular();
    const set: RegexCharSet = { ranges: [[cp, cp]], negated: false };
    return inClass ? set : { t: 'char', set };
  }

  private charClass(): RegexNode {
    const s = this.src;
    this.i++;
    const negated = s[this.i] === '^';
    if (negated) this.i++;
    if (this.flags.js && s[this.i] === ']') throw new NotRegular(); // JavaScript's `[]` / `[^]`
    const ranges: Array<[number, number]> = [];
    let first = true;
    for (;;) {
      if (this.i >= s.length) throw new NotRegular();
      const c = s[this.i] as string;
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && /^\[[:=.]/.test(s.slice(this.i))) throw new NotRegular(); // POSIX classes
      let lo: number;
      if (c === '\\') {
        const e = this.escape(true);
        if (e.negated || e.ranges.length !== 1 || (e.ranges[0] as [number, number])[0] !== (e.ranges[0] as [number, number])[1]) {
          if (e.negated) ranges.push(...complement(e.ranges));
          else ranges.push(...e.ranges);
          continue;
        }
        lo = (e.ranges[0] as [number, number])[0];
      } else {
        lo = s.codePointAt(this.i) as number;
        this.i += lo > 0xffff ? 2 : 1;
      }
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        this.i++;
        let hi: number;
        if (s[this.i] === '\\') {
          const e = this.escape(true);
          if (e.negated || e.ranges.length !== 1 || (e.ranges[0] as [number, number])[0] !== (e.ranges[0] as [number, number])[1]) throw new NotRegular();
          hi = (e.ranges[0] as [number, number])[0];
        } else {
          hi = s.codePointAt(this.i) as number;
          this.i += hi > 0xffff ? 2 : 1;
        }
        if (hi < lo) throw new NotRegular(); // RegExp reports the bad range
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    this.i++;
    return { t: 'char', set: negated ? notIn(ranges) : { ranges, negated: false } };
  }
}

/** The code points outside `ranges` (frame characters excluded). */
function complement(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  // cut the frame characters out
  const cut: Array<[number, number]> = [];
  for (const [lo, hi] of out) {
    if (hi < BOS || lo > EOS) cut.push([lo, hi]);
    else {
      if (lo < BOS) cut.push([lo, BOS - 1]);
      if (hi > EOS) cut.push([EOS + 1, hi]);
    }
  }
  return cut;
}
