/**
 * `--cache DIR`: a content-addressed cache of rule results, so a pull request that touches one rule
 * replays one rule. The key of a rule's results covers everything that can change them:
 *
 * - the replay code itself (a hash of the engine, event readers and normalizers, field views, rule
 *   loaders and replay sources this process runs) and the ruleproof version;
 * - the options that change results (`--strict`, alerts kept per test), the configuration and the
 *   limits in force (`RULEPROOF_MAX_LINE_BYTES` decides which lines are read, `RULEPROOF_MAX_REORDER_EVENTS`
 *   the order events are replayed in);
 * - the rule as loaded (query, metadata, tests, source positions) and the bytes of its rule file and
 *   test sidecar;
 * - every dataset its tests replay: content hash, plus the descriptors (`<file>.meta.yml`,
 *   `dataset.yml`) that say how to read it.
 *
 * An entry holds the rule's result and what reading its datasets reported, so a run served from
 * the cache writes the same report as a run that replays everything. Rules whose datasets could not
 * be read are never cached.
 */
import { createHash } from 'node:crypto';
import { datasetReadingDefaults } from '../events/dataset.js';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rule } from '../rules/model.js';
import type { Diagnostic } from '../util/diagnostics.js';
import { limits } from '../util/limits.js';
import { resolveContentPath } from '../util/paths.js';
import { TOOL_VERSION } from '../util/version.js';
import { replayTests, type ReplayOptions, type ReplayOutcome } from './runner.js';
import type { DatasetSummary, RuleResult } from './types.js';
import { compareRuleResults } from './merge.js';

/** Bump when the entry layout changes. */
const CACHE_FORMAT = 1;

export interface CacheOptions {
  dir: string;
  /** Whatever configuration can change results (the CLI passes the loaded config without its root). */
  config: unknown;
}

export interface CacheStats {
  hits: number;
  misses: number;
  stored: number;
}

interface DatasetPart {
  summary: DatasetSummary;
  diagnostics: Diagnostic[];
}

interface CacheEntry {
  format: number;
  key: string;
  result: RuleResult;
  datasets: DatasetPart[];
  /** The rule's own diagnostics: its compile problem and missing datasets of its tests. */
  ruleDiagnostics: Diagnostic[];
}

let codeHash: string | undefined;

/** The code that turns a rule and a dataset into a result, as this process runs it. */
export function replayCodeHash(): string {
  if (codeHash) return codeHash;
  const base = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(js|ts|json)$/.test(name) && !name.endsWith('.map') && !name.endsWith('.d.ts')) {
        hash.update(path.relative(base, file).split(path.sep).join('/')).update('\u0000').update(readFileSync(file)).update('\u0000');
      }
    }
  };
  for (const dir of ['engine', 'events', 'replay', 'rules', 'util']) walk(path.join(base, dir));
  return (codeHash = hash.digest('hex'));
}

/** JSON with Maps as sorted entry lists and object keys sorted: the same rule hashes the same. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    if (key === 'absPath') return undefined;
    if (v instanceof Map) return [...v.entries()].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
    }
    return v;
  });
}

async function fileHash(file: string): Promise<string> {
  // Streamed: datasets can be large.
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function smallFileHash(file: string): string {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'none';
}

/** Content of a dataset and of every descriptor that can say how to read it. */
async function datasetHash(root: string, dataset: string): Promise<string> {
  const file = resolveContentPath(root, dataset);
  if (!existsSync(file)) return 'missing';
  const parts = [await fileHash(file), smallFileHash(`${file}.meta.yml`)];
  let dir = path.dirname(file);
  const top = path.resolve(root);
  for (;;) {
    parts.push(smallFileHash(path.join(dir, 'dataset.yml')));
    if (dir === top || path.dirname(dir) === dir || !dir.startsWith(top)) break;
    dir = path.dirname(dir);
  }
  return parts.join(':');
}

export async function ruleCacheKey(rule: Rule, options: ReplayOptions, cache: CacheOptions, datasetHashes: (dataset: string) => Promise<string>): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`ruleproof-cache/${CACHE_FORMAT}\u0000${TOOL_VERSION}\u0000${replayCodeHash()}\u0000`);
  hash.update(stableJson({ strict: !!options.strict, maxAlertsPerTest: options.maxAlertsPerTest ?? null, config: cache.config, reading: datasetReadingDefaults(), limits: limits() }));
  hash.update('\u0000').update(stableJson(rule));
  hash.update('\u0000').update(smallFileHash(rule.source.absPath));
  if (rule.source.testsFile) hash.update('\u0000').update(smallFileHash(resolveContentPath(options.root, rule.source.testsFile)));
  for (const dataset of [...new Set(rule.tests.map((t) => t.dataset))].sort()) {
    hash.update(`\u0000${dataset}\u0000${await datasetHashes(dataset)}`);
  }
  return hash.digest('hex');
}

function entryPath(dir: string, key: string): string {
  return path.join(dir, `v${CACHE_FORMAT}`, key.slice(0, 2), `${key}.json`);
}

function readEntry(dir: string, key: string): CacheEntry | undefined {
  const file = entryPath(dir, key);
  if (!existsSync(file)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    // A damaged or foreign file is a miss, never a wrong result.
    return entry.format === CACHE_FORMAT && entry.key === key && entry.result && Array.isArray(entry.datasets) ? entry : undefined;
  } catch {
    return undefined;
  }
}

function writeEntry(dir: string, entry: CacheEntry): void {
  const file = entryPath(dir, entry.key);
  mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename: parallel jobs sharing a cache never read half a file.
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, JSON.stringify(entry));
  renameSync(tmp, file);
}

function sameLocation(d: Diagnostic, loc: { file: string; line: number; column: number }): boolean {
  return d.file === loc.file && d.line === loc.line && d.column === loc.column;
}

/** Replay the rules, serving unchanged ones from the cache and storing the others. */
export async function replayWithCache(rules: readonly Rule[], options: ReplayOptions, cache: CacheOptions): Promise<{ outcome: ReplayOutcome; stats: CacheStats }> {
  const hashes = new Map<string, Promise<string>>();
  const datasetHashes = (dataset: string) => {
    let h = hashes.get(dataset);
    if (!h) hashes.set(dataset, (h = datasetHash(options.root, dataset)));
    return h;
  };
  const keyed = await Promise.all(rules.map(async (rule) => ({ rule, key: await ruleCacheKey(rule, options, cache, datasetHashes) })));
  const hits: CacheEntry[] = [];
  const misses: typeof keyed = [];
  for (const k of keyed) {
    const entry = readEntry(cache.dir, k.key);
    if (entry) hits.push(entry);
    else misses.push(k);
  }

  const perDataset = new Map<string, Diagnostic[]>();
  const fresh = misses.length
    ? await replayTests(
        misses.map((m) => m.rule),
        {
          ...options,
          onDatasetDiagnostic: (dataset, d) => {
            perDataset.set(dataset, [...(perDataset.get(dataset) ?? []), d]);
            options.onDatasetDiagnostic?.(dataset, d);
          },
        },
      )
    : { rules: [], datasets: [], diagnostics: [] };

  let stored = 0;
  const freshDatasets = new Map(fresh.datasets.map((d) => [d.path, d]));
  for (const { rule, key } of misses) {
    const result = fresh.rules.find((r) => r.file === rule.source.file && r.id === rule.id && r.version === rule.version && r.name === rule.name && r.language === rule.query.language);
    if (!result) continue;
    const used = [...new Set(rule.tests.map((t) => t.dataset))].sort();
    const parts = used.map((d) => freshDatasets.get(d)).filter((d): d is DatasetSummary => !!d);
    if (parts.some((d) => d.error)) continue;
    const ruleDiagnostics = fresh.diagnostics.filter(
      (d) => (result.problem && d === result.problem) || (d.code === 'dataset/missing' && rule.tests.some((t) => sameLocation(d, t.location))),
    );
    try {
      writeEntry(cache.dir, {
        format: CACHE_FORMAT,
        key,
        result,
        datasets: parts.map((summary) => ({ summary, diagnostics: perDataset.get(summary.path) ?? [] })),
        ruleDiagnostics,
      });
      stored++;
    } catch {
      // A read-only or full cache directory slows the next run down; it must not fail this one.
    }
  }

  // Compose what one uncached run would have reported.
  const datasets = new Map(fresh.datasets.map((d) => [d.path, d]));
  const diagnostics = [...fresh.diagnostics];
  for (const entry of hits) {
    diagnostics.push(...entry.ruleDiagnostics);
    for (const part of entry.datasets) {
      if (datasets.has(part.summary.path)) continue;
      datasets.set(part.summary.path, part.summary);
      diagnostics.push(...part.diagnostics);
    }
  }
  const outcome: ReplayOutcome = {
    rules: [...fresh.rules, ...hits.map((h) => h.result)].sort(compareRuleResults),
    datasets: [...datasets.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    diagnostics,
  };
  return { outcome, stats: { hits: hits.length, misses: misses.length, stored } };
}
