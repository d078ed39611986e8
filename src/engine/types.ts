/**
 * The engine's public contract: compile a query once, then stream time-ordered events through a
 * detector and receive alerts. Every language (EQL, KQL, Sigma, SPL, …) compiles to this.
 */
import type { ReplayEvent, CanonicalEvent, FieldBinder } from '../events/types.js';
import type { FieldView, QueryLanguage } from '../rules/model.js';

export interface CompileOptions {
  language: QueryLanguage;
  fieldView: FieldView;
  /** `endgame` for the legacy EQL dialect (case-insensitive `==`), `endgame-cs` for its case-sensitive mode. */
  dialect?: string;
  /**
   * Binds field names as written to canonical fields and their types. Defaults to the binder of
   * `fieldView` from `src/events/views`; the conformance runner passes one built from an index mapping.
   */
  binder?: FieldBinder;
  /**
   * The binder lists every field the data can hold (an index mapping), so an optional `?field` it
   * does not know is the constant null, as Elasticsearch treats a `?field` absent from the mapping.
   * Off by default: field views describe names, not what a dataset contains.
   */
  closedSchema?: boolean;
  /** Sample queries: samples per distinct join key (Elasticsearch's `max_samples_per_key`, default 1). */
  maxSamplesPerKey?: number;
  /**
   * A parse of the query text the caller already holds (the rule loader's), so that the compiler
   * need not parse it again. Used only when `parsed.text` is the very text being compiled; its
   * `value` is language-specific (Sigma: the `SigmaDoc[]` of `./sigma/document.ts`), and compilers
   * that have no use for it ignore it.
   */
  parsed?: { text: string; value: unknown };
  /**
   * What the compiled query is for. `replay` (the default) builds everything. `lint` builds only
   * what a linter reads — the IR (`source.ir`), `fields`, `unknownFields`, `stageCount` and every
   * compile error the full compile raises — and leaves out what only a replay's dispatcher uses
   * (`literals` for prefiltering, `admission` gates). A lint-purpose query can still run
   * (`newDetector`, `explain`), but a dispatcher must not be handed one.
   */
  purpose?: 'replay' | 'lint';
}

/** A problem in the query text itself; line and column are 1-based within the query text. */
export interface QueryError {
  message: string;
  line: number;
  column: number;
  /** `syntax`, `unsupported` (valid in the language, not supported here), `semantic`. */
  kind: 'syntax' | 'unsupported' | 'semantic';
}

export interface Alert {
  /** The matched event (event queries) or the events of a sequence/sample, in order. */
  events: ReplayEvent[];
  /** Join key values of a sequence or sample, as they were matched. */
  joinKey?: unknown[];
  /** Time of the alert: the last event's timestamp. */
  timestamp: number;
  /**
   * Sequences and samples: one entry per stage, in stage order, with null for a missing-event
   * stage (`![…]`), which has no event. `events` is this list without the nulls.
   */
  stages?: Array<ReplayEvent | null>;
}

/** One run's state for one compiled query. Feed events in time order, then call `finish`. */
export interface Detector {
  push(event: ReplayEvent): void;
  /** End of stream: emit whatever is pending (tail pipes, samples). */
  finish(): void;
}

/** Why an event did or did not match one stage/clause, for failure explanations. */
export interface ClauseTrace {
  /** Source text of the clause (a top-level conjunct of the stage's condition). */
  text: string;
  matched: boolean;
  /** Field values the clause looked at, by canonical field name. */
  values?: Record<string, unknown>;
}

export interface StageExplanation {
  /** 0-based stage index (0 for an event query). */
  stage: number;
  /** Text of the stage, e.g. `[process where …]`. */
  text: string;
  category?: string;
  /** Whether the event's category is one this stage accepts. */
  categoryMatched: boolean;
  clauses: ClauseTrace[];
  matched: boolean;
}

export interface Admission {
  readCategory: (doc: CanonicalEvent) => unknown;
  stages: Array<{ category: string | null; gate: import('./gates.js').Gate }>;
}

export interface CompiledQuery {
  language: QueryLanguage;
  /**
   * The IR this query was compiled from and the options (binder included) it was compiled with;
   * absent for queries whose evaluation is not IR-based (SPL pipelines, Sigma correlations, KQL
   * threshold/new_terms aggregations).
   */
  source?: { ir: import('./ir.js').QueryIR; options: CompileOptions };
  /** Canonical field names the query reads (after field-view binding), sorted. */
  fields: string[];
  /** Field names as written in the query that the field view does not know, with positions. */
  unknownFields: Array<{ name: string; line: number; column: number }>;
  /** Number of stages (1 for event queries). */
  stageCount: number;
  /**
   * Literal prefiltering (`./prefilter.ts`): an ECS document can match only if its raw JSON line
   * contains one of these, ASCII case-insensitively. Absent when the query names no such literal
   * (every line must then be read).
   */
  literals?: readonly string[];
  /**
   * Which events the query's detector can react to: those some stage admits — the event's category
   * is the stage's (or the stage takes any) and, when the stage has a gate, one of the gate's field
   * values occurs. Events no stage admits never change the detector's state or output, so a
   * dispatcher may leave them out (`./dispatch.ts`). Absent: every event must be offered.
   */
  admission?: Admission;
  newDetector(onAlert: (alert: Alert) => void): Detector;
  /** Evaluate each stage of the query on one event, clause by clause. */
  explain(doc: CanonicalEvent): StageExplanation[];
}

export type CompileResult =
  | { ok: true; query: CompiledQuery }
  | { ok: false; errors: QueryError[] };
