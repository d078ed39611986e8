/**
 * Splunk ESCU detections (splunk/security_content, contentctl v4 and v5 layouts) → `Rule`.
 *
 * - The search is SPL over the CIM (`language: spl`, `fieldView: cim`); its macros are expanded at
 *   load time with the content repository's `macros/*.yml` over ruleproof's built-in definitions
 *   (`drop_dm_object_name`, `security_content_*`, `*_filter` as `search *`), so a repository's own
 *   `<detection>_filter` overrides the generated empty one. The text as written is kept in
 *   `query.written` with a source map, so errors point at the rule file.
 * - v4 (`tags.confidence`/`impact`/`risk_score`/`observable`) and v5 (`rba:`) risk layouts.
 * - `tests[].attack_data[]`: each entry is a test case expecting the search to fire (contentctl's
 *   unit test passes when the search returns results), its `data` URL mapped to a local dataset.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_MACROS, builtinFallback, expandMacros, mergeMacroTables, MacroError } from '../engine/spl/macros.js';
import { loadAttackCatalogue, type AttackCatalogue } from '../lint/attack/catalogue.js';
import { errorAt, failure, isHistoricalPath, type FileContext, type FileLoad } from './common.js';
import { contentRepositoryFor, loadMacroFile, mapAttackData, ESCU_SETTINGS_FILE } from './macros.js';
import { validateSchema } from './macros-schema.js';
import type { AttackRef, Rule, TestCase, ThreatMapping } from './model.js';
import { stringOrigin, type YamlSource } from './yaml-source.js';
import type { Diagnostic } from '../util/diagnostics.js';

interface EscuDetection {
  name: string;
  id: string;
  version?: number;
  date?: string;
  creation_date?: string;
  modification_date?: string;
  author?: string;
  status?: string;
  type?: string;
  description?: string;
  data_source?: string[];
  search: string;
  how_to_implement?: string;
  known_false_positives?: string;
  references?: string[] | null;
  rba?: { message?: string; risk_objects?: Array<{ field: string; type: string; score: number }> };
  tags?: {
    analytic_story?: string[];
    asset_type?: string;
    confidence?: number;
    impact?: number;
    risk_score?: number;
    mitre_attack_id?: string[];
    security_domain?: string;
    product?: string[];
    cve?: string[] | null;
  };
  tests?: Array<{ name: string; test_type?: string; attack_data?: Array<{ data: string; source?: string; sourcetype?: string }> }> | null;
}

/** Documents of a content repository that have a search but are not detections. */
const NOT_DETECTIONS = new Set(['baseline', 'investigation']);

/** The ATT&CK version whose names are written beside the ids ESCU lists (ESCU writes ids only). */
const ATTACK_VERSION = '18.1';

let catalogue: AttackCatalogue | null | undefined;
function attack(): AttackCatalogue | null {
  if (catalogue === undefined) {
    try {
      catalogue = loadAttackCatalogue(ATTACK_VERSION);
    } catch {
      catalogue = null;
    }
  }
  return catalogue;
}

function techniqueRef(id: string, path: string): AttackRef {
  return { id, name: attack()?.technique(id)?.name ?? id, path };
}

/** `T1021` and `T1021.006` → technique and sub-technique mappings (no tactic: ESCU does not say). */
function threatOf(ids: string[]): ThreatMapping[] {
  return ids.map((raw, i) => {
    const id = raw.trim().toUpperCase();
    const at = `tags.mitre_attack_id.${i}`;
    const dot = id.indexOf('.');
    if (dot < 0) return { framework: 'MITRE ATT&CK', technique: techniqueRef(id, at) };
    return { framework: 'MITRE ATT&CK', technique: techniqueRef(id.slice(0, dot), at), subtechnique: techniqueRef(id, at) };
  });
}

/** contentctl's risk score: `impact * confidence / 100` (v4), or the highest risk object score (v5). */
function riskScoreOf(d: EscuDetection): number | undefined {
  if (typeof d.tags?.risk_score === 'number') return d.tags.risk_score;
  if (typeof d.tags?.impact === 'number' && typeof d.tags.confidence === 'number') return Math.round((d.tags.impact * d.tags.confidence) / 100);
  const scores = d.rba?.risk_objects?.map((o) => o.score) ?? [];
  return scores.length ? Math.max(...scores) : undefined;
}

/** Splunk ES's severity bands for a risk score (its "informational" band, below 20, is reported as low). */
function severityOf(score: number | undefined): string | undefined {
  if (score === undefined) return undefined;
  if (score >= 80) return 'critical';
  if (score >= 60) return 'high';
  if (score >= 40) return 'medium';
  return 'low';
}

function isoDay(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value;
}

export function loadEscuDetection(source: YamlSource, ctx: FileContext): FileLoad {
  const { file } = ctx;
  const problems = validateSchema('escu-detection', source.data, file, source.positions);
  if (problems.length) return failure(problems);
  const d = source.data as EscuDetection;
  if (NOT_DETECTIONS.has(String(d.type ?? '').toLowerCase())) return { rules: [], diagnostics: [], failed: false };
  const diagnostics: Diagnostic[] = [];

  const repo = contentRepositoryFor(ctx.absPath, ctx.root);
  const macros = repo ? mergeMacroTables(BUILTIN_MACROS, repo.macros) : BUILTIN_MACROS;
  const written = d.search.replace(/\r\n/g, '\n');
  const where = stringOrigin(source, ['search']) ?? { origin: source.positions.get('search') ?? { line: 1, column: 1 }, indent: 0 };
  let text = written;
  let sourceMap: { text: string; offsets: number[] } | undefined;
  try {
    const expanded = expandMacros(written, macros, builtinFallback);
    if (expanded.text !== written) {
      text = expanded.text;
      sourceMap = { text: written, offsets: expanded.offsets };
    }
  } catch (e) {
    // The compiler reports the same macro error at its position; the rule still loads.
    if (!(e instanceof MacroError)) throw e;
  }

  const tags = d.tags ?? {};
  const riskScore = riskScoreOf(d);
  const severity = severityOf(riskScore);
  const created = isoDay(d.creation_date ?? d.date);
  const updated = isoDay(d.modification_date ?? d.date);
  const rule: Rule = {
    id: d.id,
    name: d.name,
    version: typeof d.version === 'number' ? d.version : (ctx.locks.versionFor(d.id, ctx.absPath)?.version ?? null),
    format: 'splunk-escu',
    query: {
      language: 'spl',
      fieldView: 'cim',
      text,
      origin: where.origin,
      indent: where.indent,
      ...(sourceMap ? { written: sourceMap } : {}),
    },
    threat: threatOf(tags.mitre_attack_id ?? []),
    tags: [
      ...(tags.analytic_story ?? []).map((s) => `Analytic Story: ${s}`),
      ...(d.type ? [`Type: ${d.type}`] : []),
      ...(tags.asset_type ? [`Asset Type: ${tags.asset_type}`] : []),
      ...(tags.security_domain ? [`Security Domain: ${tags.security_domain}`] : []),
      ...(d.data_source ?? []).map((s) => `Data Source: ${s}`),
      ...(tags.cve ?? []).map((c) => `CVE: ${c}`),
    ],
    references: d.references ?? [],
    falsePositives: d.known_false_positives ? [d.known_false_positives] : [],
    author: (d.author ?? '').split(',').map((a) => a.trim()).filter(Boolean),
    tests: testsOf(d, ctx, source, repo?.attackData ?? [], diagnostics),
    historical: d.status === 'deprecated' || d.status === 'removed' || isHistoricalPath(file),
    source: { file, absPath: ctx.absPath, positions: source.positions },
    raw: source.data,
  };
  if (d.description) rule.description = d.description;
  if (severity) rule.severity = severity;
  if (riskScore !== undefined) rule.riskScore = riskScore;
  if (d.status) rule.status = d.status;
  if (created) rule.created = created;
  if (updated) rule.updated = updated;
  const license = repo ? repositoryLicense(repo.dir) : undefined;
  if (license) rule.license = license;
  return { rules: [rule], diagnostics, failed: false };
}

function testsOf(d: EscuDetection, ctx: FileContext, source: YamlSource, mappings: Parameters<typeof mapAttackData>[1], diagnostics: Diagnostic[]): TestCase[] {
  const out: TestCase[] = [];
  (d.tests ?? []).forEach((test, i) => {
    // Manual tests are run by a person; contentctl does not replay them either.
    if (test.test_type === 'manual') return;
    const entries = test.attack_data ?? [];
    entries.forEach((entry, j) => {
      const pos = source.positions.get(`tests.${i}.attack_data.${j}.data`) ?? source.positions.get(`tests.${i}`) ?? { line: 1, column: 1 };
      const mapped = mapAttackData(entry.data, mappings);
      if (!mapped.mapped && /^[a-z]+:\/\//i.test(entry.data)) {
        diagnostics.push({
          ...errorAt(ctx.file, pos, 'load/attack-data-url', `test "${test.name}": no local copy is configured for ${entry.data}`),
          severity: 'warning',
          hint: `Map its URL prefix to a local folder in ${ESCU_SETTINGS_FILE} at the content repository root (attack_data: [{from: …, to: datasets/…}]).`,
        });
      }
      out.push({
        name: entries.length > 1 ? `${test.name} [${j + 1}/${entries.length}]` : test.name,
        dataset: mapped.path,
        expect: 'fire',
        location: { file: ctx.file, line: pos.line, column: pos.column },
      });
    });
  });
  return out;
}

function repositoryLicense(dir: string): string | undefined {
  // security_content is Apache-2.0; a repository's own LICENSE file says what it is.
  for (const name of ['LICENSE', 'LICENSE.txt', 'LICENSE.md']) {
    const p = path.join(dir, name);
    if (existsSync(p)) return licenseCache.has(p) ? licenseCache.get(p) : detectLicense(p);
  }
  return undefined;
}

const licenseCache = new Map<string, string | undefined>();
function detectLicense(p: string): string | undefined {
  let text = '';
  try {
    text = readFileSync(p, 'utf8').slice(0, 2000);
  } catch {
    text = '';
  }
  const id = /Apache License[\s\S]{0,40}Version 2\.0/i.test(text) ? 'Apache-2.0' : /MIT License/i.test(text) ? 'MIT' : undefined;
  licenseCache.set(p, id);
  return id;
}

/** A macro file beside detections (`macros/*.yml`): validated, yields no rules. */
export function loadEscuMacroFile(_source: YamlSource, ctx: FileContext): FileLoad {
  const { diagnostics } = loadMacroFile(ctx.absPath, ctx.root);
  return { rules: [], diagnostics, failed: diagnostics.some((x) => x.severity === 'error') };
}

/** `ruleproof.escu.yml`: validated, yields no rules. */
export function loadEscuSettingsFile(source: YamlSource, ctx: FileContext): FileLoad {
  const diagnostics = validateSchema('escu-settings', source.data ?? {}, ctx.file, source.positions);
  return { rules: [], diagnostics, failed: diagnostics.length > 0 };
}

export function isEscuMacroDocument(d: Record<string, unknown>): boolean {
  return 'definition' in d && 'name' in d && !('search' in d) && !('detection' in d) && !('query' in d);
}

export function isEscuSettingsFile(file: string): boolean {
  return path.posix.basename(file) === ESCU_SETTINGS_FILE;
}
