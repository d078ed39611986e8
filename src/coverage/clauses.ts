/**
 * Clause coverage of rules by their own tests: which predicates of each rule's IR its test datasets
 * made true and false (branch coverage), which exclusions (`not …`) no quiet test exercises, and —
 * with the mutation check — which quiet tests still pass when an exclusion is dropped or negated.
 * A quiet test that an exclusion exists for (the exclusion is what removes events on its dataset) and
 * that survives the exclusion's removal is vacuous: it would pass without the exclusion.
 * One pass per dataset feeds every instrumented rule and every mutant that reads it.
 */
import { existsSync } from 'node:fs';
import { instrumentQuery, type InstrumentedQuery, type MutationMode } from '../engine/coverage.js';
import type { CompiledQuery, Detector } from '../engine/types.js';
import { openDataset } from '../events/dataset.js';
import { queryPositionInFile, type Rule } from '../rules/model.js';
import { ContentError } from '../util/diagnostics.js';
import { resolveContentPath } from '../util/paths.js';

export interface PredicateCoverage {
  /** The predicate as written in the query. */
  text: string;
  /** 0-based stage of the query (0 for an event query). */
  stage: number;
  /** Position in the rule file. */
  line: number;
  column: number;
  /** Inside a `not`: part of an exclusion. */
  negated: boolean;
  /** Times the predicate was evaluated (with short-circuit, as the engine does) and came out true / false. */
  true: number;
  false: number;
}

export interface MutationOutcome {
  mode: MutationMode;
  /** Quiet tests that fail (raise alerts) on the mutant: they guard this exclusion. */
  killedBy: string[];
  /** Quiet tests that still pass without the exclusion. */
  survivors: string[];
  /** Survivors the exclusion exists for (it removes events on their datasets): vacuous tests. */
  vacuous: string[];
  error?: string;
}

export interface ExclusionCoverage {
  text: string;
  stage: number;
  line: number;
  column: number;
  /** Quiet tests on whose datasets the exclusion removes at least one event the rest of the stage matches. */
  exercisedBy: string[];
  /** Events it removed, per dataset. */
  removedEvents: Array<{ dataset: string; events: number }>;
  /** Dropping the exclusion (`not X` → true). */
  mutation?: MutationOutcome;
  /** Negating it (`not X` → X). */
  negation?: MutationOutcome;
}

export interface RuleClauseCoverage {
  /** `<id>@<version>`, as in the coverage report. */
  rule: string;
  id: string;
  version: number | null;
  name: string;
  file: string;
  /** Why the rule was not instrumented (language without the shared IR, no tests, …). */
  unavailable?: string;
  predicates: PredicateCoverage[];
  exclusions: ExclusionCoverage[];
  summary: {
    predicates: number;
    /** Seen both true and false. */
    bothWays: number;
    onlyTrue: number;
    onlyFalse: number;
    /** Never evaluated (short-circuited away, or no event of the stage's category). */
    never: number;
    exclusions: number;
    /** Exclusions no quiet test exercises. */
    unexercised: number;
    /** Quiet tests found vacuous by the mutation check. */
    vacuousTests: number;
  };
}

export interface ClauseCoverageReport {
  schemaVersion: 1;
  mutated: boolean;
  rules: RuleClauseCoverage[];
  totals: { rules: number; instrumented: number; predicates: number; bothWays: number; never: number; exclusions: number; unexercised: number; vacuousTests: number };
}

export interface ClauseCoverageOptions {
  root: string;
  /** Also run the mutation check (drop and negate each exclusion, replay the quiet tests). */
  mutate?: boolean;
}

interface MutantRun {
  exclusion: number;
  mode: MutationMode;
  query?: CompiledQuery;
  error?: string;
  /** Alerts per dataset. */
  alerts: Map<string, number>;
}

interface Work {
  rule: Rule;
  instrumented: InstrumentedQuery;
  datasets: string[];
  removed: Map<number, Map<string, number>>;
  mutants: MutantRun[];
}

const ruleKey = (r: Rule) => `${r.id}@${r.version ?? '-'}`;

function emptySummary(): RuleClauseCoverage['summary'] {
  return { predicates: 0, bothWays: 0, onlyTrue: 0, onlyFalse: 0, never: 0, exclusions: 0, unexercised: 0, vacuousTests: 0 };
}

export async function computeClauseCoverage(rules: readonly Rule[], options: ClauseCoverageOptions): Promise<ClauseCoverageReport> {
  const results: RuleClauseCoverage[] = [];
  const work: Work[] = [];
  const sorted = [...rules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : (b.version ?? -1) - (a.version ?? -1)));
  for (const rule of sorted) {
    const shell: RuleClauseCoverage = { rule: ruleKey(rule), id: rule.id, version: rule.version, name: rule.name, file: rule.source.file, predicates: [], exclusions: [], summary: emptySummary() };
    results.push(shell);
    if (!rule.tests.length) {
      shell.unavailable = 'no tests: nothing exercises the rule';
      continue;
    }
    const inst = instrumentQuery(rule.query.text, { language: rule.query.language, fieldView: rule.query.fieldView, ...(rule.query.dialect ? { dialect: rule.query.dialect } : {}) });
    if (!inst.ok) {
      shell.unavailable = inst.reason;
      continue;
    }
    const mutants: MutantRun[] = [];
    if (options.mutate) {
      for (const x of inst.query.exclusions) {
        for (const mode of ['drop', 'negate'] as const) {
          const run: MutantRun = { exclusion: x.id, mode, alerts: new Map() };
          try {
            run.query = inst.query.mutant(x.id, mode);
          } catch (err) {
            run.error = (err as Error).message;
          }
          mutants.push(run);
        }
      }
    }
    work.push({ rule, instrumented: inst.query, datasets: [...new Set(rule.tests.map((t) => t.dataset))].sort(), removed: new Map(), mutants });
  }

  const byDataset = new Map<string, Work[]>();
  for (const w of work) for (const d of w.datasets) byDataset.set(d, [...(byDataset.get(d) ?? []), w]);
  const unreadable = new Map<string, string>();
  for (const dataset of [...byDataset.keys()].sort()) {
    const users = byDataset.get(dataset) as Work[];
    const file = resolveContentPath(options.root, dataset);
    if (!existsSync(file)) {
      unreadable.set(dataset, `dataset ${dataset} does not exist`);
      continue;
    }
    const detectors: Array<{ detector: Detector; run: MutantRun; alerts: number }> = [];
    for (const w of users) {
      for (const run of w.mutants) {
        if (!run.query) continue;
        const entry = { detector: undefined as unknown as Detector, run, alerts: 0 };
        entry.detector = run.query.newDetector(() => void entry.alerts++);
        detectors.push(entry);
      }
    }
    try {
      for await (const event of openDataset(file, { root: options.root, onDiagnostic: () => {} })) {
        for (const w of users) {
          for (const x of w.instrumented.observe(event.doc)) {
            let perDataset = w.removed.get(x);
            if (!perDataset) w.removed.set(x, (perDataset = new Map()));
            perDataset.set(dataset, (perDataset.get(dataset) ?? 0) + 1);
          }
        }
        for (const d of detectors) d.detector.push(event);
      }
      for (const d of detectors) {
        d.detector.finish();
        d.run.alerts.set(dataset, d.alerts);
      }
    } catch (err) {
      unreadable.set(dataset, err instanceof ContentError ? err.diagnostic.message : (err as Error).message);
    }
  }

  for (const w of work) {
    const shell = results.find((r) => r.rule === ruleKey(w.rule) && r.file === w.rule.source.file) as RuleClauseCoverage;
    const inst = w.instrumented;
    const inFile = (line: number, column: number) => queryPositionInFile(w.rule.query, line, column);
    shell.predicates = inst.predicates.map((p) => ({
      text: p.text,
      stage: p.stage,
      ...inFile(p.line, p.column),
      negated: p.negated,
      true: inst.trueCounts[p.id] ?? 0,
      false: inst.falseCounts[p.id] ?? 0,
    }));
    const quietTests = w.rule.tests.filter((t) => t.expect === 'quiet');
    shell.exclusions = inst.exclusions.map((x) => {
      const removed = w.removed.get(x.id) ?? new Map<string, number>();
      const exercisedBy = quietTests.filter((t) => (removed.get(t.dataset) ?? 0) > 0).map((t) => t.name);
      const out: ExclusionCoverage = {
        text: x.text,
        stage: x.stage,
        ...inFile(x.line, x.column),
        exercisedBy,
        removedEvents: [...removed.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([dataset, events]) => ({ dataset, events })),
      };
      for (const m of w.mutants.filter((mm) => mm.exclusion === x.id)) {
        const outcome: MutationOutcome = { mode: m.mode, killedBy: [], survivors: [], vacuous: [] };
        if (m.error) outcome.error = m.error;
        else {
          for (const t of quietTests) {
            if (unreadable.has(t.dataset)) continue;
            if ((m.alerts.get(t.dataset) ?? 0) > 0) outcome.killedBy.push(t.name);
            else outcome.survivors.push(t.name);
          }
          outcome.vacuous = outcome.survivors.filter((name) => exercisedBy.includes(name));
        }
        if (m.mode === 'drop') out.mutation = outcome;
        else out.negation = outcome;
      }
      return out;
    });
    const s = shell.summary;
    s.predicates = shell.predicates.length;
    for (const p of shell.predicates) {
      if (p.true && p.false) s.bothWays++;
      else if (p.true) s.onlyTrue++;
      else if (p.false) s.onlyFalse++;
      else s.never++;
    }
    s.exclusions = shell.exclusions.length;
    s.unexercised = shell.exclusions.filter((x) => !x.exercisedBy.length).length;
    s.vacuousTests = new Set(shell.exclusions.flatMap((x) => x.mutation?.vacuous ?? [])).size;
  }

  const totals = { rules: results.length, instrumented: work.length, predicates: 0, bothWays: 0, never: 0, exclusions: 0, unexercised: 0, vacuousTests: 0 };
  for (const r of results) {
    totals.predicates += r.summary.predicates;
    totals.bothWays += r.summary.bothWays;
    totals.never += r.summary.never;
    totals.exclusions += r.summary.exclusions;
    totals.unexercised += r.summary.unexercised;
    totals.vacuousTests += r.summary.vacuousTests;
  }
  return { schemaVersion: 1, mutated: !!options.mutate, rules: results, totals };
}
