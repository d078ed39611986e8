/**
 * Reading an Elastic rule's KQL-related parameters from its TOML `[rule]` table: `type`, `from`
 * (look-back window), `[rule.threshold]`, `[rule.new_terms]`, and the exception list items that apply
 * to it, from detection-rules' "detections as code" exception files (`exceptions/**\/*.toml`, each with
 * `[[exceptions]]` containers and their `[[exceptions.items]]`), found in the nearest `exceptions`
 * folder above the rule. A list applies when the rule's `exceptions_list` names its `list_id`, or the
 * file's `[metadata] rule_ids` names the rule.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { kqlRuleDialect, lookbackMs, type ExceptionEntry, type ExceptionItem, type KqlRuleParams } from './rule-types.js';

interface ExceptionList {
  listId: string;
  ruleIds: string[];
  items: ExceptionItem[];
  file: string;
}

const listCache = new Map<string, ExceptionList[]>();
/** `exceptions` folders found to hold no list: every rule below them would glob them again. */
const emptyCandidates = new Set<string>();

function asTable(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function toEntries(raw: unknown): ExceptionEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.map(asTable).filter((e): e is Record<string, unknown> => !!e).map((e) => ({
    field: String(e.field ?? ''),
    type: String(e.type ?? 'match') as ExceptionEntry['type'],
    ...(e.operator !== undefined ? { operator: String(e.operator) as 'included' | 'excluded' } : {}),
    ...(e.value !== undefined ? { value: Array.isArray(e.value) ? e.value.map(String) : String(e.value) } : {}),
    ...(e.entries !== undefined ? { entries: toEntries(e.entries) } : {}),
  }));
}

/** Exception lists of the nearest `exceptions` folder between the rule's folder and the root. */
export function exceptionListsNear(ruleAbsPath: string, root: string): ExceptionList[] {
  const top = path.resolve(root);
  let dir = path.dirname(path.resolve(ruleAbsPath));
  for (;;) {
    const candidate = path.join(dir, 'exceptions');
    const cached = listCache.get(candidate);
    if (cached) return cached;
    const files = emptyCandidates.has(candidate) ? [] : fg.sync('**/*.toml', { cwd: candidate, absolute: true, suppressErrors: true }).sort();
    if (!files.length) emptyCandidates.add(candidate);
    if (files.length) {
      const lists: ExceptionList[] = [];
      for (const f of files) {
        try {
          const data = getStaticTOMLValue(parseTOML(readFileSync(f, 'utf8'))) as Record<string, unknown>;
          const meta = asTable(data.metadata) ?? {};
          const ruleIds = Array.isArray(meta.rule_ids) ? meta.rule_ids.map(String) : [];
          for (const ex of Array.isArray(data.exceptions) ? data.exceptions : []) {
            const table = asTable(ex);
            const container = asTable(table?.container);
            const items = (Array.isArray(table?.items) ? table.items : []).map(asTable).filter((i): i is Record<string, unknown> => !!i);
            lists.push({
              listId: String(container?.list_id ?? meta.list_id ?? ''),
              ruleIds,
              file: f,
              items: items.map((i) => ({ ...(typeof i.name === 'string' ? { name: i.name } : {}), entries: toEntries(i.entries) })),
            });
          }
        } catch {
          // A broken exceptions file is reported by lint, not by every rule that might use it.
        }
      }
      listCache.set(candidate, lists);
      return lists;
    }
    const up = path.dirname(dir);
    if (dir === top || up === dir || !path.resolve(up).startsWith(top)) return [];
    dir = up;
  }
}

/**
 * The dialect string for a KQL rule (threshold/new_terms parameters, window, exceptions), or
 * undefined for a plain query rule without exceptions.
 */
export function elasticKqlDialect(rule: Record<string, unknown>, ruleId: string, ruleAbsPath: string, root: string): string | undefined {
  const type = typeof rule.type === 'string' ? rule.type : 'query';
  const params: KqlRuleParams = { type, windowMs: lookbackMs(typeof rule.from === 'string' ? rule.from : undefined, 6 * 60_000) };
  const threshold = asTable(rule.threshold);
  if (type === 'threshold' && threshold) {
    const field = Array.isArray(threshold.field) ? threshold.field.map(String) : typeof threshold.field === 'string' && threshold.field ? [threshold.field] : [];
    const cardinality = (Array.isArray(threshold.cardinality) ? threshold.cardinality : []).map(asTable).filter((c): c is Record<string, unknown> => !!c);
    params.threshold = {
      field,
      value: Number(threshold.value ?? 1),
      ...(cardinality.length ? { cardinality: cardinality.map((c) => ({ field: String(c.field), value: Number(c.value) })) } : {}),
    };
  }
  const newTerms = asTable(rule.new_terms);
  if (type === 'new_terms' && newTerms) {
    const fields = Array.isArray(newTerms.value) ? newTerms.value.map(String) : [];
    const history = (Array.isArray(newTerms.history_window_start) ? newTerms.history_window_start : []).map(asTable).find((h) => h?.field === 'history_window_start');
    params.newTerms = { fields, historyWindowMs: lookbackMs(typeof history?.value === 'string' ? history.value : undefined, 7 * 86_400_000) };
  }
  const referenced = new Set(
    (Array.isArray(rule.exceptions_list) ? rule.exceptions_list : []).map(asTable).map((e) => String(e?.list_id ?? '')).filter(Boolean),
  );
  const lists = exceptionListsNear(ruleAbsPath, root).filter((l) => referenced.has(l.listId) || l.ruleIds.includes(ruleId));
  const items = lists.flatMap((l) => l.items);
  if (items.length) params.exceptions = items;
  if ((type === 'query' || type === 'saved_query') && !items.length) return undefined;
  return kqlRuleDialect(params);
}
