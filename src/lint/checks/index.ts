/** Every built-in check, in documentation order. */
import type { LintCheck } from '../types.js';
import { attackDeprecated } from './attack-deprecated.js';
import { attackNameMismatch } from './attack-name-mismatch.js';
import { attackSubtechniqueParent } from './attack-subtechnique-parent.js';
import { attackTacticMismatch } from './attack-tactic-mismatch.js';
import { attackUnknownId } from './attack-unknown-id.js';
import { duplicateIdVersion } from './duplicate-id-version.js';
import { nameConflict } from './name-conflict.js';
import { queryUnknownField } from './query-unknown-field.js';
import { severityRiskBand } from './severity-risk-band.js';

export const BUILTIN_CHECKS: readonly LintCheck[] = [
  duplicateIdVersion,
  nameConflict,
  severityRiskBand,
  attackUnknownId,
  attackNameMismatch,
  attackTacticMismatch,
  attackDeprecated,
  attackSubtechniqueParent,
  queryUnknownField,
];
