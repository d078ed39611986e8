/** Every built-in check, in documentation order. */
import type { LintCheck } from '../types.js';
import { attackDeprecated } from './attack-deprecated.js';
import { attackNameMismatch } from './attack-name-mismatch.js';
import { attackPlatformMismatch } from './attack-platform-mismatch.js';
import { attackReferenceUrl } from './attack-reference-url.js';
import { attackSubtechniqueParent } from './attack-subtechnique-parent.js';
import { attackTacticMismatch } from './attack-tactic-mismatch.js';
import { attackTacticOnce } from './attack-tactic-once.js';
import { attackTacticTags } from './attack-tactic-tags.js';
import { attackUnknownId } from './attack-unknown-id.js';
import { attackVersion } from './attack-version.js';
import { duplicateIdVersion } from './duplicate-id-version.js';
import { metadataDates } from './metadata-dates.js';
import { metadataReferences } from './metadata-references.js';
import { metadataRequired } from './metadata-required.js';
import { nameConflict } from './name-conflict.js';
import { queryCasePitfall } from './query-case-pitfall.js';
import { queryContradiction } from './query-contradiction.js';
import { queryDuplicateCondition } from './query-duplicate-condition.js';
import { queryRegexSafety } from './query-regex-safety.js';
import { querySequenceMaxspan } from './query-sequence-maxspan.js';
import { querySyntax } from './query-syntax.js';
import { queryUnknownField } from './query-unknown-field.js';
import { ruleValues } from './rule-values.js';
import { schemaElasticKeys } from './schema-elastic-keys.js';
import { severityRiskBand } from './severity-risk-band.js';
import { sigmaCondition } from './sigma-condition.js';
import { sigmaLogsourceFields } from './sigma-logsource-fields.js';
import { sigmaMetadata } from './sigma-metadata.js';
import { sigmaModifiers } from './sigma-modifiers.js';
import { testsDatasetExists } from './tests-dataset-exists.js';
import { testsPresent, testsQuietForFalsePositives } from './tests-coverage.js';

export const BUILTIN_CHECKS: readonly LintCheck[] = [
  duplicateIdVersion,
  nameConflict,
  ruleValues,
  schemaElasticKeys,
  severityRiskBand,
  metadataRequired,
  metadataDates,
  metadataReferences,
  attackUnknownId,
  attackNameMismatch,
  attackTacticMismatch,
  attackDeprecated,
  attackSubtechniqueParent,
  attackReferenceUrl,
  attackTacticOnce,
  attackTacticTags,
  attackPlatformMismatch,
  attackVersion,
  querySyntax,
  queryUnknownField,
  querySequenceMaxspan,
  queryRegexSafety,
  queryContradiction,
  queryDuplicateCondition,
  queryCasePitfall,
  testsPresent,
  testsQuietForFalsePositives,
  testsDatasetExists,
  sigmaMetadata,
  sigmaCondition,
  sigmaModifiers,
  sigmaLogsourceFields,
];
