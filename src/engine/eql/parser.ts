/**
 * Recursive-descent EQL parser (Elasticsearch grammar, plus the legacy endgame forms the `endgame`
 * dialect accepts). Errors carry the offset of the offending token; messages follow
 * Elasticsearch's wording where it has one (`mismatched input …`, `Unrecognized pipe […]`, …).
 *
 * Precedence, loosest first: `or`, `and`, `not`, comparison / predicate (`==`, `in`, `:`, `like`,
 * `regex`; not chainable), `+ -`, `* / %`, unary `-`, primary.
 */
import type { AstEventQuery, AstExpr, AstPipe, AstQuery, AstStage, AstStatement } from './ast.js';
import { EqlSyntaxError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

export interface ParseOptions {
  endgame: boolean;
}

const KEYWORDS = new Set(['and', 'any', 'by', 'false', 'in', 'like', 'maxspan', 'not', 'null', 'of', 'or', 'regex', 'sample', 'sequence', 'true', 'until', 'where', 'with', 'join']);

const TIME_UNITS_ES = new Set(['ms', 's', 'm', 'h', 'd']);

export function parseEql(text: string, options: ParseOptions): AstStatement {
  return new Parser(text, options).statement();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {
    this.tokens = tokenize(text, { endgame: options.endgame });
  }

  // ---- token helpers ----

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as Token;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private isKeyword(word: string, t: Token = this.peek()): boolean {
    return t.kind === 'ident' && t.value.toLowerCase() === word;
  }
  private isOp(op: string, t: Token = this.peek()): boolean {
    return t.kind === 'op' && t.value === op;
  }
  private acceptKeyword(word: string): Token | undefined {
    if (this.isKeyword(word)) return this.next();
    return undefined;
  }
  private acceptOp(op: string): Token | undefined {
    if (this.isOp(op)) return this.next();
    return undefined;
  }
  private describe(t: Token): string {
    if (t.kind === 'eof') return '<EOF>';
    return `'${this.text.slice(t.start, t.end)}'`;
  }
  private fail(message: string, t: Token = this.peek(), kind: 'syntax' | 'unsupported' | 'semantic' = 'syntax'): never {
    throw new EqlSyntaxError(message, this.text, t.start, kind);
  }
  private mismatched(expecting: string, t: Token = this.peek()): never {
    this.fail(`mismatched input ${this.describe(t)} expecting ${expecting}`, t);
  }
  private expectOp(op: string): Token {
    const t = this.acceptOp(op);
    if (!t) this.mismatched(`'${op}'`);
    return t;
  }
  private expectKeyword(word: string): Token {
    const t = this.acceptKeyword(word);
    if (!t) this.mismatched(`'${word}'`);
    return t;
  }

  // ---- statement ----

  statement(): AstStatement {
    if (this.peek().kind === 'eof') this.fail('no viable alternative at input <EOF>: the query is empty');
    const query = this.query();
    const pipes: AstPipe[] = [];
    while (this.isOp('|')) pipes.push(this.pipe());
    const t = this.peek();
    if (t.kind !== 'eof') {
      if (query.type === 'event' && (this.isKeyword('and') || this.isKeyword('or'))) this.mismatched('<EOF>');
      this.fail(`extraneous input ${this.describe(t)} expecting {<EOF>, '|'}`, t);
    }
    return { query, pipes };
  }

  private query(): AstQuery {
    const t = this.peek();
    if (this.isKeyword('sequence')) return this.sequence();
    if (this.isKeyword('sample')) return this.sample();
    if (this.isKeyword('join')) this.fail('Join is not supported', t, 'unsupported');
    const query = this.eventQuery();
    return { type: 'event', query, start: query.start, end: query.end };
  }

  private eventQuery(): AstEventQuery {
    const t = this.peek();
    let category: string | null;
    if (this.isKeyword('any')) {
      this.next();
      category = null;
    } else if (t.kind === 'ident' && !KEYWORDS.has(t.value.toLowerCase())) {
      this.next();
      category = t.value;
    } else if (t.kind === 'string') {
      this.next();
      category = t.value;
    } else if (t.kind === 'qident') {
      this.next();
      category = t.value;
    } else {
      this.mismatched("{'any', 'sequence', 'sample', STRING, IDENTIFIER}");
    }
    const where = this.peek();
    if (!this.isKeyword('where')) {
      if (where.kind === 'op' && where.value === '.') this.fail(`mismatched input ${this.describe(where)} expecting 'where'`, where);
      this.mismatched("'where'", where);
    }
    this.next();
    const condition = this.expression();
    return { category, categoryStart: t.start, categoryEnd: t.end, condition, start: t.start, end: condition.end };
  }

  private joinKeys(): AstExpr[] {
    const keys: AstExpr[] = [this.additive()];
    while (this.acceptOp(',')) keys.push(this.additive());
    return keys;
  }

  private sequence(): AstQuery {
    const start = this.next().start;
    let by: AstExpr[] = [];
    let maxspan: (AstQuery & { type: 'sequence' })['maxspan'];
    if (this.acceptKeyword('by')) by = this.joinKeys();
    if (this.isKeyword('with')) {
      maxspan = this.maxspan();
      if (this.isKeyword('by')) {
        if (!this.options.endgame) this.fail('Please specify sequence [by] before [with] not after', this.tokens[this.pos] as Token);
        this.next();
        by = this.joinKeys();
      }
    }
    const stages: AstStage[] = [];
    let until: AstStage | undefined;
    while (this.isOp('[') || this.isOp('![')) stages.push(this.stage(true));
    // `with runs=N` counts as N queries (Elasticsearch expands it before checking): one stage that
    // repeats is a sequence, as Elastic's own rules write threshold-like sequences.
    const queries = stages.reduce((n, s) => n + (s.runs?.value ?? 1), 0);
    if (queries < 2) {
      const at = this.peek();
      if (stages.length === 0) this.mismatched("{'[', '!['}", at);
      this.mismatched("{'[', '!['}: a sequence needs at least two queries", at);
    }
    if (this.acceptKeyword('until')) {
      if (!this.isOp('[')) this.mismatched("'['");
      until = this.stage(false);
    }
    const last = until ?? (stages[stages.length - 1] as AstStage);
    return { type: 'sequence', by, ...(maxspan ? { maxspan } : {}), stages, ...(until ? { until } : {}), start, end: last.end };
  }

  private maxspan(): { value: number; unit: string; start: number; end: number } {
    this.expectKeyword('with');
    const keyTok = this.peek();
    if (!this.isKeyword('maxspan')) this.mismatched("'maxspan'");
    this.next();
    if (!this.acceptOp('=')) this.acceptOp('==') ?? this.mismatched("'='");
    const numTok = this.peek();
    if (numTok.kind !== 'number') this.mismatched('a number (e.g. 30s)', numTok);
    this.next();
    const raw = numTok.value;
    const unitTok = this.peek();
    const hasUnit = unitTok.kind === 'ident' && unitTok.start === numTok.end;
    const spaceUnit = unitTok.kind === 'ident' && !hasUnit && !KEYWORDS.has(unitTok.value.toLowerCase());
    if (!/^\d+$/.test(raw)) {
      this.fail(`Decimal time interval [${raw}${hasUnit || spaceUnit ? unitTok.value : ''}] not supported; please use an positive integer`, numTok);
    }
    const value = Number(raw);
    if (value <= 0) this.fail(`A positive maxspan value is required; found [${value}]`, numTok);
    if (!hasUnit && !spaceUnit) {
      if (this.options.endgame) return { value, unit: 's', start: keyTok.start, end: numTok.end };
      this.fail(`No time unit specified, did you mean [s] as in [${raw}s]?`, numTok);
    }
    this.next();
    const unit = unitTok.value;
    const unitOk = this.options.endgame ? endgameUnit(unit) !== undefined : TIME_UNITS_ES.has(unit);
    if (!unitOk) this.fail(`Unrecognized time unit [${unit}] in [${raw}${unit}], please specify one of [ms, s, m, h, d]`, unitTok);
    return { value, unit: this.options.endgame ? (endgameUnit(unit) as string) : unit, start: keyTok.start, end: unitTok.end };
  }

  private stage(allowRunsAndMissing: boolean): AstStage {
    const open = this.next();
    const missing = open.value === '![';
    if (missing && !allowRunsAndMissing) this.fail('Missing events ![…] are not allowed in until', open);
    const query = this.eventQuery();
    const close = this.peek();
    if (!this.acceptOp(']')) {
      this.mismatched("']'", close);
    }
    let end = close.end;
    let by: AstExpr[] = [];
    let byStart: number | undefined;
    if (this.isKeyword('by')) {
      byStart = this.next().start;
      by = this.joinKeys();
      end = (by[by.length - 1] as AstExpr).end;
    }
    if (this.options.endgame && this.peek().kind === 'ident' && this.peek().value.toLowerCase() === 'fork') {
      this.fail('Sequence stage option [fork] is not supported', this.peek(), 'unsupported');
    }
    let runs: AstStage['runs'];
    if (allowRunsAndMissing && this.isKeyword('with') && !this.isKeyword('maxspan', this.peek(1))) {
      const withTok = this.next();
      const key = this.peek();
      if (!(key.kind === 'ident' && key.value === 'runs')) this.mismatched("'runs'", key);
      this.next();
      this.expectOp('=');
      const num = this.peek();
      if (num.kind !== 'number' || !/^\d+$/.test(num.value)) this.mismatched('a positive integer', num);
      this.next();
      const value = Number(num.value);
      if (value < 1 || value > 100) this.fail(`A positive runs value between 1 and 100 is required; found [${value}]`, num, 'semantic');
      runs = { value, start: withTok.start };
      end = num.end;
    }
    return { query, by, ...(byStart !== undefined ? { byStart } : {}), ...(runs ? { runs } : {}), missing, start: open.start, end };
  }

  private sample(): AstQuery {
    const start = this.next().start;
    let by: AstExpr[] = [];
    if (this.acceptKeyword('by')) by = this.joinKeys();
    const stages: AstStage[] = [];
    while (this.isOp('[')) stages.push(this.stage(false));
    if (stages.length < 2) this.mismatched("'[': a sample needs at least two queries");
    return { type: 'sample', by, stages, start, end: (stages[stages.length - 1] as AstStage).end };
  }

  private pipe(): AstPipe {
    const bar = this.next();
    const nameTok = this.peek();
    if (nameTok.kind !== 'ident') this.mismatched('a pipe name', nameTok);
    this.next();
    const args: AstExpr[] = [];
    const name = nameTok.value.toLowerCase();
    if (name !== 'head' && name !== 'tail') {
      // Other pipes (legacy `unique a b`, `sort`, `filter …`) are rejected when lowered; their
      // arguments are skipped here so the message names the pipe, not its syntax.
      let end = nameTok.end;
      while (!this.isOp('|') && this.peek().kind !== 'eof') end = this.next().end;
      return { name: nameTok.value, nameStart: nameTok.start, args, start: bar.start, end };
    }
    if (!this.isOp('|') && this.peek().kind !== 'eof') {
      args.push(this.expression());
      while (this.acceptOp(',')) args.push(this.expression());
    }
    const end = args.length ? (args[args.length - 1] as AstExpr).end : nameTok.end;
    return { name: nameTok.value, nameStart: nameTok.start, args, start: bar.start, end };
  }

  // ---- expressions ----

  expression(): AstExpr {
    return this.or();
  }

  private or(): AstExpr {
    let left = this.and();
    while (this.isKeyword('or')) {
      this.next();
      const right = this.and();
      left = { type: 'logical', op: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private and(): AstExpr {
    let left = this.not();
    while (this.isKeyword('and')) {
      this.next();
      const right = this.not();
      left = { type: 'logical', op: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private not(): AstExpr {
    if (this.isKeyword('not')) {
      const t = this.next();
      const operand = this.not();
      return { type: 'not', operand, start: t.start, end: operand.end };
    }
    return this.predicate();
  }

  private predicate(): AstExpr {
    const left = this.additive();
    const t = this.peek();
    if (t.kind === 'op' && (t.value === '==' || t.value === '!=' || t.value === '<' || t.value === '<=' || t.value === '>' || t.value === '>=' || t.value === '=')) {
      if (t.value === '=' && !this.options.endgame) this.fail("mismatched input '=' expecting {'==', '!=', '<', '<=', '>', '>=', ':'}: use [==] to compare", t);
      this.next();
      const right = this.additive();
      const after = this.peek();
      if (after.kind === 'op' && ['==', '!=', '<', '<=', '>', '>=', '='].includes(after.value)) {
        this.fail(`extraneous input ${this.describe(after)}: comparisons cannot be chained`, after);
      }
      return { type: 'compare', op: t.value as '==', left, right, start: left.start, end: right.end };
    }
    // `not in`
    if (this.isKeyword('not') && (this.isKeyword('in', this.peek(1)) || (this.peek(1).kind === 'tident' && this.peek(1).value.toLowerCase() === 'in'))) {
      this.next();
      return this.inList(left, true);
    }
    if (this.isKeyword('in') || (t.kind === 'tident' && t.value.toLowerCase() === 'in')) return this.inList(left, false);
    if (this.isOp(':')) {
      this.next();
      return this.patternTail(left, ':', false);
    }
    if ((t.kind === 'ident' || t.kind === 'tident') && (t.value.toLowerCase() === 'like' || t.value.toLowerCase() === 'regex')) {
      this.next();
      return this.patternTail(left, t.value.toLowerCase() as 'like', t.kind === 'tident');
    }
    return left;
  }

  private inList(subject: AstExpr, negated: boolean): AstExpr {
    const t = this.next();
    const insensitive = t.kind === 'tident';
    this.expectOp('(');
    const values: AstExpr[] = [this.expression()];
    while (this.acceptOp(',')) values.push(this.expression());
    const close = this.expectOp(')');
    return { type: 'in', subject, values, insensitive, negated, start: subject.start, end: close.end };
  }

  private patternTail(subject: AstExpr, op: ':' | 'like' | 'regex', insensitive: boolean): AstExpr {
    const patterns: AstExpr[] = [];
    let end: number;
    if (this.acceptOp('(')) {
      patterns.push(this.constant());
      while (this.acceptOp(',')) patterns.push(this.constant());
      end = this.expectOp(')').end;
    } else {
      const c = this.constant();
      patterns.push(c);
      end = c.end;
    }
    return { type: 'pattern', op, insensitive, subject, patterns, start: subject.start, end };
  }

  private constant(): AstExpr {
    const t = this.peek();
    if (t.kind === 'string') {
      this.next();
      return { type: 'literal', value: t.value, start: t.start, end: t.end };
    }
    if (t.kind === 'number') {
      this.next();
      return { type: 'literal', value: Number(t.value), start: t.start, end: t.end };
    }
    if (this.isOp('-') && this.peek(1).kind === 'number') {
      this.next();
      const n = this.next();
      return { type: 'literal', value: -Number(n.value), start: t.start, end: n.end };
    }
    if (this.isKeyword('true') || this.isKeyword('false') || this.isKeyword('null')) {
      this.next();
      const w = t.value.toLowerCase();
      return { type: 'literal', value: w === 'null' ? null : w === 'true', start: t.start, end: t.end };
    }
    this.mismatched('a constant {STRING, NUMBER, true, false, null}', t);
  }

  private additive(): AstExpr {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value as '+' | '-';
      const right = this.multiplicative();
      left = { type: 'arith', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private multiplicative(): AstExpr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next().value as '*' | '/' | '%';
      const right = this.unary();
      left = { type: 'arith', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): AstExpr {
    if (this.isOp('-')) {
      const t = this.next();
      const operand = this.unary();
      if (operand.type === 'literal' && typeof operand.value === 'number') {
        return { type: 'literal', value: -operand.value, start: t.start, end: operand.end };
      }
      return { type: 'negate', operand, start: t.start, end: operand.end };
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    return this.primary();
  }

  private primary(): AstExpr {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
      case 'number':
        return this.constant();
      case 'op':
        if (t.value === '(') {
          this.next();
          const inner = this.expression();
          const close = this.expectOp(')');
          // Parentheses belong to the expression's span, so explanations quote them.
          return { ...inner, start: t.start, end: close.end };
        }
        if (t.value === '?') return this.field();
        return this.mismatched('an expression', t);
      case 'tident': {
        if (this.isOp('(', this.peek(1))) return this.call();
        this.fail(`mismatched input ${this.describe(t)}: [~] is only allowed on functions and the in/like/regex operators`, t);
        break;
      }
      case 'qident':
        return this.field();
      case 'ident': {
        const w = t.value.toLowerCase();
        if (w === 'true' || w === 'false' || w === 'null') return this.constant();
        if (this.isOp('(', this.peek(1)) && !KEYWORDS.has(w)) return this.call();
        if ((w === 'descendant' || w === 'child' || w === 'event') && this.isKeyword('of', this.peek(1))) {
          this.fail(`Lineage [${w} of] is not supported`, t, 'unsupported');
        }
        if (KEYWORDS.has(w)) this.mismatched('an expression', t);
        return this.field();
      }
      case 'eof':
        return this.mismatched('an expression', t);
    }
    return this.mismatched('an expression', t);
  }

  private call(): AstExpr {
    const nameTok = this.next();
    this.expectOp('(');
    const args: AstExpr[] = [];
    if (!this.isOp(')')) {
      args.push(this.expression());
      while (this.acceptOp(',')) args.push(this.expression());
    }
    const close = this.expectOp(')');
    return { type: 'call', name: nameTok.value, insensitive: nameTok.kind === 'tident', nameEnd: nameTok.end, args, start: nameTok.start, end: close.end };
  }

  private field(): AstExpr {
    const first = this.peek();
    let optional = false;
    if (this.isOp('?')) {
      optional = true;
      this.next();
    }
    const head = this.peek();
    if (head.kind !== 'ident' && head.kind !== 'qident') this.mismatched('a field name', head);
    if (head.kind === 'ident' && KEYWORDS.has(head.value.toLowerCase())) this.mismatched('a field name', head);
    this.next();
    let name = head.value;
    let end = head.end;
    for (;;) {
      if (this.isOp('.') && this.peek().start === end) {
        const part = this.peek(1);
        if (part.kind !== 'ident' && part.kind !== 'qident' && part.kind !== 'number') this.mismatched('a field name after [.]', part);
        this.next();
        this.next();
        name += '.' + part.value;
        end = part.end;
        continue;
      }
      if (part0IsNumberDot(this.peek(), end)) {
        // `field.0` lexes as field + number `.0`
        const num = this.next();
        name += num.value;
        end = num.end;
        continue;
      }
      if (this.isOp('[') && this.peek().start === end) {
        this.fail('Array indexes on fields are not supported', this.peek(), 'unsupported');
      }
      break;
    }
    return { type: 'field', name, optional, start: first.start, end };
  }
}

function part0IsNumberDot(t: Token, end: number): boolean {
  return t.kind === 'number' && t.start === end && t.value.startsWith('.');
}

function endgameUnit(unit: string): string | undefined {
  switch (unit) {
    case 'ms':
      return 'ms';
    case 's':
    case 'sec':
    case 'second':
    case 'seconds':
      return 's';
    case 'm':
    case 'min':
    case 'minute':
    case 'minutes':
      return 'm';
    case 'h':
    case 'hr':
    case 'hour':
    case 'hours':
      return 'h';
    case 'd':
    case 'day':
    case 'days':
      return 'd';
    default:
      return undefined;
  }
}
