/** `events` (what a rule sees) and `datasets` (what the bundled data holds). */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ChalkInstance } from 'chalk';
import fg from 'fast-glob';
import { describeDataset, openDataset, openRawRecords, type DatasetDescription } from '../events/dataset.js';
import { renderDiagnostics } from '../report/console-diagnostics.js';
import { ContentError, type Diagnostic } from '../util/diagnostics.js';
import { toPosixRelative } from '../util/paths.js';
import { TOOL_VERSION } from '../util/version.js';
import type { RuleproofConfig } from './config.js';
import type { CliIO } from './main.js';

/** Files that describe or document datasets rather than hold events. */
const NOT_DATA = ['**/*.meta.yml', '**/dataset.yml', '**/*.md', '**/LICENSE*', '**/_metadata/**', '**/.gitkeep', '**/*.txt'];

/** Dataset files under the given paths (files as given, directories searched), sorted. */
export async function findDatasetFiles(cwd: string, paths: string[]): Promise<{ files: string[]; missing: string[] }> {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    if (!existsSync(abs)) {
      missing.push(p);
      continue;
    }
    if (statSync(abs).isFile()) {
      files.add(abs);
      continue;
    }
    const found = await fg('**/*', { cwd: abs, absolute: true, onlyFiles: true, ignore: NOT_DATA, dot: false });
    for (const f of found) files.add(path.normalize(f));
  }
  return { files: [...files].sort(), missing };
}

function reportDiagnostics(io: CliIO, diagnostics: Diagnostic[], color: ChalkInstance): void {
  if (diagnostics.length) io.stderr(renderDiagnostics(diagnostics, color) + '\n');
}

interface EventsOptions {
  raw?: boolean;
}

export async function eventsCommand(io: CliIO, config: RuleproofConfig, data: string[], opts: EventsOptions, color?: ChalkInstance): Promise<number> {
  const { files, missing } = await findDatasetFiles(io.cwd, data);
  if (missing.length) {
    io.stderr(`ruleproof: dataset not found: ${missing.join(', ')}\n`);
    return 2;
  }
  const diagnostics: Diagnostic[] = [];
  let exitCode = 0;
  for (const file of files) {
    const options = { root: config.root, onDiagnostic: (d: Diagnostic) => diagnostics.push(d) };
    try {
      if (opts.raw) {
        for await (const raw of openRawRecords(file, options)) {
          const body = raw.kind === 'windows' ? { record: raw.record } : { document: raw.doc };
          const where = { ...(raw.member ? { member: raw.member } : {}), line: raw.line, ordinal: raw.ordinal };
          io.stdout(JSON.stringify({ dataset: toPosixRelative(config.root, file), ...where, ...body }) + '\n');
        }
      } else {
        for await (const event of openDataset(file, options)) io.stdout(JSON.stringify(event.doc) + '\n');
      }
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      diagnostics.push(err.diagnostic);
      exitCode = 2;
    }
  }
  if (color) reportDiagnostics(io, diagnostics, color);
  else for (const d of diagnostics) io.stderr(`${d.file}:${d.line}: ${d.severity}: ${d.message}\n`);
  return exitCode;
}

interface DatasetsOptions {
  format: 'console' | 'json';
}

export interface DatasetsReport {
  schemaVersion: 1;
  tool: { name: 'ruleproof'; version: string };
  command: 'datasets';
  datasets: DatasetDescription[];
  diagnostics: Diagnostic[];
  exitCode: number;
}

export async function datasetsCommand(io: CliIO, config: RuleproofConfig, paths: string[], opts: DatasetsOptions, color: ChalkInstance): Promise<number> {
  const roots = paths.length ? paths.map((p) => path.resolve(io.cwd, p)) : config.datasets.map((d) => path.resolve(config.root, d));
  const { files, missing } = await findDatasetFiles(io.cwd, roots);
  const diagnostics: Diagnostic[] = missing.map((m) => ({
    file: toPosixRelative(config.root, m),
    line: 0,
    column: 0,
    severity: 'error',
    code: 'dataset/missing',
    message: `dataset path ${toPosixRelative(config.root, m)} does not exist`,
  }));
  const datasets: DatasetDescription[] = [];
  for (const file of files) {
    try {
      datasets.push(await describeDataset(file, { root: config.root, onDiagnostic: (d) => diagnostics.push(d) }));
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      diagnostics.push(err.diagnostic);
    }
  }
  const exitCode = diagnostics.some((d) => d.severity === 'error') ? 2 : 0;
  if (opts.format === 'json') {
    const report: DatasetsReport = { schemaVersion: 1, tool: { name: 'ruleproof', version: TOOL_VERSION }, command: 'datasets', datasets, diagnostics, exitCode };
    io.stdout(JSON.stringify(report, null, 2) + '\n');
    return exitCode;
  }
  for (const d of datasets) {
    const flags = [d.format, d.descriptor.synthetic ? color.yellow('synthetic') : undefined, d.descriptor.license].filter(Boolean).join(', ');
    io.stdout(`${color.bold(d.file)}  ${color.dim(flags)}\n`);
    const span = d.firstTimestamp ? `${d.firstTimestamp} → ${d.lastTimestamp}` : 'no timestamps';
    io.stdout(`  ${d.events} events${d.warnings ? color.yellow(`, ${d.warnings} warning(s)`) : ''}, ${span}\n`);
    if (d.hosts.length) io.stdout(`  hosts:     ${d.hosts.join(', ')}\n`);
    if (d.channels.length) io.stdout(`  channels:  ${d.channels.join(', ')}\n`);
    if (d.eventIds.length) io.stdout(`  event IDs: ${d.eventIds.map((e) => `${e.id}×${e.count}`).join(' ')}\n`);
    if (d.descriptor.techniques?.length) io.stdout(`  ATT&CK:    ${d.descriptor.techniques.join(', ')}\n`);
  }
  io.stdout(`${datasets.length} dataset(s)\n`);
  reportDiagnostics(io, diagnostics, color);
  return exitCode;
}
