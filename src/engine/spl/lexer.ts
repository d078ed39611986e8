/**
 * SPL tokenizers. SPL has two expression languages with different lexical rules: the search
 * language (`field=value` terms, where almost any character can be part of an unquoted value, and
 * `*` is a wildcard) and the eval language (`where`, `eval`: operators, numbers, function calls).
 * Offsets are absolute, into the (macro-expanded) query text.
 */
import type { Span } from '../ir.js';

export class SplError extends Error {
  constructor(
    message: string,
    public readonly span: Span,
    public readonly kind: 'syntax' | 'unsupported' | 'semantic' = 'syntax',
  ) {
    super(message);
  }
}

export type SearchTokenType = 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma' | 'eof';

export interface SearchToken {
  type: SearchTokenType;
  /** Words and strings: the value with escapes resolved; operators: the operator. */
  value: string;
  start: number;
  end: number;
}

const SEARCH_BREAK = new Set([' ', '\t', '\r', '\n', '(', ')', '=', '<', '>', ',', '"']);

/** Backslash escapes of the search language: `\\` is a backslash, `\"` a quote; others stay as written. */
function unescapeSearch(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\' && i + 1 < raw.length) {
      const n = raw[i + 1] as string;
      if (n === '\\' || n === '"' || n === '|') {
        out += n;
        i++;
        continue;
      }
    }
    out += c;
  }
  return out;
}

export function lexSearch(text: string, from: number, to: number): SearchToken[] {
  const tokens: SearchToken[] = [];
  let i = from;
  while (i < to) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    const start = i;
    if (c === '(') {
      tokens.push({ type: 'lparen', value: c, start, end: ++i });
    } else if (c === ')') {
      tokens.push({ type: 'rparen', value: c, start, end: ++i });
    } else if (c === ',') {
      tokens.push({ type: 'comma', value: c, start, end: ++i });
    } else if (c === '[') {
      throw new SplError('not supported: subsearch ([…])', { start, end: start + 1 }, 'unsupported');
    } else if (c === '"') {
      i++;
      let raw = '';
      for (;;) {
        if (i >= to) throw new SplError('unterminated quoted string', { start, end: to });
        const d = text[i] as string;
        if (d === '\\' && i + 1 < to) {
          raw += d + (text[i + 1] as string);
          i += 2;
          continue;
        }
        if (d === '"') {
          i++;
          break;
        }
        raw += d;
        i++;
      }
      tokens.push({ type: 'string', value: unescapeSearch(raw), start, end: i });
    } else if ((c === '!' || c === '=' || c === '<' || c === '>') && (c !== '!' || text[i + 1] === '=')) {
      const two = text.slice(i, i + 2);
      const op = two === '!=' || two === '==' || two === '<=' || two === '>=' ? two : c;
      i += op.length;
      tokens.push({ type: 'op', value: op, start, end: i });
    } else {
      let raw = '';
      while (i < to) {
        const d = text[i] as string;
        if (d === '\\' && i + 1 < to) {
          raw += d + (text[i + 1] as string);
          i += 2;
          continue;
        }
        if (SEARCH_BREAK.has(d) || (d === '!' && text[i + 1] === '=')) break;
        raw += d;
        i++;
      }
      tokens.push({ type: 'word', value: unescapeSearch(raw), start, end: i });
    }
  }
  tokens.push({ type: 'eof', value: '', start: to, end: to });
  return tokens;
}

export type EvalTokenType = 'number' | 'string' | 'field' | 'ident' | 'op' | 'lparen' | 'rparen' | 'comma' | 'eof';

export interface EvalToken {
  type: EvalTokenType;
  value: string;
  start: number;
  end: number;
}

const EVAL_OPS = ['==', '!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%', '.'];

/**
 * Eval-language tokens. Identifiers may hold dots between name characters (`Processes.dest`), as
 * Splunk reads an unquoted data-model field name; `a . b` with spaces is concatenation.
 */
export function lexEval(text: string, from: number, to: number): EvalToken[] {
  const tokens: EvalToken[] = [];
  let i = from;
  const isName = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9_@$:{}]/.test(ch);
  while (i < to) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    const start = i;
    if (c === '(') tokens.push({ type: 'lparen', value: c, start, end: ++i });
    else if (c === ')') tokens.push({ type: 'rparen', value: c, start, end: ++i });
    else if (c === ',') tokens.push({ type: 'comma', value: c, start, end: ++i });
    else if (c === '[') throw new SplError('not supported: subsearch ([…])', { start, end: start + 1 }, 'unsupported');
    else if (c === '"' || c === "'") {
      i++;
      let value = '';
      for (;;) {
        if (i >= to) throw new SplError('unterminated quoted string', { start, end: to });
        const d = text[i] as string;
        if (d === '\\' && i + 1 < to) {
          const n = text[i + 1] as string;
          // Eval strings resolve \\ and \" only; `\.` stays for match()'s regular expression.
          if (n === '\\' || n === c) {
            value += n;
            i += 2;
            continue;
          }
          value += d;
          i++;
          continue;
        }
        if (d === c) {
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ type: c === '"' ? 'string' : 'field', value, start, end: i });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i, to)) as RegExpExecArray;
      // A number directly followed by name characters is a field name (`5minutes` must be quoted in
      // Splunk, but `_time` style names never start with a digit); keep it a number.
      i += m[0].length;
      tokens.push({ type: 'number', value: m[0], start, end: i });
    } else if (isName(c)) {
      let j = i;
      while (j < to && (isName(text[j]) || (text[j] === '.' && isName(text[j + 1]) && isName(text[j - 1])))) j++;
      tokens.push({ type: 'ident', value: text.slice(i, j), start, end: j });
      i = j;
    } else {
      const op = EVAL_OPS.find((o) => text.startsWith(o, i));
      if (!op) throw new SplError(`unexpected character "${c}"`, { start, end: start + 1 });
      i += op.length;
      tokens.push({ type: 'op', value: op, start, end: i });
    }
  }
  tokens.push({ type: 'eof', value: '', start: to, end: to });
  return tokens;
}
