/**
 * Matchers for the two IR nodes whose fields are only known per event:
 *
 *  - `fieldPattern`: a test tried on every field of the event whose dotted name matches a glob, each
 *    field bound with its own type (`*` is every field: Elasticsearch's default `index.query.default_field`).
 *    A text-typed field, or a field whose `.text` multi-field the view knows (ECS `process.command_line`
 *    has `process.command_line.text`), is also tried with the analysed-text test, since a pattern such
 *    as `*` or `process.*` expands to the multi-field too. A value that does not parse as a field's type
 *    fails that field only (`lenient`).
 *  - `nested`: a condition evaluated once per element of an array of objects, so that
 *    `user:{ name:bob and domain:corp }` needs both on the same element (Elasticsearch's nested query).
 *
 * Predicates per field name are compiled on first sight and cached (bounded), so an event costs a walk
 * over its own keys and one closure call per matching field.
 */
import type { CanonicalEvent, FieldBinder, FieldBinding, FieldType } from '../events/types.js';
import { CompileContext, CompileError, ExprCompiler, type Predicate } from './compile.js';
import { FIELD_PATTERN_SUBJECT, type Expr, type FieldPatternExpr, type NestedExpr } from './ir.js';

const TEXT_TYPES = new Set<FieldType>(['text', 'match_only_text']);
/** Distinct field names whose predicates are kept; beyond this, names are compiled each time. */
const CACHE_LIMIT = 20_000;

/** `*` any run (dots included), `?` one character, as Elasticsearch matches field-name patterns. */
export function fieldNameMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's'));
  return (name) => res.some((re) => re.test(name));
}

/** Every leaf field of a document as a dotted name (arrays of objects contribute their members' fields). */
export function leafFieldNames(doc: CanonicalEvent): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, prefix: string): void => {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      for (const item of node) {
        if (item !== null && typeof item === 'object') walk(item, prefix);
        else if (prefix) out.add(prefix);
      }
      return;
    }
    if (typeof node === 'object') {
      for (const key of Object.keys(node as Record<string, unknown>)) walk((node as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key);
      return;
    }
    if (prefix) out.add(prefix);
  };
  walk(doc, '');
  return [...out];
}

/** Replace the placeholder field of a template by a concrete name. */
function instantiate(e: Expr, name: string): Expr {
  return JSON.parse(JSON.stringify(e), (k, v: unknown) => (k === 'name' && v === FIELD_PATTERN_SUBJECT ? name : v)) as Expr;
}

/** The one field a template is compiled for, typed as the view types it or as analysed text. */
function subjectBinder(base: FieldBinder, path: string, type: FieldType, binding: FieldBinding): FieldBinder {
  return {
    name: base.name,
    bind: (name) => (name === path ? { path: binding.path, type, known: true, ...(binding.get ? { get: binding.get } : {}) } : base.bind(name)),
  };
}

function compileFor(ctx: CompileContext, template: Expr, path: string, type: FieldType, binding: FieldBinding): Predicate {
  const sub = new CompileContext({ binder: subjectBinder(ctx.binder, path, type, binding), endgame: ctx.endgame, closedSchema: ctx.closedSchema });
  try {
    return new ExprCompiler(sub).predicate(instantiate(template, path));
  } catch (err) {
    // Lenient: a value that cannot be this field's type (`foo` on a port) just does not match here.
    if (err instanceof CompileError) return () => false;
    throw err;
  }
}

export function fieldPatternPredicate(e: FieldPatternExpr, ctx: CompileContext): Predicate {
  const nameMatches = fieldNameMatcher(e.patterns);
  const textCondition = e.textCondition ?? e.condition;
  const cache = new Map<string, Predicate[]>();
  const testsFor = (path: string): Predicate[] => {
    const known = cache.get(path);
    if (known) return known;
    const tests: Predicate[] = [];
    const binding = ctx.binder.bind(path);
    if (nameMatches(path)) {
      const text = TEXT_TYPES.has(binding.type);
      tests.push(compileFor(ctx, text ? textCondition : e.condition, path, binding.type, binding));
    }
    const multi = ctx.binder.bind(`${path}.text`);
    if (multi.known && TEXT_TYPES.has(multi.type) && nameMatches(`${path}.text`)) {
      tests.push(compileFor(ctx, textCondition, path, multi.type, binding));
    }
    if (cache.size < CACHE_LIMIT) cache.set(path, tests);
    return tests;
  };
  return (doc) => {
    for (const path of leafFieldNames(doc)) {
      for (const test of testsFor(path)) if (test(doc)) return true;
    }
    return false;
  };
}

/** A document holding only `element` at `path`, so the condition's full field names read the element. */
function scopedDoc(path: string, element: unknown): CanonicalEvent {
  const parts = path.split('.');
  let node: unknown = element;
  for (let i = parts.length - 1; i >= 0; i--) {
    const obj: Record<string, unknown> = {};
    Object.defineProperty(obj, parts[i] as string, { value: node, enumerable: true, writable: true, configurable: true });
    node = obj;
  }
  return node as CanonicalEvent;
}

export function nestedPredicate(e: NestedExpr, ctx: CompileContext, compile: (condition: Expr) => Predicate): Predicate {
  const parent = ctx.bind(e.path);
  const path = parent.binding.path;
  const condition = compile(e.condition);
  return (doc) => {
    const v = parent.get(doc);
    if (v === null || typeof v !== 'object') return false;
    const elements = Array.isArray(v) ? v : [v];
    for (const element of elements) {
      if (element !== null && typeof element === 'object' && !Array.isArray(element) && condition(scopedDoc(path, element))) return true;
    }
    return false;
  };
}
