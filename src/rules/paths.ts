/**
 * Where a model field lives in each format's own document, so that checks written against the
 * `Rule` model can point at the right line whatever the format.
 */
import type { SourceLocation } from '../util/diagnostics.js';
import { locate, type Rule, type RuleFormat } from './model.js';

export type ModelField =
  | 'id'
  | 'name'
  | 'version'
  | 'description'
  | 'severity'
  | 'riskScore'
  | 'tags'
  | 'references'
  | 'falsePositives'
  | 'author'
  | 'license'
  | 'status'
  | 'created'
  | 'updated'
  | 'threat'
  | 'query'
  | 'tests';

const PATHS: Partial<Record<RuleFormat, Record<ModelField, string>>> = {
  native: {
    id: 'id',
    name: 'name',
    version: 'version',
    description: 'description',
    severity: 'severity',
    riskScore: 'risk_score',
    tags: 'tags',
    references: 'references',
    falsePositives: 'false_positives',
    author: 'author',
    license: 'license',
    status: 'status',
    created: 'created',
    updated: 'updated',
    threat: 'threat',
    query: 'query.text',
    tests: 'tests',
  },
  'elastic-toml': {
    id: 'rule.rule_id',
    name: 'rule.name',
    version: 'rule.version',
    description: 'rule.description',
    severity: 'rule.severity',
    riskScore: 'rule.risk_score',
    tags: 'rule.tags',
    references: 'rule.references',
    falsePositives: 'rule.false_positives',
    author: 'rule.author',
    license: 'rule.license',
    status: 'metadata.maturity',
    created: 'metadata.creation_date',
    updated: 'metadata.updated_date',
    threat: 'rule.threat',
    query: 'rule.query',
    tests: 'tests',
  },
};

/** The dotted path of a model field in the rule's own document (for `locate`). */
export function fieldPath(rule: Rule, field: ModelField): string {
  return PATHS[rule.format]?.[field] ?? field;
}

/**
 * Where a field of one of the rule's tests is written (`dataset`, `expect`, …): in the rule file for
 * inline tests, in the sidecar for sidecar tests; the test's own location when the field is absent.
 */
export function locateTestField(rule: Rule, testIndex: number, field: string): SourceLocation {
  const test = rule.tests[testIndex];
  if (!test) return locate(rule, fieldPath(rule, 'tests'));
  const sameFile = rule.tests.slice(0, testIndex).filter((t) => t.location.file === test.location.file).length;
  const positions = test.location.file === rule.source.testsFile ? rule.source.testsPositions : rule.source.positions;
  const pos = positions?.get(`tests.${sameFile}.${field}`);
  return pos ? { file: test.location.file, line: pos.line, column: pos.column } : test.location;
}
