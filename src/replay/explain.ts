/**
 * Explanations for failing tests: which clause failed on the nearest candidate event, or which
 * alerts fired when none should have. A detection engineer must be able to fix the rule from this alone.
 */
import { getField } from '../events/fields.js';
import type { ReplayEvent } from '../events/types.js';
import type { Alert, CompiledQuery, StageExplanation } from '../engine/types.js';
import type { Rule, TestCase } from '../rules/model.js';
import { replayDataset } from './runner.js';
import { mismatchedFields } from './assertions.js';
import { summarizeAlert, summarizeEvent } from './summarize.js';
import type { AssertionVerdict } from './assertions.js';
import type { AlertEventSummary, FailureExplanation } from './types.js';

export interface ExplainInput {
  rule: Rule;
  query: CompiledQuery;
  test: TestCase;
  /** How many alerts the rule raised on the dataset. */
  alertCount: number;
  /** The first of them (at least `EXPLAINED_ALERTS`, when there are that many). */
  alerts: readonly Alert[];
  failure: NonNullable<AssertionVerdict['failure']>;
  file: string;
  root: string;
}

interface StageTally {
  matchedEvents: number;
  examples: ReplayEvent[];
  best?: { event: ReplayEvent; explanation: StageExplanation; score: number; gap: number };
  /** Time of the latest event that matched this stage (for the next stage's tie-break). */
  lastMatch?: number;
}

/** How close an event came to a stage: the right category first, then the number of clauses it satisfied. */
function closeness(ex: StageExplanation): number {
  const satisfied = ex.clauses.filter((c) => c.matched).length;
  return (ex.categoryMatched ? 1_000_000 : 0) + satisfied * 1000 - (ex.clauses.length - satisfied);
}

const MAX_EXAMPLES = 5;
/** Alerts an explanation lists. */
export const EXPLAINED_ALERTS = 10;

export async function explainFailure(input: ExplainInput): Promise<FailureExplanation> {
  const { rule, test, alerts, alertCount, failure } = input;
  const extra = test.match ? Object.keys(test.match) : [];
  if (failure !== 'no-alert') {
    const shown = alerts.slice(0, EXPLAINED_ALERTS).map((a) => summarizeAlert(rule, a, extra));
    let summary: string;
    if (failure === 'unexpected-alert') {
      summary = `The rule fired ${alertCount} time(s) on data it should stay quiet on${
        test.reason ? ` (${test.reason})` : ''
      }. The alerts below show which events passed every clause; an exclusion is missing or too narrow.`;
    } else if (failure === 'count') {
      summary = `The rule fired ${alertCount} time(s); the test expects a different count. The alerts are listed below.`;
    } else {
      // The event of the first alert that came closest to the expected values, and what it had instead.
      const match = test.match ?? {};
      let closest: { event: ReplayEvent; misses: string[] } | undefined;
      for (const event of alerts[0]?.events ?? []) {
        const misses = mismatchedFields(event.doc, match);
        if (!closest || misses.length < closest.misses.length) closest = { event, misses };
      }
      const values = closest
        ? closest.misses.map((f) => `${f} is ${JSON.stringify(getField(closest.event.doc, f) ?? null)}`).join('; ')
        : '';
      summary = `The rule fired, but no alert has an event with the expected values${values ? `; in the first alert ${values}` : ''}.`;
    }
    return { summary, alerts: shown };
  }

  const stageCount = input.query.stageCount;
  const tallies: StageTally[] = Array.from({ length: stageCount }, () => ({ matchedEvents: 0, examples: [] }));
  let texts: string[] = [];
  for await (const event of replayDataset(input.file, input.root)) {
    const explanations = input.query.explain(event.doc);
    if (!texts.length) texts = explanations.map((e) => e.text);
    for (const ex of explanations) {
      const tally = tallies[ex.stage];
      if (!tally) continue;
      const score = closeness(ex);
      // Among equally close candidates of a later stage, the one that follows a match of the stage
      // before it most closely is the event the sequence was most likely waiting for.
      const previous = ex.stage > 0 ? tallies[ex.stage - 1]?.lastMatch : undefined;
      const gap = previous !== undefined && event.timestamp >= previous ? event.timestamp - previous : Number.POSITIVE_INFINITY;
      const best = tally.best;
      if (!best || (!best.explanation.matched && (ex.matched || score > best.score || (score === best.score && gap < best.gap)))) {
        tally.best = { event, explanation: ex, score, gap };
      }
      if (ex.matched) {
        tally.matchedEvents++;
        tally.lastMatch = event.timestamp;
        if (tally.examples.length < MAX_EXAMPLES) tally.examples.push(event);
      }
    }
  }

  const stages: NonNullable<FailureExplanation['stages']> = tallies.map((t, i) => {
    const entry: NonNullable<FailureExplanation['stages']>[number] = {
      stage: i,
      text: texts[i] ?? `stage ${i + 1}`,
      matchedEvents: t.matchedEvents,
    };
    if (t.best) entry.nearest = { event: summarizeEvent(t.best.event, extra), explanation: t.best.explanation };
    return entry;
  });

  const unmatched = stages.filter((s) => s.matchedEvents === 0);
  let summary: string;
  const joinAttempts: string[] = [];
  if (unmatched.length) {
    const parts = unmatched.map((s) => {
      const n = s.nearest;
      if (!n) return `${label(s.stage, stageCount)} saw no event at all`;
      if (!n.explanation.categoryMatched) {
        return `${label(s.stage, stageCount)} matched no event: no event of category ${n.explanation.category ?? '?'} reached it`;
      }
      const failed = n.explanation.clauses.filter((c) => !c.matched);
      const why = failed.map((c) => `\`${c.text}\`${c.values ? ` (${formatValues(c.values)})` : ''}`).join(' and ');
      return `${label(s.stage, stageCount)} matched no event; the nearest candidate (${describe(n.event)}) failed ${why}`;
    });
    summary = `No alert. ${parts.join('. ')}.`;
  } else if (stageCount > 1) {
    summary =
      'No alert, although every stage matched some event: the stages never lined up in order, on the same join key, within maxspan. The matching events per stage are listed below.';
    for (const [i, t] of tallies.entries()) {
      for (const e of t.examples) joinAttempts.push(`${label(i, stageCount)}: ${describe(summarizeEvent(e))}`);
    }
  } else {
    summary = 'No alert, although the query matched events: a pipe or limit removed them.';
  }
  const out: FailureExplanation = { summary, stages };
  if (joinAttempts.length) out.joinAttempts = joinAttempts;
  return out;
}

function label(stage: number, count: number): string {
  return count > 1 ? `stage ${stage + 1}` : 'the query';
}

function formatValues(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v === undefined ? 'missing' : JSON.stringify(v)}`)
    .join(', ');
}

function describe(e: AlertEventSummary): string {
  const f = e.fields;
  const bits = [`${e.key} at ${e.timestamp}`];
  if (f['event.code'] !== undefined) bits.push(`event ${String(f['event.code'])}`);
  if (f['host.name'] !== undefined) bits.push(`host ${String(f['host.name'])}`);
  if (f['process.name'] !== undefined) bits.push(`process ${String(f['process.name'])}`);
  return bits.join(', ');
}

