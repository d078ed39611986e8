/**
 * MITRE CAR analytics (mitre-attack/car `analytics/*.yaml`) → one `Rule` per executable
 * implementation: `EQL` (legacy EQL on the endgame field view), `LogPoint` (the logpoint view) and
 * `Splunk` (raw SPL over Sysmon names). Pseudocode and languages ruleproof cannot run are reported as
 * not executable (an info diagnostic), never as passing. Every implementation of an analytic shares
 * its id and its sidecar tests, so all of them must pass the same tests; a rule's `implementation`
 * (and its name suffix, for `--rule`) says which one it is.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAttackCatalogue, type AttackCatalogue } from '../lint/attack/catalogue.js';
import type { Diagnostic } from '../util/diagnostics.js';
import { failure, isHistoricalPath, isoDate, type FileContext, type FileLoad } from './common.js';
import { validateSchema } from './macros-schema.js';
import type { AttackRef, FieldView, QueryLanguage, Rule, ThreatMapping } from './model.js';
import { stringOrigin, type YamlSource } from './yaml-source.js';

interface CarAnalytic {
  id: string;
  title: string;
  submission_date?: string;
  information_domain?: string;
  platforms?: string[];
  subtypes?: string[];
  analytic_types?: string[];
  contributors?: string[];
  description?: string;
  references?: string[];
  coverage?: Array<{ technique: string; tactics?: string[]; subtechniques?: string[]; coverage?: string }>;
  implementations: Array<{ name?: string; description?: string; code: string; type: string; data_model?: string }>;
  data_model_references?: string[];
}

/** How each executable implementation type runs. */
export const CAR_IMPLEMENTATIONS: Readonly<Record<string, { language: QueryLanguage; fieldView: FieldView; dialect?: string }>> = {
  eql: { language: 'eql', fieldView: 'endgame', dialect: 'endgame' },
  logpoint: { language: 'logpoint', fieldView: 'logpoint' },
  splunk: { language: 'spl', fieldView: 'cim' },
};

let catalogue: AttackCatalogue | null | undefined;
function attack(): AttackCatalogue | null {
  if (catalogue === undefined) {
    try {
      catalogue = loadAttackCatalogue('18.1');
    } catch {
      catalogue = null;
    }
  }
  return catalogue;
}

function ref(id: string, kind: 'tactic' | 'technique', at: string): AttackRef {
  const entry = kind === 'tactic' ? attack()?.tactic(id) : attack()?.technique(id);
  return { id, name: entry?.name ?? id, path: at };
}

/** `coverage[]` → one mapping per tactic and (sub-)technique, names from the ATT&CK catalogue. */
function threatOf(coverage: CarAnalytic['coverage']): ThreatMapping[] {
  const out: ThreatMapping[] = [];
  (coverage ?? []).forEach((c, i) => {
    const tactics = c.tactics?.length ? c.tactics : [undefined];
    tactics.forEach((tactic, j) => {
      const base: ThreatMapping = { framework: 'MITRE ATT&CK', technique: ref(c.technique, 'technique', `coverage.${i}.technique`) };
      if (tactic) base.tactic = ref(tactic, 'tactic', `coverage.${i}.tactics.${j}`);
      if (!c.subtechniques?.length) out.push(base);
      c.subtechniques?.forEach((s, k) => out.push({ ...base, subtechnique: ref(s, 'technique', `coverage.${i}.subtechniques.${k}`) }));
    });
  });
  return out;
}

function licenseNear(absPath: string): string | undefined {
  let dir = path.dirname(absPath);
  for (let n = 0; n < 3; n++) {
    for (const name of ['LICENSE.txt', 'LICENSE', 'LICENSE.md']) {
      const p = path.join(dir, name);
      if (existsSync(p)) {
        const text = readFileSync(p, 'utf8').slice(0, 2000);
        if (/Apache License[\s\S]{0,40}Version 2\.0/i.test(text)) return 'Apache-2.0';
      }
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

export function loadCarAnalytic(source: YamlSource, ctx: FileContext): FileLoad {
  const { file } = ctx;
  const problems = validateSchema('car-analytic', source.data, file, source.positions);
  if (problems.length) return failure(problems);
  const a = source.data as CarAnalytic;
  const diagnostics: Diagnostic[] = [];
  const threat = threatOf(a.coverage);
  const license = licenseNear(ctx.absPath);
  const rules: Rule[] = [];
  const seen = new Set<string>();
  a.implementations.forEach((impl, i) => {
    const kind = CAR_IMPLEMENTATIONS[impl.type.toLowerCase()];
    const pos = source.positions.get(`implementations.${i}.type`) ?? source.positions.get(`implementations.${i}`) ?? { line: 1, column: 1 };
    if (!kind) {
      diagnostics.push({
        file,
        line: pos.line,
        column: pos.column,
        severity: 'info',
        code: 'load/not-executable',
        message: `implementation ${i + 1} of ${a.id} (${impl.type}) is not executable: it documents the analytic and is not run`,
        hint: `ruleproof runs the ${Object.keys(CAR_IMPLEMENTATIONS).map((k) => (k === 'eql' ? 'EQL' : k === 'logpoint' ? 'LogPoint' : 'Splunk')).join(', ')} implementations.`,
      });
      return;
    }
    // Two implementations of one type would be indistinguishable: number the later ones.
    let label = impl.type;
    for (let n = 2; seen.has(label.toLowerCase()); n++) label = `${impl.type} ${n}`;
    seen.add(label.toLowerCase());
    const where = stringOrigin(source, ['implementations', i, 'code']) ?? { origin: pos, indent: 0 };
    const rule: Rule = {
      id: a.id,
      name: `${a.title} (${label})`,
      version: ctx.locks.versionFor(a.id, ctx.absPath)?.version ?? null,
      format: 'mitre-car',
      implementation: label,
      query: {
        language: kind.language,
        fieldView: kind.fieldView,
        ...(kind.dialect ? { dialect: kind.dialect } : {}),
        text: impl.code.replace(/\r\n/g, '\n').replace(/\n+$/, ''),
        origin: where.origin,
        indent: where.indent,
      },
      threat,
      tags: [
        ...(a.platforms ?? []).map((p) => `Platform: ${p}`),
        ...(a.analytic_types ?? []).map((t) => `Analytic Type: ${t}`),
        ...(a.subtypes ?? []).map((t) => `Subtype: ${t}`),
        ...(a.information_domain ? [`Information Domain: ${a.information_domain}`] : []),
        ...(impl.data_model ? [`Data Model: ${impl.data_model}`] : []),
      ],
      references: a.references ?? [],
      falsePositives: [],
      author: a.contributors ?? [],
      tests: [],
      historical: isHistoricalPath(file),
      source: { file, absPath: ctx.absPath, positions: source.positions },
      raw: source.data,
    };
    const description = [a.description?.trim(), impl.description?.trim()].filter(Boolean).join('\n\n');
    if (description) rule.description = description;
    const created = isoDate(a.submission_date);
    if (created) rule.created = created;
    if (license) rule.license = license;
    rules.push(rule);
  });
  if (!rules.length) {
    diagnostics.push({
      file,
      line: source.positions.get('implementations')?.line ?? 1,
      column: source.positions.get('implementations')?.column ?? 1,
      severity: 'warning',
      code: 'load/not-executable',
      message: `${a.id} has no executable implementation: nothing of it can be tested`,
      hint: 'Add an EQL, LogPoint or Splunk implementation.',
    });
  }
  return { rules, diagnostics, failed: false };
}

/** A CAR data-model document (`data_model/*.yaml`): not a rule. */
export function isCarDataModel(d: Record<string, unknown>): boolean {
  return 'actions' in d && 'fields' in d && 'name' in d && !('implementations' in d);
}

export function loadCarDataModel(): FileLoad {
  return { rules: [], diagnostics: [], failed: false };
}
