/**
 * KQL as a query language of the engine: `compileKql(text, options)` parses Kibana's query language,
 * lowers it to the shared IR with Elasticsearch's field-type semantics (`./lower.ts`), and runs it as
 * an event query, or as a `threshold` / `new_terms` rule with exceptions when the rule's parameters
 * come in the dialect (`./rule-types.ts`).
 */
import type { FieldBinder, FieldType } from '../../events/types.js';
import { binderFor } from '../../events/views/index.js';
import { CompileError } from '../compile.js';
import { compileIR } from '../query.js';
import { lineColumn, type Expr, type QueryIR } from '../ir.js';
import type { CompileOptions, CompileResult, CompiledQuery, QueryError } from '../types.js';
import { KqlLowerError, KqlLowering } from './lower.js';
import { KqlSyntaxError, parseKql } from './parser.js';
import { exceptionsToKql, newTermsDetector, readKqlRuleDialect, thresholdDetector, type KqlRuleParams } from './rule-types.js';

export { kqlRuleDialect, readKqlRuleDialect, lookbackMs, exceptionsToKql } from './rule-types.js';
export type { KqlRuleParams, ExceptionItem, ExceptionEntry, ThresholdParams } from './rule-types.js';

const DEFAULT_WINDOW_MS = 6 * 60_000;

function toError(err: unknown, text: string, where = ''): QueryError {
  if (err instanceof KqlSyntaxError) return { kind: 'syntax', message: `${where}${err.message}`, ...lineColumn(text, err.offset) };
  if (err instanceof KqlLowerError) return { kind: err.kind, message: `${where}${err.message}`, ...lineColumn(text, err.offset) };
  if (err instanceof CompileError) return { kind: err.kind, message: `${where}${err.message}`, ...lineColumn(text, err.span.start) };
  throw err;
}

export function compileKql(text: string, options: CompileOptions): CompileResult {
  let params: KqlRuleParams | undefined;
  try {
    params = readKqlRuleDialect(options.dialect);
  } catch {
    return { ok: false, errors: [{ kind: 'semantic', message: 'the rule parameters in the dialect are not valid JSON', line: 1, column: 1 }] };
  }
  const binder = multiFieldBinder(options.binder ?? binderFor(options.fieldView));
  const lowering = new KqlLowering(binder);
  let condition: Expr;
  try {
    const ast = parseKql(text);
    condition = ast ? lowering.lower(ast) : { kind: 'literal', value: true, span: { start: 0, end: 0 } };
  } catch (err) {
    return { ok: false, errors: [toError(err, text)] };
  }
  if (params?.exceptions?.length) {
    let exceptionText: string | undefined;
    try {
      exceptionText = exceptionsToKql(params.exceptions);
    } catch (err) {
      return { ok: false, errors: [{ kind: 'unsupported', message: (err as Error).message, line: 1, column: 1 }] };
    }
    if (exceptionText) {
      try {
        const ast = parseKql(exceptionText);
        // Exception spans point into their own text; keep them at the query's start for messages.
        const exception = ast ? lowering.lower(ast) : undefined;
        if (exception) condition = { kind: 'and', terms: [condition, { kind: 'not', operand: zeroSpans(exception), span: { start: 0, end: 0 } }], span: condition.span };
      } catch (err) {
        const e = toError(err, exceptionText, 'in the rule exceptions: ');
        return { ok: false, errors: [{ ...e, line: 1, column: 1 }] };
      }
    }
  }
  const ir: QueryIR = { root: { kind: 'event', category: null, categorySpan: { start: 0, end: 0 }, condition, span: { start: 0, end: text.length } }, pipes: [], text };
  let base: CompiledQuery;
  try {
    base = compileIR(ir, { ...options, binder });
  } catch (err) {
    return { ok: false, errors: [toError(err, text)] };
  }
  const windowMs = params?.windowMs ?? DEFAULT_WINDOW_MS;
  if (params?.type === 'threshold') {
    const threshold = params.threshold;
    if (!threshold) return { ok: false, errors: [{ kind: 'semantic', message: 'a threshold rule needs [rule.threshold] field and value', line: 1, column: 1 }] };
    return { ok: true, query: { ...base, newDetector: (onAlert) => thresholdDetector(base, threshold, windowMs, onAlert) } };
  }
  if (params?.type === 'new_terms') {
    const nt = params.newTerms;
    if (!nt?.fields.length) return { ok: false, errors: [{ kind: 'semantic', message: 'a new_terms rule needs new_terms_fields', line: 1, column: 1 }] };
    return { ok: true, query: { ...base, newDetector: (onAlert) => newTermsDetector(base, nt.fields, nt.historyWindowMs, onAlert) } };
  }
  if (params && !['query', 'saved_query'].includes(params.type)) {
    return { ok: false, errors: [{ kind: 'unsupported', message: `${params.type} rules are not supported`, line: 1, column: 1 }] };
  }
  return { ok: true, query: base };
}

/**
 * `x.text` is a multi-field of `x` (ECS `process.command_line.text`): the same stored value, indexed as
 * analysed text. Bind it to where the value is, keeping the text type.
 */
function multiFieldBinder(base: FieldBinder): FieldBinder {
  return {
    name: base.name,
    bind(name) {
      const b = base.bind(name);
      if (!name.endsWith('.text') || !b.known || b.get || !TEXT_TYPES.has(b.type)) return b;
      const parent = base.bind(name.slice(0, -'.text'.length));
      return { ...b, path: parent.path, ...(parent.get ? { get: parent.get } : {}) };
    },
  };
}

const TEXT_TYPES = new Set<FieldType>(['text', 'match_only_text']);

function zeroSpans(e: Expr): Expr {
  return JSON.parse(JSON.stringify(e), (k, v) => (k === 'span' ? { start: 0, end: 0 } : v)) as Expr;
}
