/** rule/* checks, RuleTester style: valid and invalid cases over real files. */
import t from 'tap';
import { duplicateIdVersion } from '../../src/lint/checks/duplicate-id-version.js';
import { nameConflict } from '../../src/lint/checks/name-conflict.js';
import { severityRiskBand } from '../../src/lint/checks/severity-risk-band.js';
import { nativeRule, runCheckCases } from './rule-tester.js';

const ID_A = '11111111-1111-4111-8111-111111111111';
const ID_B = '22222222-2222-4222-8222-222222222222';

const elastic = (fields: { id: string; name: string; severity?: string; risk?: number; version?: number }) => `[metadata]
creation_date = "2024/01/01"

[rule]
name = "${fields.name}"
rule_id = "${fields.id}"
type = "eql"
language = "eql"
${fields.severity ? `severity = "${fields.severity}"\n` : ''}${fields.risk !== undefined ? `risk_score = ${fields.risk}\n` : ''}${fields.version !== undefined ? `version = ${fields.version}\n` : ''}query = '''
process where true
'''
`;

t.test('rule/duplicate-id-version', (t) =>
  runCheckCases(t, duplicateIdVersion, {
    valid: [
      { name: 'one rule', files: { 'a.yml': nativeRule({ id: ID_A }) } },
      {
        name: 'two versions of one rule',
        files: { 'a.yml': nativeRule({ id: ID_A, version: 2 }), 'history/a_v1.yml': nativeRule({ id: ID_A, version: 1, status: 'history' }) },
      },
      { name: 'different ids, same version', files: { 'a.yml': nativeRule({ id: ID_A, name: 'A' }), 'b.yml': nativeRule({ id: ID_B, name: 'B' }) } },
    ],
    invalid: [
      {
        name: 'the same (id, version) in two files, across formats',
        files: {
          'a.yml': nativeRule({ id: ID_A, version: 3 }),
          'b.toml': elastic({ id: ID_A, name: 'Test Rule', version: 3 }),
        },
        errors: [{ file: 'b.toml', at: /^rule_id =/, message: /rule 1111.* with version 3 is also defined in a\.yml:1:1/, hint: /Bump the version/ }],
      },
      {
        name: 'three copies without a version',
        files: {
          'a.yml': nativeRule({ id: ID_A, version: undefined }),
          'b.yml': nativeRule({ id: ID_A, version: undefined }),
          'c.yml': nativeRule({ id: ID_A, version: undefined }),
        },
        errors: [
          { file: 'b.yml', at: /^id:/, message: /with no version is also defined in a\.yml/, hint: /version number/ },
          { file: 'c.yml', at: /^id:/, message: /with no version is also defined in a\.yml/ },
        ],
      },
    ],
  }),
);

t.test('rule/name-conflict', (t) =>
  runCheckCases(t, nameConflict, {
    valid: [
      { name: 'distinct names', files: { 'a.yml': nativeRule({ id: ID_A, name: 'Alpha' }), 'b.yml': nativeRule({ id: ID_B, name: 'Beta' }) } },
      {
        name: 'versions of one rule share a name',
        files: { 'a.yml': nativeRule({ id: ID_A, version: 2 }), 'a_v1.yml': nativeRule({ id: ID_A, version: 1 }) },
      },
    ],
    invalid: [
      {
        name: 'two ids, one name (ignoring case and spacing)',
        files: { 'a.toml': elastic({ id: ID_A, name: 'Remote  Thing' }), 'b.yml': nativeRule({ id: ID_B, name: 'remote thing' }) },
        errors: [{ file: 'b.yml', at: /^name:/, message: /the name "remote thing" is already used by rule 1111.* \(a\.toml:5:1\)/, hint: /distinct name/ }],
      },
    ],
  }),
);

t.test('rule/severity-risk-band', (t) =>
  runCheckCases(t, severityRiskBand, {
    valid: [
      ...[
        ['low', 0],
        ['low', 21],
        ['medium', 22],
        ['medium', 47],
        ['high', 48],
        ['high', 73],
        ['critical', 74],
        ['critical', 100],
      ].map(([severity, risk]) => ({ name: `${severity} ${risk}`, files: { 'a.yml': nativeRule({ severity, risk_score: risk }) } })),
      { name: 'no risk score', files: { 'a.yml': nativeRule({ risk_score: undefined }) } },
      { name: 'no severity', files: { 'a.yml': nativeRule({ severity: undefined }) } },
      { name: 'Elastic TOML in band', files: { 'a.toml': elastic({ id: ID_A, name: 'A', severity: 'high', risk: 73 }) } },
    ],
    invalid: [
      {
        name: 'medium with a high score',
        files: { 'a.yml': nativeRule({ severity: 'medium', risk_score: 48 }) },
        errors: [{ at: /^risk_score:/, column: true, message: /risk_score 48 is outside the medium band \(22–47\)/, hint: /from 22 to 47 .*or set the severity to high \(48–73\)/ }],
      },
      {
        name: 'low with a medium score, in TOML',
        files: { 'a.toml': elastic({ id: ID_A, name: 'A', severity: 'low', risk: 22 }) },
        errors: [{ at: /^risk_score = 22/, message: /outside the low band \(0–21\)/, hint: /severity to medium/ }],
      },
      {
        name: 'critical with a low score',
        files: { 'a.yml': nativeRule({ severity: 'critical', risk_score: 21 }) },
        errors: [{ at: /^risk_score:/, message: /outside the critical band \(74–100\)/ }],
      },
    ],
  }),
);
