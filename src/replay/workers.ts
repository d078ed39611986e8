/**
 * One pass over one dataset for every query tested on it (literal prefiltering included), and
 * `--jobs N`: the passes of different datasets run in N worker threads, largest dataset first.
 * A pass's results (events read, dataset diagnostics, a tally of each query's alerts) are applied by the caller
 * in dataset order, so the report is the same whatever the number of jobs.
 */
import { statSync } from 'node:fs';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { dispatchTo } from '../engine/dispatch.js';
import { prefilterFor } from '../engine/prefilter.js';
import type { Alert, CompiledQuery } from '../engine/types.js';
import { alertMatches } from './assertions.js';
import { openDatasetBatches } from '../events/dataset.js';
import type { LineFilter } from '../events/readers/types.js';
import type { Rule } from '../rules/model.js';
import { ContentError, type Diagnostic } from '../util/diagnostics.js';

export interface PassResult {
  /** Events in the dataset (lines skipped by the prefilter included). */
  events: number;
  /** Of which never parsed: no query could match them. */
  prefiltered: number;
  /** Diagnostics from reading the dataset, in the order they came. */
  diagnostics: Diagnostic[];
  /** What each query's alerts came to, in the order the queries were given. */
  tallies: AlertTally[];
  /** The dataset could not be read: the diagnostic saying why. */
  failure?: Diagnostic;
}

export interface PassOptions {
  root: string;
  /** No prefiltering: malformed lines must be found and reported, even where no rule looks. */
  strict?: boolean;
}

/**
 * What the tests of one rule on one dataset need of its alerts. A pass keeps no more than that: a
 * rule that fires on every event of a multi-gigabyte dataset must not hold every alert, and every
 * event those alerts refer to, until the pass ends.
 */
export interface AlertWants {
  /** How many alerts to keep whole, the first ones (the report shows the first `maxAlertsPerTest`). */
  keep: number;
  /** The `match` of each test on this dataset that has one, with the test's index in `rule.tests`. */
  matches: Array<{ test: number; match: Record<string, unknown> }>;
}

/** A query's alerts on one dataset, as its tests are judged: counted, the first few kept, matches noted. */
export interface AlertTally {
  count: number;
  /** The first `AlertWants.keep` alerts, in the order they came. */
  kept: Alert[];
  /** Test index (in `rule.tests`) → whether some alert has an event with every value of its `match`. */
  matched: Record<number, boolean>;
}

/** The tally of a rule that raised no alert (or whose dataset could not be read). */
export function emptyTally(): AlertTally {
  return { count: 0, kept: [], matched: {} };
}

/** What `rule`'s tests on `dataset` need of its alerts there. */
export function alertWants(rule: Rule, dataset: string, keep: number): AlertWants {
  const matches: AlertWants['matches'] = [];
  rule.tests.forEach((test, i) => {
    if (test.dataset === dataset && test.match) matches.push({ test: i, match: test.match });
  });
  return { keep, matches };
}

/** A tally and the callback a detector reports its alerts to. */
export function alertCollector(wants: AlertWants): { tally: AlertTally; onAlert: (a: Alert) => void } {
  const tally = emptyTally();
  for (const m of wants.matches) tally.matched[m.test] = false;
  let open = wants.matches.length;
  const onAlert = (a: Alert) => {
    tally.count++;
    if (tally.kept.length < wants.keep) tally.kept.push(a);
    if (open === 0) return;
    for (const m of wants.matches) {
      if (tally.matched[m.test] || !alertMatches(a, m.match)) continue;
      tally.matched[m.test] = true;
      open--;
    }
  };
  return { tally, onAlert };
}

/** Read `file` once and feed every event to a detector of each query. */
export async function replayPass(file: string, dataset: string, queries: readonly CompiledQuery[], wants: readonly AlertWants[], options: PassOptions): Promise<PassResult> {
  const collectors = queries.map((_, i) => alertCollector(wants[i] ?? { keep: 0, matches: [] }));
  const detectors = queries.map((q, i) => q.newDetector(collectors[i]!.onAlert));
  const dispatch = dispatchTo(queries, detectors);
  const result: PassResult = { events: 0, prefiltered: 0, diagnostics: [], tallies: collectors.map((c) => c.tally) };
  const scanner = options.strict ? undefined : prefilterFor(queries);
  const lineFilter: LineFilter | undefined = scanner && {
    test: (bytes, start, end) => scanner.test(bytes, start, end),
    keepPositions: (bytes, start, end, latin1) => scanner.keepPositions(bytes, start, end, latin1),
    onSkip: () => {
      result.prefiltered++;
    },
  };
  try {
    for await (const batch of openDatasetBatches(file, {
      root: options.root,
      onDiagnostic: (d) => result.diagnostics.push(d),
      ...(lineFilter ? { lineFilter } : {}),
    })) {
      result.events += batch.length;
      for (let i = 0; i < batch.length; i++) dispatch.push(batch[i]!);
    }
    dispatch.finish();
  } catch (err) {
    const d = err instanceof ContentError ? err.diagnostic : undefined;
    const message = d ? d.message : `cannot read dataset ${dataset}: ${(err as Error).message}`;
    result.failure = d ?? { file: dataset, line: 0, column: 0, severity: 'error', code: 'dataset/unreadable', message };
  }
  result.events += result.prefiltered;
  return result;
}

export interface PassJob {
  file: string;
  dataset: string;
  /** The rules tested on the dataset (a worker compiles them itself). */
  rules: Rule[];
  /** What each rule's tests need of its alerts (`alertWants`). */
  wants: AlertWants[];
  /** Their compiled queries, for passes run on this thread. */
  queries: CompiledQuery[];
}

/** How many workers `--jobs` may ask for: at most one per core, and never more than the work. */
export function effectiveJobs(requested: number | undefined, work: number): number {
  const n = Math.floor(requested ?? 1);
  if (!Number.isFinite(n) || n <= 1) return 1;
  return Math.max(1, Math.min(n, work, Math.max(1, cpus().length) * 2));
}

const WORKER_URL = new URL(`./workers-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * A worker thread. The young generation bin/ruleproof.js gives the main thread (32 MiB
 * semi-spaces, three of which make the young generation): parsed events then die young instead of
 * being promoted.
 */
function startWorker(): Worker {
  return new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 96 } });
}

/** Workers started ahead of the passes (`prestartWorkers`), waiting to be taken by `runPasses`. */
const waiting: Worker[] = [];

/**
 * Starts the workers `--jobs N` will use, before the rules are loaded: a worker spends a few
 * hundred milliseconds loading the engine, which then overlaps with this thread loading and
 * compiling the rules instead of delaying the worker's first dataset. Waiting workers do not keep
 * the process alive; `runPasses` terminates those it does not use.
 */
export function prestartWorkers(jobs: number | undefined): void {
  const wanted = effectiveJobs(jobs, Number.MAX_SAFE_INTEGER) - 1;
  while (waiting.length < wanted) {
    const worker = startWorker();
    worker.unref();
    // An error before the worker is taken: it is dropped, and runPasses starts a fresh one.
    worker.once('error', () => {
      const i = waiting.indexOf(worker);
      if (i >= 0) waiting.splice(i, 1);
    });
    waiting.push(worker);
  }
}

function takeWorker(): Worker {
  const worker = waiting.shift();
  if (!worker) return startWorker();
  worker.ref();
  worker.removeAllListeners('error');
  return worker;
}

/** Run every job's pass, on this thread and `jobs - 1` worker threads. Results in job order. */
export async function runPasses(jobs: readonly PassJob[], options: PassOptions & { jobs?: number }): Promise<PassResult[]> {
  const n = effectiveJobs(options.jobs, jobs.length);
  // Workers started ahead that this run has no dataset for.
  for (const spare of waiting.splice(Math.max(0, n - 1))) void spare.terminate();
  if (n <= 1) {
    const out: PassResult[] = [];
    for (const job of jobs) out.push(await replayPass(job.file, job.dataset, job.queries, job.wants, options));
    return out;
  }
  // Largest dataset first, so one big file does not start last.
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  const order = jobs.map((j, i) => ({ i, size: size(j.file) })).sort((a, b) => b.size - a.size || a.i - b.i);
  const results = new Array<PassResult>(jobs.length);
  let next = 0;
  const runWorker = async () => {
    let worker = takeWorker();
    try {
      while (next < order.length) {
        const { i } = order[next++]!;
        const job = jobs[i]!;
        results[i] = await new Promise<PassResult>((resolve) => {
          const fail = (message: string) =>
            resolve({
              events: 0,
              prefiltered: 0,
              diagnostics: [],
              tallies: job.rules.map(emptyTally),
              failure: { file: job.dataset, line: 0, column: 0, severity: 'error', code: 'dataset/unreadable', message: `cannot read dataset ${job.dataset}: ${message}` },
            });
          const onMessage = (m: { ok: true; result: PassResult } | { ok: false; message: string }) => {
            cleanup();
            if (m.ok) resolve(m.result);
            else fail(m.message);
          };
          const onError = (err: Error) => {
            cleanup();
            fail(`worker failed: ${err.message}`);
            // a worker that threw is gone: the next dataset gets a fresh one
            void worker.terminate();
            worker = startWorker();
          };
          const cleanup = () => {
            worker.off('message', onMessage);
            worker.off('error', onError);
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.postMessage({ file: job.file, dataset: job.dataset, rules: job.rules, wants: job.wants, options: { root: options.root, strict: !!options.strict } });
        });
      }
    } finally {
      await worker.terminate();
    }
  };
  // This thread takes part: it has the compiled queries already, and needs no start-up, so
  // `--jobs 2` is this thread and one worker (a second worker would leave this one idle).
  const runHere = async () => {
    while (next < order.length) {
      const { i } = order[next++]!;
      const job = jobs[i]!;
      results[i] = await replayPass(job.file, job.dataset, job.queries, job.wants, options);
    }
  };
  await Promise.all([runHere(), ...Array.from({ length: n - 1 }, runWorker)]);
  return results;
}
