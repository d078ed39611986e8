/**
 * Where a model field lives in each format's own document, so that checks written against the
 * `Rule` model can point at the right line whatever the format.
 */
import type { Rule, RuleFormat } from './model.js';

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
