/**
 * The one `Rule` model every format loads into (DESIGN.md, "Rule model"). Loaders fill it; lint,
 * engine, replay, coverage and regress only ever read it.
 */
import type { Diagnostic, SourceLocation } from '../util/diagnostics.js';

export type RuleFormat = 'native' | 'elastic-toml' | 'sigma' | 'splunk-escu' | 'mitre-car';
export type QueryLanguage = 'eql' | 'kql' | 'sigma' | 'spl' | 'logpoint' | 'esql' | 'lucene' | 'pseudocode';
/** The schema a rule's field names are written in; bound to canonical (ECS) names at compile time. */
export type FieldView = 'ecs' | 'sysmon' | 'cim' | 'endgame' | 'logpoint' | 'sigma';

/** 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Where each field of a rule came from. Keys are dotted paths into the format's own document,
 * with array indexes as numbers: `rule.threat.0.technique.0.id`, `tests.2.expect`, `query.text`.
 */
export interface RuleSource {
  /** Repository-relative, `/`-separated path of the rule file. */
  file: string;
  /** Absolute path on this machine. */
  absPath: string;
  positions: Map<string, Position>;
  /** The sidecar `<stem>.tests.yml`, when the tests came from one. */
  testsFile?: string;
  /** Positions inside the sidecar (`rule`, `tests.2.expect`), when there is one. */
  testsPositions?: Map<string, Position>;
}

export interface AttackRef {
  id: string;
  name: string;
  reference?: string;
  /** Key into `RuleSource.positions` (or the sidecar's) for this entry. */
  path: string;
}

/** One threat mapping entry, normalized: a tactic, optionally a technique, optionally a sub-technique. */
export interface ThreatMapping {
  framework?: string;
  tactic?: AttackRef;
  technique?: AttackRef;
  subtechnique?: AttackRef;
}

export interface RuleQuery {
  language: QueryLanguage;
  fieldView: FieldView;
  /** Language dialect, e.g. `endgame` for legacy EQL with case-insensitive `==`. */
  dialect?: string;
  text: string;
  /**
   * Where the first character of `text` sits in the rule file, and how many columns of block
   * indentation the file adds to every following line (YAML block scalars), so that an error at
   * line L, column C of the query maps to file line `origin.line + L - 1`.
   */
  origin: Position;
  indent: number;
  /**
   * Set when `text` is derived from what the rule file says (Splunk ESCU: the search with its macros
   * expanded): the text as written, and for every offset of `text` (plus one past its end) the
   * offset in `written.text` it came from, so that positions in `text` map back to the rule file.
   */
  written?: { text: string; offsets: number[] };
  /**
   * The loader's parse of `text` for the compiler (`CompileOptions.parsed`), when it has one that
   * fits the text as it now reads (Sigma documents read by the fast YAML reader); `undefined` when
   * not. Not enumerable.
   */
  parsed?: () => { text: string; value: unknown } | undefined;
}

export type ExpectKind = 'fire' | 'quiet';

export interface CountExpectation {
  exact?: number;
  min?: number;
  max?: number;
}

export interface TestCase {
  name: string;
  /** Repository-relative path with `/` separators, as written. */
  dataset: string;
  expect: ExpectKind;
  count?: CountExpectation;
  /** Canonical field name → expected value: some alert must contain an event with these values. */
  match?: Record<string, unknown>;
  reason?: string;
  /** Where the test case is written (rule file or sidecar). */
  location: SourceLocation;
}

export interface Rule {
  id: string;
  name: string;
  /** null when the format and repository give no version. */
  version: number | null;
  format: RuleFormat;
  query: RuleQuery;
  description?: string;
  severity?: string;
  riskScore?: number;
  threat: ThreatMapping[];
  tags: string[];
  references: string[];
  falsePositives: string[];
  author: string[];
  license?: string;
  status?: string;
  /** ISO dates (YYYY-MM-DD) as far as the format gives them. */
  created?: string;
  updated?: string;
  tests: TestCase[];
  /** True for versions under `detections/history/` (not the current version of the rule). */
  historical: boolean;
  source: RuleSource;
  /** The parsed document as the format wrote it, for format-specific lint checks. */
  raw: unknown;
  /**
   * Which of the analytic's implementations this rule is, when one analytic document yields one
   * rule per executable implementation (MITRE CAR: `EQL`, `LogPoint`). Rules that share an id and
   * version but differ here are not duplicates.
   */
  implementation?: string;
}

/** What loading a tree of rule files yields: the rules that loaded, and why the others did not. */
export interface LoadResult {
  rules: Rule[];
  diagnostics: Diagnostic[];
  /** Files that could not be loaded at all (each has an error diagnostic). */
  failedFiles: string[];
}

/** Position of a field, falling back to the nearest ancestor path that has one, then the file. */
export function locate(rule: Rule, path: string): SourceLocation {
  let key = path;
  for (;;) {
    const pos = rule.source.positions.get(key);
    if (pos) return { file: rule.source.file, line: pos.line, column: pos.column };
    const cut = key.lastIndexOf('.');
    if (cut < 0) return { file: rule.source.file, line: 1, column: 1 };
    key = key.slice(0, cut);
  }
}

/** Map a position inside the query text (1-based) to a position in the rule file. */
export function queryPositionInFile(query: RuleQuery, line: number, column: number): Position {
  if (query.written) {
    const offset = offsetOfLineColumn(query.text, line, column);
    const original = query.written.offsets[Math.min(offset, query.written.offsets.length - 1)] ?? 0;
    ({ line, column } = lineColumnOfOffset(query.written.text, original));
  }
  if (line <= 1) return { line: query.origin.line, column: query.origin.column + column - 1 };
  return { line: query.origin.line + line - 1, column: query.indent + column };
}

function offsetOfLineColumn(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

function lineColumnOfOffset(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}
