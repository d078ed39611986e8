/**
 * SPL parser for the subset security content uses: a pipeline of commands split at top-level `|`,
 * the search language (OR binds tighter than AND, as in Splunk; implicit AND between terms) and the
 * eval language (where, eval). Any other command is a "not supported: <command>" error.
 */
import type { Span } from '../ir.js';
import type {
  AggFunction,
  Aggregation,
  ByField,
  Command,
  EvalExpr,
  Pipeline,
  SearchExpr,
  SearchOp,
} from './ast.js';
import { lexEval, lexSearch, SplError, type EvalToken, type SearchToken } from './lexer.js';

/** Commands Splunk has that this engine does not run; named in the error so the rule says why. */
export const SUPPORTED_COMMANDS = ['search', 'tstats', 'stats', 'where', 'eval', 'rename', 'table', 'fields', 'dedup', 'convert', 'fillnull', 'head', 'bin', 'bucket'] as const;

interface Segment {
  start: number;
  end: number;
}

/** Split at `|` outside quotes. */
function splitPipes(text: string): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '[') throw new SplError('not supported: subsearch ([…])', { start: i, end: i + 1 }, 'unsupported');
    if (c === '|') {
      out.push({ start, end: i });
      start = i + 1;
    }
    i++;
  }
  out.push({ start, end: text.length });
  return out;
}

function trimSegment(text: string, seg: Segment): Segment {
  let { start, end } = seg;
  while (start < end && /\s/.test(text[start] as string)) start++;
  while (end > start && /\s/.test(text[end - 1] as string)) end--;
  return { start, end };
}

export function parseSpl(text: string): Pipeline {
  const segments = splitPipes(text).map((s) => trimSegment(text, s));
  const leadingPipe = segments.length > 1 && segments[0]?.start === segments[0]?.end;
  const commands: Command[] = [];
  segments.forEach((seg, i) => {
    if (seg.start === seg.end) {
      if (i === 0 && leadingPipe) return;
      if (i === 0 && segments.length === 1) throw new SplError('the search is empty', { start: 0, end: 0 });
      throw new SplError('empty command between two pipes', { start: seg.start, end: seg.start + 1 });
    }
    const first = i === 0 || (i === 1 && leadingPipe);
    const m = /^[A-Za-z_][\w]*/.exec(text.slice(seg.start, seg.end));
    const name = m ? m[0] : '';
    if (first && !leadingPipe) {
      // A search that does not start with a pipe is an implicit `search`.
      const start = name === 'search' ? seg.start + name.length : seg.start;
      commands.push({ kind: 'search', expr: parseSearchExpr(text, start, seg.end), span: seg });
      return;
    }
    if (first && name !== 'tstats' && name !== 'search') {
      throw new SplError(`not supported: ${name || text.slice(seg.start, seg.end)}`, { start: seg.start, end: seg.start + (name.length || 1) }, 'unsupported');
    }
    if (!first && name === 'tstats') {
      throw new SplError('not supported: tstats after the first command (append=true)', { start: seg.start, end: seg.start + 6 }, 'unsupported');
    }
    commands.push(parseCommand(text, name, seg.start + name.length, seg));
  });
  return { commands, text };
}

function parseCommand(text: string, name: string, argsStart: number, seg: Segment): Command {
  const span: Span = { start: seg.start, end: seg.end };
  switch (name) {
    case 'search':
      return { kind: 'search', expr: parseSearchExpr(text, argsStart, seg.end), span };
    case 'tstats':
      return parseTstats(text, argsStart, span);
    case 'stats':
      return parseStats(text, argsStart, span);
    case 'where': {
      const p = new EvalParser(text, argsStart, seg.end);
      const expr = p.expression();
      p.expectEnd();
      return { kind: 'where', expr, span };
    }
    case 'eval':
      return parseEval(text, argsStart, span);
    case 'regex':
      return parseRegexCommand(text, argsStart, span);
    case 'rename':
      return parseRename(text, argsStart, span);
    case 'table':
      return { kind: 'table', fields: fieldList(lexSearch(text, argsStart, seg.end), 'table'), span };
    case 'fields': {
      const tokens = lexSearch(text, argsStart, seg.end);
      let remove = false;
      const first = tokens[0] as SearchToken;
      if (first.type === 'word' && (first.value === '-' || first.value === '+')) {
        remove = first.value === '-';
        tokens.shift();
      } else if (first.type === 'word' && /^[-+]./.test(first.value)) {
        remove = first.value.startsWith('-');
        first.value = first.value.slice(1);
      }
      return { kind: 'fields', remove, fields: fieldList(tokens, 'fields'), span };
    }
    case 'dedup':
      return parseDedup(text, argsStart, span);
    case 'convert':
      return parseConvert(text, argsStart, span);
    case 'fillnull':
      return parseFillnull(text, argsStart, span);
    case 'bin':
    case 'bucket':
      return parseBin(text, argsStart, span);
    case 'head': {
      const tokens = lexSearch(text, argsStart, seg.end);
      const t = tokens[0] as SearchToken;
      let count = 10;
      if (t.type === 'word' && /^\d+$/.test(t.value)) count = Number(t.value);
      else if (t.type === 'word' && t.value === 'limit' && tokens[1]?.value === '=' && /^\d+$/.test(tokens[2]?.value ?? '')) count = Number(tokens[2]?.value);
      else if (t.type !== 'eof') throw new SplError('not supported: head with an eval expression', { start: t.start, end: t.end }, 'unsupported');
      return { kind: 'head', count, span };
    }
    default:
      throw new SplError(`not supported: ${name || text.slice(seg.start, seg.end).split(/\s/)[0]}`, { start: seg.start, end: seg.start + Math.max(1, name.length) }, 'unsupported');
  }
}

// ---------------------------------------------------------------------------------------------
// Search language.

class SearchParser {
  private pos = 0;
  constructor(
    private readonly tokens: SearchToken[],
    /** Stop at a top-level `by` word (tstats where … by …). */
    private readonly stopAtBy = false,
  ) {}

  peek(offset = 0): SearchToken {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as SearchToken;
  }

  next(): SearchToken {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  get index(): number {
    return this.pos;
  }

  atStop(): boolean {
    const t = this.peek();
    return t.type === 'eof' || t.type === 'rparen' || (this.stopAtBy && t.type === 'word' && (t.value === 'by' || t.value === 'BY'));
  }

  /** The whole expression: terms joined by AND (explicit or implicit). */
  expression(): SearchExpr | null {
    const terms: SearchExpr[] = [];
    while (!this.atStop()) {
      const t = this.peek();
      if (t.type === 'word' && t.value === 'AND') {
        this.next();
        continue;
      }
      terms.push(this.orExpr());
    }
    if (!terms.length) return null;
    if (terms.length === 1) return terms[0] as SearchExpr;
    return { kind: 'and', terms, span: { start: (terms[0] as SearchExpr).span.start, end: (terms[terms.length - 1] as SearchExpr).span.end } };
  }

  /** OR binds tighter than AND in the search language. */
  private orExpr(): SearchExpr {
    const terms = [this.unary()];
    while (this.peek().type === 'word' && this.peek().value === 'OR') {
      const or = this.next();
      if (this.atStop()) throw new SplError('OR needs a term after it', { start: or.start, end: or.end });
      terms.push(this.unary());
    }
    if (terms.length === 1) return terms[0] as SearchExpr;
    return { kind: 'or', terms, span: { start: (terms[0] as SearchExpr).span.start, end: (terms[terms.length - 1] as SearchExpr).span.end } };
  }

  private unary(): SearchExpr {
    const t = this.peek();
    if (t.type === 'word' && t.value === 'NOT') {
      this.next();
      if (this.atStop()) throw new SplError('NOT needs a term after it', { start: t.start, end: t.end });
      const operand = this.unary();
      return { kind: 'not', operand, span: { start: t.start, end: operand.span.end } };
    }
    return this.primary();
  }

  private primary(): SearchExpr {
    const t = this.next();
    if (t.type === 'lparen') {
      const inner = this.expression();
      const close = this.next();
      if (close.type !== 'rparen') throw new SplError('missing )', { start: t.start, end: t.end });
      if (!inner) return { kind: 'term', value: '*', span: { start: t.start, end: close.end } };
      return { ...inner, span: { start: t.start, end: close.end } } as SearchExpr;
    }
    if (t.type === 'word' || t.type === 'string') {
      const after = this.peek();
      if (after.type === 'op') {
        this.next();
        const op = (after.value === '==' ? '=' : after.value) as SearchOp;
        const v = this.peek();
        let value = '';
        let end = after.end;
        if ((v.type === 'word' || v.type === 'string') && v.start === after.end) {
          this.next();
          value = v.value;
          end = v.end;
        } else if (v.type === 'word' || v.type === 'string') {
          // `field= value`: Splunk reads the next term as the value.
          this.next();
          value = v.value;
          end = v.end;
        }
        return { kind: 'compare', field: t.value, fieldSpan: { start: t.start, end: t.end }, op, value, span: { start: t.start, end } };
      }
      if (after.type === 'word' && (after.value === 'IN' || after.value === 'in') && this.peek(1).type === 'lparen') {
        this.next();
        this.next();
        const values: string[] = [];
        for (;;) {
          const v = this.next();
          if (v.type === 'rparen') return { kind: 'in', field: t.value, fieldSpan: { start: t.start, end: t.end }, values, span: { start: t.start, end: v.end } };
          if (v.type === 'comma') continue;
          if (v.type === 'word' || v.type === 'string') values.push(v.value);
          else throw new SplError('IN (…) is not closed', { start: after.start, end: after.end });
        }
      }
      return { kind: 'term', value: t.value, span: { start: t.start, end: t.end } };
    }
    if (t.type === 'op') throw new SplError(`a search term is missing before "${t.value}"`, { start: t.start, end: t.end });
    if (t.type === 'comma') return { kind: 'term', value: '*', span: { start: t.start, end: t.end } };
    throw new SplError('unexpected end of the search', { start: t.start, end: t.end });
  }
}

export function parseSearchExpr(text: string, from: number, to: number): SearchExpr | null {
  const p = new SearchParser(lexSearch(text, from, to));
  const expr = p.expression();
  const rest = p.peek();
  if (rest.type !== 'eof') throw new SplError('unbalanced )', { start: rest.start, end: rest.end });
  return expr;
}

// ---------------------------------------------------------------------------------------------
// tstats / stats.

const AGG_ALIASES: Record<string, AggFunction> = {
  count: 'count', c: 'count', dc: 'dc', distinct_count: 'dc', values: 'values', list: 'list', min: 'min', max: 'max',
  sum: 'sum', avg: 'avg', mean: 'avg', first: 'first', last: 'last', earliest: 'earliest', latest: 'latest',
};

const TSTATS_OPTIONS = new Set([
  'summariesonly', 'allow_old_summaries', 'fillnull_value', 'prestats', 'local', 'append', 'chunk_size',
  'include_reduced_buckets', 'use_summary_index_values', 'fillnull', 'allow_partial_results',
]);

function isWord(t: SearchToken, ...values: string[]): boolean {
  return t.type === 'word' && values.some((v) => v === t.value || v.toUpperCase() === t.value);
}

/** Aggregations until `from`, `where`, `by` or the end. */
function parseAggregations(tokens: SearchToken[], pos: { i: number }, command: string): Aggregation[] {
  const aggs: Aggregation[] = [];
  for (;;) {
    const t = tokens[pos.i] as SearchToken;
    if (t.type === 'eof' || isWord(t, 'from', 'where', 'by')) break;
    if (t.type === 'comma') {
      pos.i++;
      continue;
    }
    if (t.type !== 'word') throw new SplError(`${command}: expected an aggregation such as count or values(field)`, { start: t.start, end: t.end });
    const fn = AGG_ALIASES[t.value] ?? AGG_ALIASES[t.value.toLowerCase()];
    if (!fn) {
      // `count(x)` lexes as `count` `(`; anything else that is not an aggregation is unsupported.
      throw new SplError(`not supported: ${command} function ${t.value}`, { start: t.start, end: t.end }, 'unsupported');
    }
    pos.i++;
    let field: string | null = null;
    let fieldSpan: Span | undefined;
    let end = t.end;
    const open = tokens[pos.i] as SearchToken;
    if (open.type === 'lparen' && open.start === t.end) {
      const f = tokens[pos.i + 1] as SearchToken;
      const close = tokens[pos.i + 2] as SearchToken;
      if ((f.type !== 'word' && f.type !== 'string') || close.type !== 'rparen') {
        throw new SplError(`not supported: ${command} ${t.value}() over an expression`, { start: t.start, end: open.end }, 'unsupported');
      }
      field = f.value;
      fieldSpan = { start: f.start, end: f.end };
      end = close.end;
      pos.i += 3;
    } else if (fn !== 'count') {
      throw new SplError(`${t.value} needs a field: ${t.value}(field)`, { start: t.start, end: t.end });
    }
    let as = field === null ? 'count' : `${t.value}(${field})`;
    const asTok = tokens[pos.i] as SearchToken;
    if (isWord(asTok, 'as')) {
      const name = tokens[pos.i + 1] as SearchToken;
      if (name.type !== 'word' && name.type !== 'string') throw new SplError('AS needs a field name', { start: asTok.start, end: asTok.end });
      as = name.value;
      end = name.end;
      pos.i += 2;
    }
    aggs.push({ fn, field, ...(fieldSpan ? { fieldSpan } : {}), as, span: { start: t.start, end } });
  }
  return aggs;
}

function parseBy(tokens: SearchToken[], pos: { i: number }): { by: ByField[]; spanSeconds?: number } {
  const by: ByField[] = [];
  let spanSeconds: number | undefined;
  for (;;) {
    const t = tokens[pos.i] as SearchToken;
    if (t.type === 'eof') break;
    if (t.type === 'comma') {
      pos.i++;
      continue;
    }
    if (t.type === 'word' && t.value === 'span' && tokens[pos.i + 1]?.value === '=') {
      const v = tokens[pos.i + 2] as SearchToken;
      spanSeconds = parseSpan(v);
      pos.i += 3;
      continue;
    }
    if (t.type !== 'word' && t.type !== 'string') throw new SplError('by: expected a field name', { start: t.start, end: t.end });
    by.push({ name: t.value, span: { start: t.start, end: t.end } });
    pos.i++;
  }
  return { by, ...(spanSeconds !== undefined ? { spanSeconds } : {}) };
}

const SPAN_UNITS: Record<string, number> = { s: 1, sec: 1, secs: 1, second: 1, seconds: 1, m: 60, min: 60, mins: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400 };

function parseSpan(t: SearchToken): number {
  const m = /^(\d+)([a-z]*)$/.exec(t.value);
  const unit = m ? SPAN_UNITS[m[2] || 's'] : undefined;
  if (!m || unit === undefined) throw new SplError(`span=${t.value}: use a number and a unit (s, m, h, d)`, { start: t.start, end: t.end }, 'unsupported');
  return Number(m[1]) * unit;
}

function parseTstats(text: string, from: number, span: Span): Command {
  const tokens = lexSearch(text, from, span.end);
  const pos = { i: 0 };
  const options: Record<string, string> = {};
  for (;;) {
    const t = tokens[pos.i] as SearchToken;
    const eq = tokens[pos.i + 1] as SearchToken;
    if (t.type === 'word' && eq.type === 'op' && eq.value === '=' && TSTATS_OPTIONS.has(t.value.toLowerCase())) {
      const v = tokens[pos.i + 2] as SearchToken;
      options[t.value.toLowerCase()] = v.type === 'word' || v.type === 'string' ? v.value : '';
      pos.i += v.type === 'word' || v.type === 'string' ? 3 : 2;
      continue;
    }
    break;
  }
  if (/^(t|true|1)$/i.test(options.prestats ?? '')) {
    throw new SplError('not supported: tstats prestats=true', span, 'unsupported');
  }
  const aggs = parseAggregations(tokens, pos, 'tstats');
  const fromTok = tokens[pos.i] as SearchToken;
  if (!isWord(fromTok, 'from')) {
    throw new SplError('not supported: tstats without "from datamodel=…" (indexed fields of raw events)', { start: fromTok.start, end: fromTok.end }, 'unsupported');
  }
  pos.i++;
  const dm = tokens[pos.i] as SearchToken;
  let datamodel: { name: string; span: Span };
  if (dm.type === 'word' && /^datamodel[:=]?/i.test(dm.value)) {
    let name = dm.value.replace(/^datamodel[:=]?/i, '');
    let end = dm.end;
    pos.i++;
    if (!name) {
      const eq = tokens[pos.i] as SearchToken;
      if (eq.type === 'op' && eq.value === '=') pos.i++;
      const v = tokens[pos.i] as SearchToken;
      if (v.type !== 'word' && v.type !== 'string') throw new SplError('datamodel= needs a data model name', { start: dm.start, end: dm.end });
      name = v.value;
      end = v.end;
      pos.i++;
    }
    datamodel = { name, span: { start: dm.start, end } };
  } else {
    throw new SplError('not supported: tstats from a source other than datamodel=…', { start: dm.start, end: dm.end }, 'unsupported');
  }
  let where: SearchExpr | null = null;
  const w = tokens[pos.i] as SearchToken;
  if (isWord(w, 'where')) {
    pos.i++;
    const sub = new SearchParser(tokens.slice(pos.i), true);
    where = sub.expression();
    pos.i += sub.index;
    const after = tokens[pos.i] as SearchToken;
    if (after.type === 'rparen') throw new SplError('unbalanced )', { start: after.start, end: after.end });
  }
  let by: ByField[] = [];
  let spanSeconds: number | undefined;
  const b = tokens[pos.i] as SearchToken;
  if (isWord(b, 'by')) {
    pos.i++;
    ({ by, spanSeconds } = parseBy(tokens, pos));
  } else if (b.type !== 'eof') {
    throw new SplError(`tstats: unexpected "${b.value}"`, { start: b.start, end: b.end });
  }
  if (!aggs.length) throw new SplError('tstats needs an aggregation such as count', span);
  return { kind: 'tstats', options, aggs, datamodel, where, by, ...(spanSeconds !== undefined ? { spanSeconds } : {}), span };
}

function parseStats(text: string, from: number, span: Span): Command {
  const tokens = lexSearch(text, from, span.end);
  const pos = { i: 0 };
  const aggs = parseAggregations(tokens, pos, 'stats');
  if (!aggs.length) throw new SplError('stats needs an aggregation such as count', span);
  let by: ByField[] = [];
  const b = tokens[pos.i] as SearchToken;
  if (isWord(b, 'by')) {
    pos.i++;
    const parsed = parseBy(tokens, pos);
    if (parsed.spanSeconds !== undefined) throw new SplError('not supported: stats by … span=', b, 'unsupported');
    by = parsed.by;
  } else if (b.type !== 'eof') {
    throw new SplError(`stats: unexpected "${b.value}"`, { start: b.start, end: b.end });
  }
  return { kind: 'stats', aggs, by, span };
}

function fieldList(tokens: SearchToken[], command: string): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.type === 'eof' || t.type === 'comma') continue;
    if (t.type !== 'word' && t.type !== 'string') throw new SplError(`${command}: expected field names`, { start: t.start, end: t.end });
    out.push(t.value);
  }
  return out;
}

/** `regex <field>="<pcre>"` or `regex <field>!="<pcre>"` (the pattern is compiled by the pipeline). */
function parseRegexCommand(text: string, from: number, span: Span): Command {
  const tokens = lexSearch(text, from, span.end);
  const [field, op, pattern, end] = tokens;
  if (field && (field.type === 'string' || (field.type === 'word' && op?.type === 'eof'))) {
    throw new SplError('not supported: regex over the raw event text (_raw): replayed events have fields, not raw text', { start: field.start, end: field.end }, 'unsupported');
  }
  if (!field || field.type !== 'word' || !op || op.type !== 'op' || (op.value !== '=' && op.value !== '!=') || !pattern || (pattern.type !== 'string' && pattern.type !== 'word') || end?.type !== 'eof') {
    const at = tokens.find((t, i) => (i === 0 && t.type !== 'word') || (i === 1 && !(t.type === 'op' && (t.value === '=' || t.value === '!='))) || (i === 2 && t.type !== 'string' && t.type !== 'word') || i > 2) ?? tokens[tokens.length - 1];
    throw new SplError('regex takes field="regular expression" or field!="regular expression"', at ? { start: at.start, end: Math.max(at.end, at.start + 1) } : span, 'syntax');
  }
  if (field.value === '_raw') {
    throw new SplError('not supported: regex over the raw event text (_raw): replayed events have fields, not raw text', { start: field.start, end: field.end }, 'unsupported');
  }
  return {
    kind: 'regex',
    field: field.value,
    fieldSpan: { start: field.start, end: field.end },
    negate: op.value === '!=',
    pattern: pattern.value,
    patternSpan: { start: pattern.start, end: pattern.end },
    span,
  };
}

function parseRename(text: string, from: number, span: Span): Command {
  const tokens = lexSearch(text, from, span.end);
  const pairs: Array<{ from: string; to: string; span: Span }> = [];
  let i = 0;
  for (;;) {
    const t = tokens[i] as SearchToken;
    if (t.type === 'eof') break;
    if (t.type === 'comma') {
      i++;
      continue;
    }
    const as = tokens[Math.min(i + 1, tokens.length - 1)] as SearchToken;
    const to = tokens[Math.min(i + 2, tokens.length - 1)] as SearchToken;
    if ((t.type !== 'word' && t.type !== 'string') || !isWord(as, 'as') || (to.type !== 'word' && to.type !== 'string')) {
      throw new SplError('rename: write "<field> AS <new name>"', { start: t.start, end: Math.max(t.end, to.end) });
    }
    pairs.push({ from: t.value, to: to.value, span: { start: t.start, end: to.end } });
    i += 3;
  }
  if (!pairs.length) throw new SplError('rename needs "<field> AS <new name>"', span);
  return { kind: 'rename', pairs, span };
}

function parseDedup(text: string, from: number, span: Span): Command {
  const tokens = lexSearch(text, from, span.end);
  let limit = 1;
  let keepEmpty = false;
  let consecutive = false;
  const fields: string[] = [];
  let i = 0;
  const first = tokens[0] as SearchToken;
  if (first.type === 'word' && /^\d+$/.test(first.value)) {
    limit = Number(first.value);
    i = 1;
  }
  for (; i < tokens.length; i++) {
    const t = tokens[i] as SearchToken;
    if (t.type === 'eof' || t.type === 'comma') continue;
    if (t.type === 'word' && (t.value === 'sortby' || t.value === 'SORTBY')) throw new SplError('not supported: dedup sortby', { start: t.start, end: t.end }, 'unsupported');
    const eq = tokens[i + 1] as SearchToken;
    if (t.type === 'word' && eq.type === 'op' && eq.value === '=' && (t.value === 'keepempty' || t.value === 'consecutive' || t.value === 'keepevents')) {
      const v = /^(t|true|1)$/i.test((tokens[i + 2] as SearchToken).value);
      if (t.value === 'keepempty') keepEmpty = v;
      else if (t.value === 'consecutive') consecutive = v;
      else if (v) throw new SplError('not supported: dedup keepevents=true', { start: t.start, end: t.end }, 'unsupported');
      i += 2;
      continue;
    }
    if (t.type !== 'word' && t.type !== 'string') throw new SplError('dedup: expected field names', { start: t.start, end: t.end });
    fields.push(t.value);
  }
  if (!fields.length) throw new SplError('dedup needs at least one field', span);
  return { kind: 'dedup', limit, fields, keepEmpty, consecutive, span };
}

function parseConvert(text: string, from: number, span: Span): Command {
  const tokens = lexSearch(text, from, span.end);
  let timeformat = '%m/%d/%Y %H:%M:%S';
  const conversions: Array<{ fn: 'ctime' | 'num'; field: string; as: string }> = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i] as SearchToken;
    if (t.type === 'eof') break;
    if (t.type === 'comma') {
      i++;
      continue;
    }
    if (t.type === 'word' && t.value === 'timeformat' && tokens[i + 1]?.value === '=') {
      timeformat = (tokens[i + 2] as SearchToken).value;
      i += 3;
      continue;
    }
    const open = tokens[i + 1] as SearchToken;
    const f = tokens[i + 2] as SearchToken;
    const close = tokens[i + 3] as SearchToken;
    if (t.type !== 'word' || open.type !== 'lparen' || close?.type !== 'rparen') throw new SplError('convert: expected a conversion such as ctime(field)', { start: t.start, end: t.end });
    if (t.value !== 'ctime' && t.value !== 'num' && t.value !== 'auto') throw new SplError(`not supported: convert ${t.value}()`, { start: t.start, end: t.end }, 'unsupported');
    i += 4;
    let as = f.value;
    if (isWord(tokens[i] as SearchToken, 'as')) {
      as = (tokens[i + 1] as SearchToken).value;
      i += 2;
    }
    conversions.push({ fn: t.value === 'ctime' ? 'ctime' : 'num', field: f.value, as });
  }
  if (!conversions.length) throw new SplError('convert needs a conversion such as ctime(field)', span);
  return { kind: 'convert', timeformat, conversions, span };
}

/** `bin _time span=1h [as t]` (also `bucket`): fixed-width buckets; automatic binning is not supported. */
function parseBin(text: string, from: number, span: Span): Command {
  const tokens = lexSearch(text, from, span.end);
  let field: string | undefined;
  let as: string | undefined;
  let width: number | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as SearchToken;
    if (t.type === 'eof' || t.type === 'comma') continue;
    if (t.type === 'word' && tokens[i + 1]?.value === '=' && tokens[i + 1]?.type === 'op') {
      const v = tokens[i + 2] as SearchToken;
      if (t.value === 'span') width = /^\d+(\.\d+)?$/.test(v.value) ? Number(v.value) : parseSpan(v);
      else throw new SplError(`not supported: bin ${t.value}=`, { start: t.start, end: t.end }, 'unsupported');
      i += 2;
      continue;
    }
    if (isWord(t, 'as')) {
      as = (tokens[i + 1] as SearchToken).value;
      i++;
      continue;
    }
    if (t.type !== 'word' && t.type !== 'string') throw new SplError('bin: expected a field name', { start: t.start, end: t.end });
    field = t.value;
  }
  if (!field) throw new SplError('bin needs a field', span);
  if (width === undefined || !(width > 0)) throw new SplError('not supported: bin without span=', span, 'unsupported');
  return { kind: 'bin', field, as: as ?? field, width, span };
}

function parseFillnull(text: string, from: number, span: Span): Command {
  const tokens = lexSearch(text, from, span.end);
  let value = '0';
  const fields: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as SearchToken;
    if (t.type === 'eof' || t.type === 'comma') continue;
    if (t.type === 'word' && t.value === 'value' && tokens[i + 1]?.value === '=') {
      value = (tokens[i + 2] as SearchToken).value;
      i += 2;
      continue;
    }
    fields.push(t.value);
  }
  return { kind: 'fillnull', value, fields, span };
}

// ---------------------------------------------------------------------------------------------
// eval language.

function parseEval(text: string, from: number, span: Span): Command {
  const p = new EvalParser(text, from, span.end);
  const assignments: Array<{ field: string; expr: EvalExpr; span: Span }> = [];
  for (;;) {
    const name = p.next();
    if (name.type !== 'ident' && name.type !== 'field' && name.type !== 'string') throw new SplError('eval: expected "<field>=<expression>"', { start: name.start, end: name.end });
    const eq = p.next();
    if (eq.type !== 'op' || eq.value !== '=') throw new SplError('eval: expected "=" after the field name', { start: eq.start, end: eq.end });
    const expr = p.expression();
    assignments.push({ field: name.value, expr, span: { start: name.start, end: expr.span.end } });
    const sep = p.peek();
    if (sep.type === 'comma') {
      p.next();
      continue;
    }
    if (sep.type === 'eof') break;
    throw new SplError(`eval: unexpected "${sep.value}"`, { start: sep.start, end: sep.end });
  }
  return { kind: 'eval', assignments, span };
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'XOR', 'LIKE', 'IN']);

export class EvalParser {
  private readonly tokens: EvalToken[];
  private pos = 0;

  constructor(text: string, from: number, to: number) {
    this.tokens = lexEval(text, from, to);
  }

  peek(offset = 0): EvalToken {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as EvalToken;
  }

  next(): EvalToken {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'eof') throw new SplError(`unexpected "${t.value}"`, { start: t.start, end: t.end });
  }

  private keyword(t: EvalToken, kw: string): boolean {
    return t.type === 'ident' && t.value.toUpperCase() === kw;
  }

  expression(): EvalExpr {
    return this.or();
  }

  private or(): EvalExpr {
    let left = this.xor();
    while (this.keyword(this.peek(), 'OR')) {
      this.next();
      const right = this.xor();
      left = { kind: 'binary', op: 'OR', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private xor(): EvalExpr {
    let left = this.and();
    while (this.keyword(this.peek(), 'XOR')) {
      this.next();
      const right = this.and();
      left = { kind: 'binary', op: 'XOR', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private and(): EvalExpr {
    let left = this.not();
    while (this.keyword(this.peek(), 'AND')) {
      this.next();
      const right = this.not();
      left = { kind: 'binary', op: 'AND', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private not(): EvalExpr {
    const t = this.peek();
    if (this.keyword(t, 'NOT')) {
      this.next();
      const operand = this.not();
      return { kind: 'unary', op: 'NOT', operand, span: { start: t.start, end: operand.span.end } };
    }
    return this.comparison();
  }

  private comparison(): EvalExpr {
    const left = this.additive();
    const t = this.peek();
    if (t.type === 'op' && ['=', '==', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      this.next();
      const right = this.additive();
      const op = t.value === '==' ? '=' : t.value;
      return { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
    }
    if (this.keyword(t, 'LIKE')) {
      this.next();
      const pattern = this.additive();
      return { kind: 'like', subject: left, pattern, span: { start: left.span.start, end: pattern.span.end } };
    }
    if (this.keyword(t, 'IN') && this.peek(1).type === 'lparen') {
      this.next();
      this.next();
      const values: EvalExpr[] = [];
      for (;;) {
        values.push(this.expression());
        const sep = this.next();
        if (sep.type === 'rparen') return { kind: 'in', subject: left, values, span: { start: left.span.start, end: sep.end } };
        if (sep.type !== 'comma') throw new SplError('IN (…): expected "," or ")"', { start: sep.start, end: sep.end });
      }
    }
    return left;
  }

  private additive(): EvalExpr {
    let left = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t.type !== 'op' || (t.value !== '+' && t.value !== '-' && t.value !== '.')) return left;
      this.next();
      const right = this.multiplicative();
      left = { kind: 'binary', op: t.value, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  private multiplicative(): EvalExpr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.type !== 'op' || (t.value !== '*' && t.value !== '/' && t.value !== '%')) return left;
      this.next();
      const right = this.unary();
      left = { kind: 'binary', op: t.value, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  private unary(): EvalExpr {
    const t = this.peek();
    if (t.type === 'op' && t.value === '-') {
      this.next();
      const operand = this.unary();
      return { kind: 'unary', op: '-', operand, span: { start: t.start, end: operand.span.end } };
    }
    return this.primary();
  }

  private primary(): EvalExpr {
    const t = this.next();
    const span = { start: t.start, end: t.end };
    switch (t.type) {
      case 'number':
        return { kind: 'literal', value: Number(t.value), span };
      case 'string':
        return { kind: 'literal', value: t.value, span };
      case 'field':
        return { kind: 'field', name: t.value, span };
      case 'lparen': {
        const inner = this.expression();
        const close = this.next();
        if (close.type !== 'rparen') throw new SplError('missing )', span);
        return inner;
      }
      case 'ident': {
        if (this.peek().type === 'lparen' && this.peek().start === t.end) {
          this.next();
          const args: EvalExpr[] = [];
          if (this.peek().type === 'rparen') {
            const close = this.next();
            return { kind: 'call', name: t.value.toLowerCase(), args, span: { start: t.start, end: close.end } };
          }
          for (;;) {
            args.push(this.expression());
            const sep = this.next();
            if (sep.type === 'rparen') return { kind: 'call', name: t.value.toLowerCase(), args, span: { start: t.start, end: sep.end } };
            if (sep.type !== 'comma') throw new SplError(`${t.value}(…): expected "," or ")"`, { start: sep.start, end: sep.end });
          }
        }
        if (KEYWORDS.has(t.value.toUpperCase())) throw new SplError(`unexpected ${t.value}`, span);
        return { kind: 'field', name: t.value, span };
      }
      case 'eof':
        throw new SplError('the expression ends too early', span);
      default:
        throw new SplError(`unexpected "${t.value}"`, span);
    }
  }
}
