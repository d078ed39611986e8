/**
 * The version policy's split of a rule into what changes its behaviour (what it matches, where, how
 * its alerts look) and metadata (words about it, its mappings, its tests). A behaviour change needs a
 * version increase; a metadata-only change does not. The content hash of `ruleproof.lock.json` is
 * taken over the behaviour fields only, so it changes exactly when a bump is due.
 */
import { createHash } from 'node:crypto';
import type { Rule } from '../rules/model.js';

/**
 * Fields of Elastic's TOML `[rule]` table (other than the query) that change what the rule matches,
 * over which data, or what its alerts carry. Everything else there (name, description, note, setup,
 * references, tags, threat, author, …) is metadata.
 */
export const ELASTIC_BEHAVIOUR_KEYS = [
  'type',
  'index',
  'data_view_id',
  'filters',
  'from',
  'interval',
  'max_signals',
  'threshold',
  'new_terms',
  'history_window_start',
  'machine_learning_job_id',
  'anomaly_threshold',
  'threat_index',
  'threat_query',
  'threat_mapping',
  'threat_language',
  'threat_filters',
  'threat_indicator_path',
  'concurrent_searches',
  'items_per_search',
  'exceptions_list',
  'alert_suppression',
  'timestamp_override',
  'timestamp_override_fallback_disabled',
  'event_category_override',
  'tiebreaker_field',
  'timestamp_field',
  'building_block_type',
] as const;

/** Splunk ESCU keys (besides the search, which is the query) that change how the analytic runs. */
const ESCU_BEHAVIOUR_KEYS = ['type'] as const;

export interface BehaviourFields {
  /** The query with comments dropped and whitespace runs collapsed, so re-indentation is not a change. */
  query: string;
  language: string;
  fieldView: string;
  dialect: string | null;
  severity: string | null;
  riskScore: number | null;
  /** Format-specific behaviour keys present in the rule (Elastic `[rule]` keys, ESCU keys). */
  extra: Record<string, unknown>;
}

export interface MetadataFields {
  name: string;
  description: string | null;
  threat: unknown[];
  tags: string[];
  references: string[];
  falsePositives: string[];
  author: string[];
  license: string | null;
  status: string | null;
  created: string | null;
  updated: string | null;
  tests: unknown[];
}

/**
 * Drop comments and collapse whitespace outside string literals. Quoted strings (`"…"`, `'…'`,
 * `"""…"""`, and backquoted field names) are copied as they are, since their spaces are content.
 */
export function normalizeQueryText(text: string): string {
  let out = '';
  let i = 0;
  let pendingSpace = false;
  const emit = (s: string) => {
    if (pendingSpace && out.length) out += ' ';
    pendingSpace = false;
    out += s;
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      pendingSpace = true;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      pendingSpace = true;
      continue;
    }
    if (/\s/.test(c)) {
      pendingSpace = true;
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const triple = c === '"' && text.startsWith('"""', i);
      const close = triple ? '"""' : c;
      let j = i + close.length;
      while (j < text.length && !text.startsWith(close, j)) j += text[j] === '\\' && !triple ? 2 : 1;
      emit(text.slice(i, Math.min(text.length, j + close.length)));
      i = j + close.length;
      continue;
    }
    emit(c);
    i++;
  }
  return out;
}

function pick(source: unknown, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!source || typeof source !== 'object') return out;
  for (const k of keys) {
    const v = (source as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function behaviourOf(rule: Rule): BehaviourFields {
  let extra: Record<string, unknown> = {};
  if (rule.format === 'elastic-toml') extra = pick((rule.raw as { rule?: unknown } | undefined)?.rule, ELASTIC_BEHAVIOUR_KEYS);
  else if (rule.format === 'splunk-escu') extra = pick(rule.raw, ESCU_BEHAVIOUR_KEYS);
  return {
    query: normalizeQueryText(rule.query.text),
    language: rule.query.language,
    fieldView: rule.query.fieldView,
    dialect: rule.query.dialect ?? null,
    severity: rule.severity ?? null,
    riskScore: rule.riskScore ?? null,
    extra,
  };
}

export function metadataOf(rule: Rule): MetadataFields {
  return {
    name: rule.name,
    description: rule.description?.trim() ?? null,
    threat: rule.threat.map((m) => ({
      tactic: m.tactic ? { id: m.tactic.id, name: m.tactic.name } : null,
      technique: m.technique ? { id: m.technique.id, name: m.technique.name } : null,
      subtechnique: m.subtechnique ? { id: m.subtechnique.id, name: m.subtechnique.name } : null,
    })),
    tags: rule.tags,
    references: rule.references,
    falsePositives: rule.falsePositives,
    author: rule.author,
    license: rule.license ?? null,
    status: rule.status ?? null,
    created: rule.created ?? null,
    updated: rule.updated ?? null,
    tests: rule.tests.map((t) => ({ name: t.name, dataset: t.dataset, expect: t.expect, count: t.count ?? null, match: t.match ?? null, reason: t.reason ?? null })),
  };
}

/** JSON with object keys sorted, so equal content always serializes (and hashes) the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** sha256 of the behaviour fields: what `ruleproof.lock.json` records. */
export function behaviourHash(rule: Rule): string {
  return createHash('sha256').update(canonicalJson(behaviourOf(rule))).digest('hex');
}

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

/** Field-by-field differences, one level into `extra` so a changed Elastic key is named. */
export function diffFields<T extends object>(a: T, b: T, prefix = ''): FieldChange[] {
  const out: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const va = (a as Record<string, unknown>)[key];
    const vb = (b as Record<string, unknown>)[key];
    if (key === 'extra' && va && vb && typeof va === 'object' && typeof vb === 'object') {
      out.push(...diffFields(va as object, vb as object, `${prefix}${key}.`));
      continue;
    }
    if (canonicalJson(va) !== canonicalJson(vb)) out.push({ field: `${prefix}${key}`, old: va ?? null, new: vb ?? null });
  }
  return out;
}
