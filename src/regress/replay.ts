/**
 * Old and new versions of changed rules replayed over the same datasets, in one pass per dataset
 * (every detector of every rule on that dataset sees each event once). Alerts are matched across
 * versions by dataset and event keys: the alert id without the version.
 */
import { existsSync } from 'node:fs';
import type { CompiledQuery } from '../engine/types.js';
import { openDataset } from '../events/dataset.js';
import type { Rule } from '../rules/model.js';
import { compileRule } from '../replay/runner.js';
import { summarizeAlert } from '../replay/summarize.js';
import type { AlertSummary } from '../replay/types.js';
import { ContentError, type Diagnostic } from '../util/diagnostics.js';
import { resolveContentPath } from '../util/paths.js';
import type { DatasetDiff } from './types.js';

export interface ReplaySide {
  rule: Rule;
  query?: CompiledQuery;
  problem?: string;
}

export interface DiffJob {
  key: string;
  old?: Rule;
  new?: Rule;
  datasets: string[];
}

export interface DiffOutcome {
  datasets: DatasetDiff[];
  problem?: string;
}

/** The alert's identity across versions: dataset and event keys (its id without `@version`). */
export function crossVersionKey(alert: AlertSummary): string {
  const at = alert.id.indexOf('@');
  const colon = alert.id.indexOf(':', at);
  return at >= 0 && colon >= 0 ? alert.id.slice(colon + 1) : alert.id;
}

/** What the new version's tests expect on a dataset. */
export function expectationOn(rule: Rule | undefined, dataset: string): DatasetDiff['expect'] {
  const kinds = new Set((rule?.tests ?? []).filter((t) => t.dataset === dataset).map((t) => t.expect));
  if (kinds.size === 2) return 'both';
  return kinds.size ? ([...kinds][0] as 'fire' | 'quiet') : null;
}

/** Key of the event that completes an alert (a sequence's last event; the event of an event query). */
function lastEventKey(alert: AlertSummary): string {
  return alert.events[alert.events.length - 1]?.key ?? alert.id;
}

/** Pair lost and gained alerts that end on the same event, in order: the same detection, other supporting events. */
export function rematch(gained: AlertSummary[], lost: AlertSummary[]): { gained: AlertSummary[]; lost: AlertSummary[]; rematched: Array<{ old: AlertSummary; new: AlertSummary }> } {
  const pool = new Map<string, AlertSummary[]>();
  for (const a of lost) pool.set(lastEventKey(a), [...(pool.get(lastEventKey(a)) ?? []), a]);
  const rematched: Array<{ old: AlertSummary; new: AlertSummary }> = [];
  const stillGained: AlertSummary[] = [];
  for (const a of gained) {
    const candidates = pool.get(lastEventKey(a));
    const old = candidates?.shift();
    if (old) rematched.push({ old, new: a });
    else stillGained.push(a);
  }
  const paired = new Set(rematched.map((r) => r.old));
  return { gained: stillGained, lost: lost.filter((a) => !paired.has(a)), rematched };
}

function judgeDiff(d: Omit<DatasetDiff, 'verdict' | 'message'>): Pick<DatasetDiff, 'verdict' | 'message'> {
  const expectsFire = d.expect === 'fire' || d.expect === 'both';
  const expectsQuiet = d.expect === 'quiet' || d.expect === 'both';
  const problems: string[] = [];
  if (d.lost.length && expectsFire) problems.push(`${d.lost.length} alert(s) lost where the new version's tests expect it to fire`);
  if (d.gained.length && expectsQuiet) problems.push(`${d.gained.length} new alert(s) where the new version's tests expect quiet`);
  if (problems.length) return { verdict: 'fail', message: problems.join('; ') };
  if (!d.gained.length && !d.lost.length && !d.rematched.length) return { verdict: 'same', message: `unchanged: ${d.unchanged} alert(s) on both versions` };
  const parts: string[] = [];
  if (d.gained.length) parts.push(`${d.gained.length} gained`);
  if (d.lost.length) parts.push(`${d.lost.length} lost`);
  if (d.rematched.length) parts.push(`${d.rematched.length} re-matched through other events`);
  parts.push(`${d.unchanged} unchanged`);
  const why = d.expect === null ? 'no test of the new version replays this dataset' : `the new version's tests expect ${d.expect}`;
  return { verdict: 'review', message: `${parts.join(', ')} (${why}): review` };
}

/**
 * Replay every job's old and new rule over its datasets. `maxAlerts` bounds the alerts listed per
 * side and dataset (counts stay exact).
 */
export async function diffAlerts(jobs: readonly DiffJob[], options: { root: string; maxAlerts?: number; onDiagnostic?: (d: Diagnostic) => void }): Promise<Map<string, DiffOutcome>> {
  const maxAlerts = options.maxAlerts ?? 50;
  const sides = new Map<string, { old?: ReplaySide; new?: ReplaySide }>();
  const compile = (rule: Rule | undefined): ReplaySide | undefined => {
    if (!rule) return undefined;
    const c = compileRule(rule);
    return c.query ? { rule, query: c.query } : { rule, problem: c.problem?.message ?? 'the rule could not be compiled' };
  };
  for (const job of jobs) sides.set(job.key, { old: compile(job.old), new: compile(job.new) });

  // dataset → (job key, side) → alerts, summarised as they come: a diff compares every alert of both
  // versions, but needs only their summaries, not the events they refer to (which would otherwise
  // stay in memory until the dataset's pass ends).
  const byDataset = new Map<string, Array<{ job: string; which: 'old' | 'new'; side: ReplaySide; alerts: AlertSummary[] }>>();
  for (const job of jobs) {
    const s = sides.get(job.key) as { old?: ReplaySide; new?: ReplaySide };
    for (const dataset of job.datasets) {
      const list = byDataset.get(dataset) ?? [];
      for (const which of ['old', 'new'] as const) {
        const side = s[which];
        if (side?.query) list.push({ job: job.key, which, side, alerts: [] });
      }
      byDataset.set(dataset, list);
    }
  }

  const errors = new Map<string, string>();
  for (const dataset of [...byDataset.keys()].sort()) {
    const users = byDataset.get(dataset) as Array<{ side: ReplaySide; alerts: AlertSummary[] }>;
    const file = resolveContentPath(options.root, dataset);
    if (!existsSync(file)) {
      errors.set(dataset, `dataset ${dataset} does not exist`);
      continue;
    }
    const detectors = users.map((u) => (u.side.query as CompiledQuery).newDetector((a) => u.alerts.push(summarizeAlert(u.side.rule, a))));
    try {
      for await (const event of openDataset(file, { root: options.root, onDiagnostic: (d) => options.onDiagnostic?.(d) })) {
        for (const det of detectors) det.push(event);
      }
      for (const det of detectors) det.finish();
    } catch (err) {
      errors.set(dataset, err instanceof ContentError ? err.diagnostic.message : `cannot read dataset ${dataset}: ${(err as Error).message}`);
    }
  }

  const out = new Map<string, DiffOutcome>();
  for (const job of jobs) {
    const s = sides.get(job.key) as { old?: ReplaySide; new?: ReplaySide };
    const problem = [s.old?.problem && `old version: ${s.old.problem}`, s.new?.problem && `new version: ${s.new.problem}`].filter(Boolean).join('; ');
    const datasets: DatasetDiff[] = [];
    for (const dataset of [...job.datasets].sort()) {
      const entries = byDataset.get(dataset) ?? [];
      const alertsOf = (which: 'old' | 'new') => {
        const e = entries.find((x) => x.job === job.key && x.which === which);
        return e ? e.alerts : [];
      };
      const oldAlerts = alertsOf('old');
      const newAlerts = alertsOf('new');
      const oldKeys = new Set(oldAlerts.map(crossVersionKey));
      const newKeys = new Set(newAlerts.map(crossVersionKey));
      const { gained, lost, rematched } = rematch(
        newAlerts.filter((a) => !oldKeys.has(crossVersionKey(a))),
        oldAlerts.filter((a) => !newKeys.has(crossVersionKey(a))),
      );
      const base = {
        dataset,
        oldAlerts: oldAlerts.length,
        newAlerts: newAlerts.length,
        gained: gained.slice(0, maxAlerts),
        lost: lost.slice(0, maxAlerts),
        unchanged: newAlerts.length - gained.length - rematched.length,
        rematched: rematched.slice(0, maxAlerts),
        expect: expectationOn(job.new, dataset),
      };
      const error = errors.get(dataset);
      if (error) {
        datasets.push({ ...base, verdict: 'fail', message: error, error });
        continue;
      }
      // Judge on the full lists; the report carries the first `maxAlerts`.
      const verdict = judgeDiff({ ...base, gained, lost, rematched });
      datasets.push({ ...base, ...verdict });
    }
    out.set(job.key, { datasets, ...(problem ? { problem } : {}) });
  }
  return out;
}
