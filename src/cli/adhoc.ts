/** Ad hoc commands: `run` (one rule, one dataset) and `query` (one query, any datasets). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ChalkInstance } from 'chalk';
import { compileQuery } from '../engine/query.js';
import { loadLanguages } from '../engine/languages.js';
import type { Alert, CompiledQuery } from '../engine/types.js';
import { dispatchTo } from '../engine/dispatch.js';
import { prefilterFor } from '../engine/prefilter.js';
import { openDatasetBatches } from '../events/dataset.js';
import type { LineFilter } from '../events/readers/types.js';
import type { FieldView, QueryLanguage } from '../rules/model.js';
import { alertId, isoTime } from '../replay/summarize.js';
import { renderDiagnostics } from '../report/console-diagnostics.js';
import { toPosixRelative } from '../util/paths.js';
import type { Diagnostic } from '../util/diagnostics.js';
import type { RuleproofConfig } from './config.js';
import type { CliIO } from './main.js';

function usageError(io: CliIO, message: string): number {
  io.stderr(`ruleproof: ${message}\n`);
  return 2;
}

/** Stream a dataset through one compiled query, collecting alerts and dataset diagnostics. */
async function replayOne(
  config: RuleproofConfig,
  file: string,
  query: CompiledQuery,
  onAlert: (a: Alert) => void,
  diagnostics: Diagnostic[],
  lineFilter?: LineFilter,
): Promise<void> {
  // Through the dispatcher, as a replay does: events the query's gates rule out never reach it.
  const detectors = dispatchTo([query], [query.newDetector(onAlert)]);
  for await (const batch of openDatasetBatches(file, { root: config.root, onDiagnostic: (d) => diagnostics.push(d), ...(lineFilter ? { lineFilter } : {}) })) {
    for (const event of batch) detectors.push(event);
  }
  detectors.finish();
}

function resolveData(io: CliIO, config: RuleproofConfig, data: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const d of data) {
    const abs = path.resolve(io.cwd, d);
    if (existsSync(abs)) files.push(abs);
    else missing.push(d);
  }
  void config;
  return { files, missing };
}

interface RunOptions {
  rule: string;
  data: string[];
  explain?: boolean;
}

export async function runCommand(io: CliIO, config: RuleproofConfig, opts: RunOptions, color: ChalkInstance): Promise<number> {
  const asFile = path.resolve(io.cwd, opts.rule);
  // Loaded here, not at the top: `query` needs neither the rule loaders nor the test runner.
  const { loadRules } = await import('../rules/index.js');
  const { compileRule } = await import('../replay/runner.js');
  const { explainFailure } = await import('../replay/explain.js');
  const loaded = await loadRules(existsSync(asFile) ? [asFile] : config.rules, { root: config.root });
  const wanted = opts.rule.toLowerCase();
  const candidates = existsSync(asFile)
    ? loaded.rules
    : loaded.rules.filter((r) => r.id.toLowerCase() === wanted || r.name.toLowerCase() === wanted || r.source.file.toLowerCase().includes(wanted));
  // Several versions of one rule: the current (non-historical, highest) one, unless a file was named.
  const rule = candidates.sort((a, b) => Number(a.historical) - Number(b.historical) || (b.version ?? 0) - (a.version ?? 0))[0];
  if (!rule) {
    // The rule may be missing because it failed to load: its errors (and warnings) say why. Other
    // rules' notes (info) would only bury that.
    const problems = loaded.diagnostics.filter((d) => d.severity !== 'info');
    if (problems.length) io.stderr(renderDiagnostics(problems, color) + '\n');
    return usageError(io, `no rule matches "${opts.rule}" (give a rule id, its exact name, or a rule file)`);
  }
  const compiled = compileRule(rule);
  if (!compiled.query) {
    io.stderr(renderDiagnostics([compiled.problem as Diagnostic], color) + '\n');
    return compiled.status === 'unsupported' ? 1 : 2;
  }
  const { files, missing } = resolveData(io, config, opts.data);
  if (missing.length) return usageError(io, `dataset not found: ${missing.join(', ')}`);
  const diagnostics: Diagnostic[] = [];
  let total = 0;
  for (const file of files) {
    // Each alert is written as it comes: a rule that fires on most of a large dataset must not
    // hold every alert (and its events) until the end.
    let fired = 0;
    const write = (a: Alert) => {
      fired++;
      io.stdout(
        JSON.stringify({
          alert: alertId(rule, a),
          rule: { id: rule.id, name: rule.name, version: rule.version },
          timestamp: isoTime(a.timestamp),
          ...(a.joinKey ? { join_keys: a.joinKey } : {}),
          events: a.events.map((e) => ({ key: e.key, dataset: e.dataset, event: e.doc })),
        }) + '\n',
      );
    };
    await replayOne(config, file, compiled.query, write, diagnostics, prefilterFor([compiled.query]));
    total += fired;
    if (!fired && opts.explain) {
      const explanation = await explainFailure({
        rule,
        query: compiled.query,
        test: { name: 'ad hoc', dataset: toPosixRelative(config.root, file), expect: 'fire', location: { file: rule.source.file, line: 1, column: 1 } },
        alertCount: 0,
        alerts: [],
        failure: 'no-alert',
        file,
        root: config.root,
      });
      io.stderr(`${toPosixRelative(config.root, file)}: ${explanation.summary}\n`);
      for (const s of explanation.stages ?? []) {
        io.stderr(`  stage ${s.stage + 1}: ${s.matchedEvents} matching event(s)\n`);
        for (const c of s.nearest?.explanation.clauses ?? []) {
          io.stderr(`    ${c.matched ? '✓' : '✗'} ${c.text.replace(/\s+/g, ' ')}${c.values ? ' ' + JSON.stringify(c.values) : ''}\n`);
        }
      }
    }
  }
  if (diagnostics.length) io.stderr(renderDiagnostics(diagnostics, color) + '\n');
  io.stderr(`${total} alert(s) from ${rule.name} v${rule.version ?? '?'}\n`);
  return 0;
}

interface QueryOptions {
  language: string;
  fieldView: string;
  dialect?: string;
}

export async function queryCommand(io: CliIO, config: RuleproofConfig, query: string, data: string[], opts: QueryOptions): Promise<number> {
  await loadLanguages([opts.language as QueryLanguage]);
  const compiled = compileQuery(query, {
    language: opts.language as QueryLanguage,
    fieldView: opts.fieldView as FieldView,
    ...(opts.dialect ? { dialect: opts.dialect } : {}),
  });
  if (!compiled.ok) {
    for (const e of compiled.errors) io.stderr(`query:${e.line}:${e.column}: ${e.kind} error: ${e.message}\n`);
    return 2;
  }
  const { files, missing } = resolveData(io, config, data);
  if (missing.length) return usageError(io, `dataset not found: ${missing.join(', ')}`);
  const diagnostics: Diagnostic[] = [];
  const single = compiled.query.stageCount === 1;
  for (const file of files) {
    await replayOne(
      config,
      file,
      compiled.query,
      (a) => {
        if (single && a.events.length === 1 && !a.joinKey) io.stdout(JSON.stringify(a.events[0]?.doc) + '\n');
        else io.stdout(JSON.stringify({ ...(a.joinKey ? { join_keys: a.joinKey } : {}), events: a.events.map((e) => e.doc) }) + '\n');
      },
      diagnostics,
      prefilterFor([compiled.query]),
    );
  }
  for (const d of diagnostics) io.stderr(`${d.file}:${d.line}: ${d.severity}: ${d.message}\n`);
  return diagnostics.some((d) => d.severity === 'error') ? 2 : 0;
}
