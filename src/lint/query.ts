/** Queries compiled once per lint run, shared by every query check. */
import { compileQuery } from '../engine/index.js';
import type { CompileResult } from '../engine/types.js';
import { ecsFieldNames, SYSMON_TO_ECS } from '../events/views/index.js';
import type { FieldView, Rule } from '../rules/model.js';
import type { LintContext } from './types.js';

/** A compile result, or the message of an engine failure (a bug, reported rather than thrown). */
export type CompileOutcome = CompileResult | { ok: false; crashed: string };

export function compiledQuery(rule: Rule, context: LintContext): CompileOutcome {
  const cache = context.memo('compiled-queries', () => new Map<Rule, CompileOutcome>());
  let outcome = cache.get(rule);
  if (!outcome) {
    try {
      outcome = compileQuery(rule.query.text, {
        language: rule.query.language,
        fieldView: rule.query.fieldView,
        ...(rule.query.dialect ? { dialect: rule.query.dialect } : {}),
      });
    } catch (e) {
      outcome = { ok: false, crashed: (e as Error).message };
    }
    cache.set(rule, outcome);
  }
  return outcome;
}

/** Field names a view knows, for "did you mean" hints. */
export function knownFieldNames(view: FieldView, context: LintContext): readonly string[] {
  return context.memo(`field-names:${view}`, () => {
    if (view === 'sysmon' || view === 'sigma') return [...Object.keys(SYSMON_TO_ECS), ...ecsFieldNames()];
    return ecsFieldNames();
  });
}
