/**
 * Field views (DESIGN.md, "Canonical event"): how names written in a rule's schema bind to canonical
 * event fields and their types. The engine asks once per field, at compile time.
 */
import type { FieldView } from '../../rules/model.js';
import type { FieldBinder } from '../types.js';
import { ecsBinder } from './ecs.js';
import { sysmonBinder } from './sysmon.js';
import { cimBinder } from './cim.js';
import { sigmaBinder } from './sigma.js';
import { endgameBinder } from './endgame.js';
import { logpointBinder } from './logpoint.js';

export { ecsBinder, ecsFieldType, ecsFieldNames } from './ecs.js';
export { sysmonBinder, SYSMON_TO_ECS } from './sysmon.js';
export { cimBinder, cimFieldNames } from './cim.js';
export { endgameBinder, endgameFieldNames } from './endgame.js';
export { logpointBinder, logpointFieldNames } from './logpoint.js';

const BINDERS: Partial<Record<FieldView, FieldBinder>> = {
  ecs: ecsBinder,
  sysmon: sysmonBinder,
  // Sigma names read the raw record (winlog.*); logsource renames are applied by the Sigma compiler.
  sigma: sigmaBinder,
  cim: cimBinder,
  endgame: endgameBinder,
  logpoint: logpointBinder,
};

/**
 * The binder of a field view. A view not built yet binds as ECS, so that
 * canonical names still work and every other name is reported as unknown rather than silently dropped.
 */
export function binderFor(view: FieldView): FieldBinder {
  return BINDERS[view] ?? { name: view, bind: (name) => ecsBinder.bind(name) };
}
