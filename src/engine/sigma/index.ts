/**
 * Sigma as a query language of the engine: `compileSigma(text, options)` takes the YAML text of a
 * Sigma rule (optionally followed by the filter documents that apply to it), or of a correlation
 * followed by the rules it refers to, and returns a `CompiledQuery` (contract in `../types.ts`).
 *
 * Plain rules lower to the shared IR (`./lower.ts`) and run on the EQL engine's event detector;
 * correlations run their own stateful detector (`./correlation.ts`) over the compiled rules.
 */
import type { CanonicalEvent, FieldBinder } from '../../events/types.js';
import { CompileError } from '../compile.js';
import { compileIR } from '../query.js';
import { lineColumn, type Expr, type QueryIR, type Span } from '../ir.js';
import type { CompileOptions, CompileResult, CompiledQuery, QueryError } from '../types.js';
import { compileCorrelation } from './correlation.js';
import { parseSigmaText, SigmaDocumentError, type SigmaDoc } from './document.js';
import { NUMERIC_PREFIX, logsourceContains, lowerDetection, parseDetection, readLogsource, variantGate, variantsOf, type VariantContext } from './lower.js';
import type { Placeholders } from './values.js';

export interface SigmaCompileOptions extends CompileOptions {
  /** Values for `expand` placeholders (`%Admins%` → list). Without them such rules are unsupported. */
  placeholders?: Placeholders;
}

/** Binds the canonical paths the lowering writes; `#num:` asks for numeric comparison. */
const EVENT_DATA = 'winlog.event_data.';

/** Per event_data object: its keys that contain spaces, by the name with the spaces taken out. */
const spacedKeys = new WeakMap<object, Map<string, string>>();

function spacedKeyMap(eventData: Record<string, unknown>): Map<string, string> {
  let map = spacedKeys.get(eventData);
  if (!map) {
    map = new Map();
    for (const k of Object.keys(eventData)) if (k.includes(' ')) map.set(k.replace(/ /g, ''), k);
    spacedKeys.set(eventData, map);
  }
  return map;
}

/**
 * An EventData value by its Sigma name. Some providers (Windows Defender: `Source Name`, `Threat Name`)
 * write names with spaces, which Sigma rules write without; the exact name wins, then the spaced one.
 * Events that carry `UserData` instead of `EventData` (WMI-Activity 5857–5861) are read one level
 * below the UserData root element, which is how Sigma's Windows backends flatten them.
 */
function eventDataGetter(key: string): (doc: CanonicalEvent) => unknown {
  return (doc) => {
    const winlog = doc.winlog as { event_data?: unknown; user_data?: unknown } | undefined;
    const eventData = winlog?.event_data;
    if (eventData && typeof eventData === 'object') {
      const data = eventData as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(data, key)) return data[key];
      const spaced = spacedKeyMap(data).get(key);
      if (spaced !== undefined) return data[spaced];
    }
    const userData = winlog?.user_data;
    if (userData && typeof userData === 'object') {
      for (const root of Object.values(userData as Record<string, unknown>)) {
        if (root && typeof root === 'object' && Object.prototype.hasOwnProperty.call(root, key)) return (root as Record<string, unknown>)[key];
      }
    }
    return undefined;
  };
}

export const sigmaCompileBinder: FieldBinder = {
  name: 'sigma',
  bind(name) {
    const numeric = name.startsWith(NUMERIC_PREFIX);
    const path = numeric ? name.slice(NUMERIC_PREFIX.length) : name;
    const key = path.startsWith(EVENT_DATA) ? path.slice(EVENT_DATA.length) : undefined;
    const get = key && !key.includes('.') && !key.includes(' ') ? { get: eventDataGetter(key) } : {};
    return { path, type: numeric ? 'double' : 'keyword', known: true, ...get };
  },
};

export function compileSigma(text: string, withParse: CompileOptions): CompileResult {
  // The caller's parse is used here and not carried into the compiled query's options.
  const { parsed, ...options } = withParse;
  try {
    const docs = parsed && parsed.text === text ? (parsed.value as SigmaDoc[]) : parseSigmaText(text);
    const main = docs[0] as SigmaDoc;
    if (main.kind === 'correlation') return { ok: true, query: compileCorrelation(main, docs.slice(1), text, options) };
    if (main.kind === 'filter') throw new SigmaDocumentError('this is a Sigma filter: it applies to other rules and matches nothing by itself', main.start, 'semantic');
    if (main.kind !== 'rule') throw new SigmaDocumentError('not a Sigma rule: a rule has "logsource" and "detection", a correlation "correlation"', main.start, 'syntax');
    return { ok: true, query: compileSigmaRule(main, docs.slice(1), text, options) };
  } catch (err) {
    return { ok: false, errors: [toQueryError(err, text)] };
  }
}

export function toQueryError(err: unknown, text: string): QueryError {
  if (err instanceof SigmaDocumentError) return { message: err.message, kind: err.kind, ...lineColumn(text, err.offset) };
  if (err instanceof CompileError) return { message: err.message, kind: err.kind, ...lineColumn(text, err.span.start) };
  throw err;
}

function ruleIds(sd: SigmaDoc): string[] {
  return [sd.data.id, sd.data.name].filter((v): v is string => typeof v === 'string');
}

/** Filters (among `others`) that apply to a rule: named rule (or `any`) and contained logsource. */
export function applicableFilters(rule: SigmaDoc, others: SigmaDoc[]): SigmaDoc[] {
  const ids = ruleIds(rule);
  const ls = readLogsource(rule);
  return others.filter((f) => {
    if (f.kind !== 'filter') return false;
    const spec = f.data.filter as Record<string, unknown> | undefined;
    const rules = spec?.rules;
    const named = rules === 'any' || (Array.isArray(rules) && rules.some((r) => ids.includes(String(r)))) || (typeof rules === 'string' && ids.includes(rules));
    if (!named) return false;
    try {
      return logsourceContains(readLogsource(f), ls);
    } catch {
      return false;
    }
  });
}

/** The IR condition of one Sigma rule (with its filters), over all its log source variants. */
export function sigmaRuleCondition(rule: SigmaDoc, others: SigmaDoc[], options: SigmaCompileOptions): { condition: Expr; unknown: Map<string, Span>; span: Span } {
  const variants = variantsOf(rule);
  const det = parseDetection(rule, 'detection', options.placeholders);
  const filters = applicableFilters(rule, others).map((f) => parseDetection(f, 'filter', options.placeholders));
  const logsourceNode = rule.doc.get('logsource', true) as { range?: [number, number, number] } | undefined;
  const gateSpan = logsourceNode?.range ? { start: logsourceNode.range[0], end: logsourceNode.range[1] } : { start: rule.start, end: rule.start };
  const unknown = new Map<string, Span>();
  const perVariant: Expr[] = variants.map((variant) => {
    const ctx: VariantContext = { variant, unknown };
    const terms: Expr[] = [variantGate(variant, gateSpan), lowerDetection(det, ctx)];
    for (const f of filters) terms.push(lowerDetection(f, ctx));
    return flatAnd(terms, gateSpan);
  });
  const span = { start: rule.start, end: rule.doc.range[1] };
  const condition: Expr = perVariant.length === 1 ? (perVariant[0] as Expr) : { kind: 'or', terms: perVariant, span };
  return { condition, unknown, span };
}

function flatAnd(terms: Expr[], span: Span): Expr {
  const flat: Expr[] = [];
  for (const t of terms) {
    if (t.kind === 'literal' && t.value === true) continue;
    if (t.kind === 'and') flat.push(...t.terms);
    else flat.push(t);
  }
  if (flat.some((t) => t.kind === 'literal' && t.value === false)) return { kind: 'literal', value: false, span };
  if (!flat.length) return { kind: 'literal', value: true, span };
  return flat.length === 1 ? (flat[0] as Expr) : { kind: 'and', terms: flat, span };
}

export function compileSigmaRule(rule: SigmaDoc, others: SigmaDoc[], text: string, options: SigmaCompileOptions): CompiledQuery {
  const { condition, unknown, span } = sigmaRuleCondition(rule, others, options);
  const ir: QueryIR = { root: { kind: 'event', category: null, categorySpan: { start: span.start, end: span.start }, condition, span }, pipes: [], text };
  const compiled = compileIR(ir, { ...options, language: 'sigma', fieldView: 'sigma', binder: sigmaCompileBinder });
  const unknownFields = [...unknown].map(([name, s]) => ({ name, ...lineColumn(text, s.start) })).sort((a, b) => a.line - b.line || a.column - b.column);
  return { ...compiled, unknownFields };
}
