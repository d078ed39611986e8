/**
 * SPL → `CompiledQuery`. The first command reads canonical events: `| tstats … from
 * datamodel=<Model>.<Dataset>` through the CIM data-model fields, or a raw search through the names
 * Splunk's Windows add-ons extract. Its result rows go through the remaining commands; every row
 * that comes out at the end is one alert (a `stats`/`tstats` row carries the events it counted).
 *
 * Macros still in the text are expanded with ruleproof's built-in definitions; a rule loaded from a
 * content repository arrives with the repository's macros already expanded (see src/rules/splunk-escu.ts).
 */
import { getField } from '../../events/fields.js';
import type { CanonicalEvent, ReplayEvent } from '../../events/types.js';
import { cimDatasetOf, datamodelField, rawEventField, rawEventFieldNames, type CimDatasetSpec } from '../../events/views/cim.js';
import { lineColumn, type Span } from '../ir.js';
import type { Alert, ClauseTrace, CompileOptions, CompileResult, CompiledQuery, Detector, QueryError } from '../types.js';
import type { SearchExpr, TstatsCommand } from './ast.js';
import { compileSearch, searchFields, type Getter, type SearchResolver } from './expr.js';
import { SplError } from './lexer.js';
import { BUILTIN_MACROS, builtinFallback, expandMacros, MacroError, type MacroExpansion } from './macros.js';
import { parseSpl } from './parser.js';
import { aggregationSpec, Aggregator, stageFor, type RowSink } from './pipeline.js';
import { searchValueTest, SplRow, type EventFields, type SplValue } from './values.js';

export { expandMacros, BUILTIN_MACROS, builtinFallback, mergeMacroTables, macroKey, MacroError } from './macros.js';
export type { MacroDefinition, MacroTable, MacroExpansion } from './macros.js';
export { parseSpl } from './parser.js';

type DocGetter = (doc: CanonicalEvent) => SplValue;

const timeSeconds: DocGetter = (doc) => {
  const t = doc['@timestamp'];
  if (typeof t !== 'string') return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms / 1000;
};

/** Field names a search reads, bound to canonical events, with what the view did not know. */
class EventBinding {
  readonly paths = new Set<string>();
  readonly unknown: Array<{ name: string; span: Span }> = [];
  /** SPL name → canonical path, for explanations. */
  readonly pathOf = new Map<string, string>();

  note(name: string, span: Span, path: string | undefined): void {
    if (path === undefined) {
      if (!this.unknown.some((u) => u.span.start === span.start)) this.unknown.push({ name, span });
      return;
    }
    this.paths.add(path);
    this.pathOf.set(name, path);
  }
}

/** The fields of a tstats data-model dataset (`Processes.process_name`, `_time`). */
function datamodelResolver(spec: CimDatasetSpec, binding: EventBinding): SearchResolver<CanonicalEvent> {
  return {
    field(name, span) {
      if (name === '_time') {
        binding.note(name, span, '@timestamp');
        return timeSeconds;
      }
      if (name === 'nodename') {
        binding.note(name, span, 'event.category');
        return () => spec.dataset;
      }
      const dm = datamodelField(name);
      if (dm && dm.spec === spec) {
        binding.note(name, span, dm.field.path);
        return dm.field.get;
      }
      binding.note(name, span, undefined);
      return () => null;
    },
    term(value, span) {
      throw new SplError(`not supported: the free-text term "${value}" in a tstats where clause`, span, 'unsupported');
    },
  };
}

/** Index-time selectors that replayed data has no equivalent for: always true. */
const INDEX_FIELDS = new Set(['index', 'splunk_server', 'earliest', 'latest']);

const rawFields: EventFields = {
  get(name) {
    if (name === '_time') return timeSeconds;
    return rawEventField(name)?.get;
  },
  names: (doc) => ['_time', ...rawEventFieldNames(doc)],
};

/** A raw search: the names Splunk's Windows add-ons extract from an event. */
function rawResolver(binding: EventBinding): SearchResolver<CanonicalEvent> {
  return {
    field(name, span) {
      if (name === '_time') {
        binding.note(name, span, '@timestamp');
        return timeSeconds;
      }
      const f = rawEventField(name);
      if (f) {
        binding.note(name, span, f.path);
        return f.get;
      }
      binding.note(name, span, undefined);
      return () => null;
    },
    term(value) {
      // Free text: approximated as a case-insensitive substring of any event value (Splunk matches
      // the raw event text, which replayed canonical events no longer have).
      const test = searchValueTest(value.includes('*') ? value : `*${value}*`);
      return (doc) => anyString(doc, test);
    },
  };
}

function anyString(node: unknown, test: (s: string) => boolean): boolean {
  if (typeof node === 'string') return test(node);
  if (typeof node === 'number') return test(String(node));
  if (Array.isArray(node)) return node.some((n) => anyString(n, test));
  if (node && typeof node === 'object') return Object.values(node).some((n) => anyString(n, test));
  return false;
}

/** `index=main`, `earliest=-24h`: dropped (true), as replay has one index and one time range. */
function withoutIndexTerms(expr: SearchExpr | null): SearchExpr | null {
  if (!expr) return null;
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const terms = expr.terms.map(withoutIndexTerms).filter((t): t is SearchExpr => t !== null);
      if (!terms.length) return null;
      return terms.length === 1 ? (terms[0] as SearchExpr) : { ...expr, terms };
    }
    case 'not': {
      const operand = withoutIndexTerms(expr.operand);
      return operand ? { ...expr, operand } : null;
    }
    case 'compare':
    case 'in':
      return INDEX_FIELDS.has(expr.field) ? null : expr;
    default:
      return expr;
  }
}

function conjuncts(expr: SearchExpr | null): SearchExpr[] {
  if (!expr) return [];
  return expr.kind === 'and' ? expr.terms : [expr];
}

interface FirstStage {
  text: string;
  filter: (doc: CanonicalEvent) => boolean;
  clauses: Array<{ text: string; test: (doc: CanonicalEvent) => boolean; names: string[] }>;
  /** tstats: aggregate the matching events; else each event is a row. */
  tstats?: TstatsCommand;
  spec?: CimDatasetSpec;
  resolver: SearchResolver<CanonicalEvent>;
}

export function compileSpl(text: string, options: CompileOptions): CompileResult {
  let expansion: MacroExpansion | undefined;
  let source = text;
  try {
    if (text.includes('`')) {
      expansion = expandMacros(text, BUILTIN_MACROS, builtinFallback);
      source = expansion.text;
    }
  } catch (e) {
    if (e instanceof MacroError) {
      const { line, column } = lineColumn(text, e.offset);
      return { ok: false, errors: [{ kind: 'semantic', message: e.message, line, column }] };
    }
    throw e;
  }
  const toOriginal = (offset: number) => (expansion ? (expansion.offsets[Math.min(offset, expansion.offsets.length - 1)] as number) : offset);
  const position = (offset: number) => lineColumn(text, toOriginal(offset));
  try {
    return { ok: true, query: build(source, options, position) };
  } catch (e) {
    if (e instanceof SplError) {
      const { line, column } = position(e.span.start);
      return { ok: false, errors: [{ kind: e.kind, message: e.message, line, column } satisfies QueryError] };
    }
    throw e;
  }
}

function build(source: string, options: CompileOptions, position: (offset: number) => { line: number; column: number }): CompiledQuery {
  const pipeline = parseSpl(source);
  const [first, ...rest] = pipeline.commands;
  if (!first) throw new SplError('the search is empty', { start: 0, end: 0 });
  const binding = new EventBinding();
  const stage = firstStage(first, source, binding);
  const factories = rest.map(stageFor);

  const newDetector = (onAlert: (alert: Alert) => void): Detector => {
    const sink: RowSink = {
      push(row) {
        const events = row.events;
        if (!events.length) return;
        let timestamp = NaN;
        for (const e of events) if (!(e.timestamp <= timestamp)) timestamp = e.timestamp;
        onAlert({ events, timestamp: Number.isNaN(timestamp) ? (events[events.length - 1] as ReplayEvent).timestamp : timestamp });
      },
      finish() {},
    };
    let chain = sink;
    for (let i = factories.length - 1; i >= 0; i--) chain = (factories[i] as (n: RowSink) => RowSink)(chain);
    const head = chain;
    if (stage.tstats && stage.spec) {
      const t = stage.tstats;
      const fill = t.options.fillnull_value;
      const acc = new Aggregator<CanonicalEvent>(aggregationSpec(t.aggs, t.by, (n, s) => stage.resolver.field(n, s), fill, t.spanSeconds));
      return {
        push(event) {
          if (stage.filter(event.doc)) acc.add(event.doc, [event], event.timestamp);
        },
        finish() {
          for (const row of acc.rows()) head.push(row);
          head.finish();
        },
      };
    }
    return {
      push(event) {
        if (stage.filter(event.doc)) head.push(new SplRow([event], event.doc, rawFields));
      },
      finish() {
        head.finish();
      },
    };
  };

  const unknownFields = binding.unknown
    .map((u) => ({ name: u.name, ...position(u.span.start) }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    language: options.language,
    fields: [...binding.paths].sort(),
    unknownFields,
    stageCount: 1,
    newDetector,
    explain(doc) {
      const clauses: ClauseTrace[] = stage.clauses.map((c) => {
        const values: Record<string, unknown> = {};
        for (const n of c.names) {
          const path = binding.pathOf.get(n);
          if (path) values[path] = getField(doc, path) ?? null;
        }
        return { text: c.text, matched: c.test(doc), values };
      });
      return [{ stage: 0, text: stage.text, categoryMatched: true, clauses, matched: stage.filter(doc) }];
    },
  };
}

function firstStage(first: ReturnType<typeof parseSpl>['commands'][number], source: string, binding: EventBinding): FirstStage {
  const text = source.slice(first.span.start, first.span.end);
  if (first.kind === 'tstats') {
    const spec = cimDatasetOf(first.datamodel.name);
    if (!spec) {
      throw new SplError(
        `not supported: datamodel=${first.datamodel.name} (supported: Endpoint.Processes, Endpoint.Filesystem, Endpoint.Registry, Network_Traffic.All_Traffic)`,
        first.datamodel.span,
        'unsupported',
      );
    }
    const resolver = datamodelResolver(spec, binding);
    const where = first.where;
    const test = where ? compileSearch(where, resolver) : () => true;
    // Bind the aggregated and group-by fields now, so unknown names are reported at compile time.
    for (const a of first.aggs) if (a.field !== null) resolver.field(a.field, a.fieldSpan ?? a.span);
    for (const b of first.by) resolver.field(b.name, b.span);
    const clauses = [
      { text: spec.constraintText, test: spec.constraint, names: [] as string[] },
      ...conjuncts(where).map((c) => ({ text: source.slice(c.span.start, c.span.end), test: compileSearch(c, resolver), names: searchFields(c).map((f) => f.name) })),
    ];
    return { text, filter: (doc) => spec.constraint(doc) && test(doc), clauses, tstats: first, spec, resolver };
  }
  if (first.kind !== 'search') throw new SplError(`not supported: ${first.kind} as the first command`, first.span, 'unsupported');
  const resolver = rawResolver(binding);
  const expr = withoutIndexTerms(first.expr);
  const test = expr ? compileSearch(expr, resolver) : () => true;
  const clauses = conjuncts(expr).map((c) => ({
    text: source.slice(c.span.start, c.span.end),
    test: compileSearch(c, resolver),
    names: searchFields(c).map((f) => f.name),
  }));
  return { text, filter: test, clauses, resolver };
}

/** The canonical field a CIM or raw-search name reads (for tests and tools). */
export function splFieldPath(name: string): string | undefined {
  return datamodelField(name)?.field.path ?? rawEventField(name)?.path;
}

export type { Getter };
