import { closest } from '../../rules/validate.js';
import type { Finding, LintCheck } from '../types.js';

/**
 * The keys Elastic's detection-rules accepts (its marshmallow dataclasses in detection_rules/rule.py:
 * BaseRuleData and the per-type QueryRuleData, EQLRuleData, ThresholdQueryRuleData, NewTermsRuleData,
 * MachineLearningRuleData, ThreatMatchRuleData, ESQLRuleData; RuleMeta for [metadata]). detection-rules
 * rejects any other key when it loads a rule, so a misspelt key fails their CI but would pass ours.
 */
const RULE_KEYS = [
  // BaseRuleData
  'actions', 'author', 'building_block_type', 'description', 'enabled', 'exceptions_list', 'false_positives', 'filters',
  'from', 'interval', 'investigation_fields', 'license', 'max_signals', 'meta', 'name', 'note', 'references',
  'related_integrations', 'required_fields', 'response_actions', 'revision', 'risk_score', 'risk_score_mapping', 'rule_id',
  'rule_name_override', 'setup', 'severity', 'severity_mapping', 'tags', 'threat', 'throttle', 'timeline_id',
  'timeline_title', 'timestamp_override', 'to', 'type', 'version',
  // query, eql, esql, threshold, new_terms
  'query', 'language', 'index', 'data_view_id', 'alert_suppression', 'timestamp_field', 'event_category_override',
  'tiebreaker_field', 'threshold', 'new_terms',
  // machine_learning
  'anomaly_threshold', 'machine_learning_job_id',
  // threat_match
  'concurrent_searches', 'items_per_search', 'threat_filters', 'threat_index', 'threat_indicator_path', 'threat_language',
  'threat_mapping', 'threat_query',
];
const METADATA_KEYS = [
  'bypass_bbr_timing', 'comments', 'creation_date', 'deprecation_date', 'integration', 'maturity', 'min_stack_comments',
  'min_stack_version', 'promotion', 'query_schema_validation', 'updated_date',
];
const TOP_KEYS = ['metadata', 'rule', 'transform'];
const THREAT_KEYS = ['framework', 'tactic', 'technique'];
const TECHNIQUE_KEYS = ['id', 'name', 'reference', 'subtechnique'];
const REF_KEYS = ['id', 'name', 'reference'];

function unknownKeys(value: unknown, known: readonly string[], path: string, where: string, out: Finding[]): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const guess = closest(key, [...known]);
    out.push({
      path: path ? `${path}.${key}` : key,
      message: `unknown key "${key}" in ${where}; Elastic's detection-rules rejects it`,
      hint: guess ? `Did you mean "${guess}"?` : `Keys allowed in ${where}: ${known.join(', ')}.`,
    });
  }
}

export const schemaElasticKeys: LintCheck = {
  id: 'schema/elastic-unknown-key',
  defaultSeverity: 'error',
  formats: ['elastic-toml'],
  docs: {
    description:
      'Elastic TOML rules may use only the keys detection-rules knows: the top-level tables [metadata], [rule] and ' +
      '[transform], the [rule] fields of every rule type (BaseRuleData and the type-specific dataclasses), the [metadata] ' +
      'fields, and id/name/reference (plus technique and subtechnique) inside [[rule.threat]]. detection-rules refuses any ' +
      'other key, so a typo such as "false_positive" or "referneces" is found here, with the closest known key.',
  },
  check(rule) {
    const doc = rule.raw as Record<string, unknown> | undefined;
    if (!doc || typeof doc !== 'object') return [];
    const findings: Finding[] = [];
    unknownKeys(doc, TOP_KEYS, '', 'the rule file', findings);
    unknownKeys(doc.metadata, METADATA_KEYS, 'metadata', '[metadata]', findings);
    const body = doc.rule as Record<string, unknown> | undefined;
    unknownKeys(body, RULE_KEYS, 'rule', '[rule]', findings);
    const threats = Array.isArray(body?.threat) ? (body!.threat as unknown[]) : [];
    threats.forEach((threat, i) => {
      const at = `rule.threat.${i}`;
      unknownKeys(threat, THREAT_KEYS, at, '[[rule.threat]]', findings);
      const t = threat as Record<string, unknown>;
      unknownKeys(t?.tactic, REF_KEYS, `${at}.tactic`, '[rule.threat.tactic]', findings);
      const techniques = Array.isArray(t?.technique) ? (t.technique as unknown[]) : [];
      techniques.forEach((technique, j) => {
        unknownKeys(technique, TECHNIQUE_KEYS, `${at}.technique.${j}`, '[[rule.threat.technique]]', findings);
        const subs = Array.isArray((technique as Record<string, unknown>)?.subtechnique) ? ((technique as Record<string, unknown>).subtechnique as unknown[]) : [];
        subs.forEach((sub, k) => unknownKeys(sub, REF_KEYS, `${at}.technique.${j}.subtechnique.${k}`, '[[rule.threat.technique.subtechnique]]', findings));
      });
    });
    return findings;
  },
};
