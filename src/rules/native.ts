/** ruleproof's native YAML rule format (DESIGN.md, "Native rule format"; the JSON Schema defines it). */
import { errorAt, failure, isHistoricalPath, isoDate, stringList, type FileContext, type FileLoad } from './common.js';
import type { AttackRef, FieldView, QueryLanguage, Rule, ThreatMapping } from './model.js';
import { toTestCases } from './tests.js';
import { validateAgainst } from './validate.js';
import { stringOrigin, type YamlSource } from './yaml-source.js';

interface NativeAttackRef {
  id: string;
  name: string;
  reference?: string;
}

interface NativeRule {
  id: string;
  version?: number;
  name: string;
  description?: string;
  author?: string[];
  license?: string;
  status?: string;
  severity?: string;
  risk_score?: number;
  tags?: string[];
  references?: string[];
  false_positives?: string[];
  created?: string;
  updated?: string;
  threat?: Array<{ framework?: string; tactic: NativeAttackRef; technique?: NativeAttackRef; subtechnique?: NativeAttackRef }>;
  query: { language: QueryLanguage; field_view?: FieldView; dialect?: string; text: string };
  tests?: unknown[];
}

export function loadNative(source: YamlSource, ctx: FileContext): FileLoad {
  const { file } = ctx;
  if (source.data === null || source.data === undefined) {
    return failure([errorAt(file, { line: 1, column: 1 }, 'load/schema', 'the rule file is empty', 'Write a rule: id, name, query and tests at least.')]);
  }
  const problems = validateAgainst('native-rule', source.data, file, source.positions);
  if (problems.length) return failure(problems);
  const raw = source.data as NativeRule;

  const ref = (r: NativeAttackRef | undefined, path: string): AttackRef | undefined =>
    r ? { id: r.id, name: r.name, ...(r.reference ? { reference: r.reference } : {}), path } : undefined;
  const threat: ThreatMapping[] = (raw.threat ?? []).map((t, i) => {
    const entry: ThreatMapping = {};
    if (t.framework) entry.framework = t.framework;
    const tactic = ref(t.tactic, `threat.${i}.tactic`);
    const technique = ref(t.technique, `threat.${i}.technique`);
    const subtechnique = ref(t.subtechnique, `threat.${i}.subtechnique`);
    if (tactic) entry.tactic = tactic;
    if (technique) entry.technique = technique;
    if (subtechnique) entry.subtechnique = subtechnique;
    return entry;
  });

  const where = stringOrigin(source, ['query', 'text']) ?? { origin: source.positions.get('query.text') ?? { line: 1, column: 1 }, indent: 0 };
  let version: number | null = raw.version ?? null;
  if (version === null) version = ctx.locks.versionFor(raw.id, ctx.absPath)?.version ?? null;

  const rule: Rule = {
    id: raw.id,
    name: raw.name,
    version,
    format: 'native',
    query: {
      language: raw.query.language,
      fieldView: raw.query.field_view ?? 'ecs',
      ...(raw.query.dialect ? { dialect: raw.query.dialect } : {}),
      text: raw.query.text.replace(/\r\n/g, '\n'),
      origin: where.origin,
      indent: where.indent,
    },
    threat,
    tags: stringList(raw.tags),
    references: stringList(raw.references),
    falsePositives: stringList(raw.false_positives),
    author: stringList(raw.author),
    tests: toTestCases(raw.tests, file, source.positions),
    historical: raw.status === 'history' || isHistoricalPath(file),
    source: { file, absPath: ctx.absPath, positions: source.positions },
    raw,
  };
  if (raw.description !== undefined) rule.description = raw.description;
  if (raw.severity !== undefined) rule.severity = raw.severity;
  if (raw.risk_score !== undefined) rule.riskScore = raw.risk_score;
  if (raw.license !== undefined) rule.license = raw.license;
  if (raw.status !== undefined) rule.status = raw.status;
  const created = isoDate(raw.created);
  const updated = isoDate(raw.updated);
  if (created) rule.created = created;
  if (updated) rule.updated = updated;
  return { rules: [rule], diagnostics: [], failed: false };
}
