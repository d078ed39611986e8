/** rule/values, metadata/* and tests/* checks, RuleTester style. */
import t from 'tap';
import { metadataDates } from '../../src/lint/checks/metadata-dates.js';
import { metadataReferences } from '../../src/lint/checks/metadata-references.js';
import { metadataRequired } from '../../src/lint/checks/metadata-required.js';
import { ruleValues } from '../../src/lint/checks/rule-values.js';
import { testsDatasetExists } from '../../src/lint/checks/tests-dataset-exists.js';
import { testsPresent, testsQuietForFalsePositives } from '../../src/lint/checks/tests-coverage.js';
import { nativeRule, runCheckCases } from './rule-tester.js';

const elastic = (rule: string, metadata = 'creation_date = "2024/01/02"\nupdated_date = "2024/02/03"\nmaturity = "production"') => `[metadata]
${metadata}

[rule]
name = "Elastic Rule"
type = "eql"
query = "process where true"
${rule}
`;
const ID = 'rule_id = "55555555-5555-4555-8555-555555555555"';

const fire = { name: 'fires', dataset: 'datasets/a.json', expect: 'fire' };
const quiet = (reason: string) => ({ name: 'quiet', dataset: 'datasets/a.json', expect: 'quiet', reason });

const SIGMA = (level: string) =>
  [
    'title: Informational process start',
    'id: 6b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
    'status: test',
    `level: ${level}`,
    'logsource: {product: windows, category: process_creation}',
    'detection:',
    '  sel: {Image|endswith: \\\\whoami.exe}',
    '  condition: sel',
    '',
  ].join('\n');

t.test('rule/values', (t) =>
  runCheckCases(t, ruleValues, {
    valid: [
      { name: 'native rule', files: { 'r.yml': nativeRule({ status: 'production' }) } },
      { name: 'Elastic rule', files: { 'r.toml': elastic(`${ID}\nseverity = "high"\nrisk_score = 73`) } },
      { name: 'Sigma rule at level informational (Sigma has a fifth level)', files: { 'r.yml': SIGMA('informational') } },
    ],
    invalid: [
      {
        name: 'Elastic rule with a bad id, severity, score and maturity',
        files: { 'r.toml': elastic('rule_id = "not-a-uuid"\nseverity = "hihg"\nrisk_score = 101', 'maturity = "beta"') },
        errors: [
          { at: /^maturity =/, message: /maturity "beta" is not one of production, development, deprecated/ },
          { at: /^rule_id =/, message: /rule id "not-a-uuid" is not a UUID/, hint: /uuidgen/ },
          { at: /^severity =/, message: /severity "hihg" is not one of low, medium, high, critical/, hint: /Did you mean "high"\?/ },
          { at: /^risk_score =/, message: /risk score 101 is outside 0–100/ },
        ],
      },
      {
        name: 'native rule id that is not a UUID',
        files: { 'r.yml': nativeRule({ id: 'my-rule' }) },
        errors: [{ at: /^id:/, message: /"my-rule" is not a UUID/ }],
      },
    ],
  }),
);

t.test('metadata/dates', (t) =>
  runCheckCases(t, metadataDates, {
    valid: [
      { name: 'ordered dates', files: { 'r.yml': nativeRule({ created: '2024-01-02', updated: '2024-01-02' }) } },
      { name: 'no dates', files: { 'r.yml': nativeRule() } },
      { name: 'Elastic dates', files: { 'r.toml': elastic(ID) } },
    ],
    invalid: [
      {
        name: 'an impossible date and swapped dates',
        files: { 'r.toml': elastic(ID, 'creation_date = "2024/02/30"\nupdated_date = "2024/01/01"') },
        errors: [{ at: /^creation_date/, message: /creation date "2024-02-30" is not a valid date/, hint: /YYYY\/MM\/DD/ }],
      },
      {
        name: 'updated before created',
        files: { 'r.yml': nativeRule({ created: '2024-05-01', updated: '2024-04-01' }) },
        errors: [{ at: /^updated:/, message: /updated \(2024-04-01\) before it was created \(2024-05-01\)/, hint: /swapped/ }],
      },
      {
        name: 'a date in the wrong shape',
        files: { 'r.toml': elastic(ID, 'creation_date = "01/02/2024"') },
        errors: [{ at: /^creation_date/, message: /"01\/02\/2024" is not a valid date/ }],
      },
    ],
  }),
);

t.test('metadata/references', (t) =>
  runCheckCases(t, metadataReferences, {
    valid: [{ name: 'distinct https URLs', files: { 'r.yml': nativeRule({ references: ['https://example.com/a', 'https://example.com/b'] }) } }],
    invalid: [
      {
        name: 'http, not a URL, and a duplicate',
        files: { 'r.yml': nativeRule({ references: ['http://example.com/a', 'see the wiki', 'https://example.com/b', 'https://EXAMPLE.com/b/'] }) },
        errors: [
          { at: /http:\/\/example/, message: /"http:\/\/example\.com\/a" does not use https/, hint: /https:\/\/example\.com\/a/ },
          { at: /see the wiki/, message: /"see the wiki" is not a URL/ },
          { at: /EXAMPLE/, message: /listed twice \(first as entry 3\)/ },
        ],
      },
    ],
  }),
);

t.test('metadata/required', (t) =>
  runCheckCases(t, metadataRequired, {
    valid: [
      { name: 'complete', files: { 'r.yml': nativeRule({ author: ['Team'], license: 'Apache-2.0' }) } },
      { name: 'historical versions are exempt', files: { 'history/r.yml': nativeRule({ description: undefined, status: 'history' }) } },
    ],
    invalid: [
      {
        name: 'no description, author or licence',
        files: { 'r.yml': nativeRule({ description: '  ', author: [] }) },
        errors: [
          { at: /^id:/, message: /states no licence/, hint: /Elastic License v2/ },
          { at: /^description:/, message: /has no description/ },
          { at: /^author:/, message: /names no author/ },
        ],
      },
    ],
  }),
);

t.test('tests/present', (t) =>
  runCheckCases(t, testsPresent, {
    valid: [
      { name: 'a fire test', files: { 'r.yml': nativeRule({ tests: [fire] }) } },
      { name: 'history needs none', files: { 'history/r.yml': nativeRule({ status: 'history' }) } },
      { name: 'development rules need none', files: { 'r.yml': nativeRule({ status: 'development' }) } },
      { name: 'a quiet test that says why it cannot fire', files: { 'r.yml': nativeRule({ tests: [quiet('No public dataset has this attack; it cannot fire on bundled data.')] }) } },
    ],
    invalid: [
      {
        name: 'no tests',
        files: { 'r.yml': nativeRule({ status: 'production' }) },
        errors: [{ at: /^id:/, message: /the rule has no tests/, hint: /"tests:" list/ }],
      },
      {
        name: 'an Elastic rule without a sidecar',
        files: { 'rules/r.toml': elastic(ID) },
        errors: [{ at: /^rule_id/, message: /no tests/, hint: /rules\/r\.tests\.yml with "rule: 5555/ }],
      },
      {
        name: 'only quiet tests in a sidecar',
        files: { 'r.toml': elastic(ID), 'r.tests.yml': `rule: 55555555-5555-4555-8555-555555555555\ntests:\n  - name: q\n    dataset: d.json\n    expect: quiet\n    reason: benign admin activity\n` },
        errors: [{ file: 'r.tests.yml', at: /^rule:/, message: /no test shows the rule firing/ }],
      },
    ],
  }),
);

t.test('tests/false-positive-quiet', (t) =>
  runCheckCases(t, testsQuietForFalsePositives, {
    valid: [
      { name: 'false positives with a quiet test', files: { 'r.yml': nativeRule({ false_positives: ['Admins'], tests: [fire, quiet('admins')] }) } },
      { name: 'no false positives documented', files: { 'r.yml': nativeRule({ tests: [fire] }) } },
    ],
    invalid: [
      {
        name: 'false positives and only fire tests',
        files: { 'r.yml': nativeRule({ false_positives: ['Admins'], tests: [fire] }) },
        errors: [{ at: /^tests:/, message: /documents false positives but has no quiet test/, severity: 'info' }],
      },
    ],
  }),
);

t.test('tests/dataset-exists', (t) =>
  runCheckCases(t, testsDatasetExists, {
    valid: [
      { name: 'the dataset is there', files: { 'rules/r.yml': nativeRule({ tests: [fire] }), 'datasets/a.json': '{}\n' } },
      { name: 'a Windows-style path to an existing dataset', files: { 'r.yml': nativeRule({ tests: [{ ...fire, dataset: 'datasets\\a.json' }] }), 'datasets/a.json': '{}\n' } },
    ],
    invalid: [
      {
        name: 'a missing dataset, reported at its test',
        files: { 'rules/deep/r.yml': nativeRule({ tests: [fire, { ...fire, name: 'other', dataset: 'datasets/missing.json' }] }), 'datasets/a.json': '{}\n' },
        errors: [{ at: /dataset: datasets\/missing\.json/, column: true, message: /test "other" uses dataset datasets\/missing\.json, which does not exist/ }],
      },
      {
        name: 'a missing dataset in a sidecar, reported in the sidecar',
        files: {
          'r.toml': elastic(ID),
          'r.tests.yml': 'rule: 55555555-5555-4555-8555-555555555555\ntests:\n  - name: f\n    dataset: datasets/a.json\n    expect: fire\n  - name: g\n    expect: fire\n    dataset: datasets/gone.json\n',
          'datasets/a.json': '{}\n',
        },
        errors: [{ file: 'r.tests.yml', at: /dataset: datasets\/gone\.json/, column: true, message: /test "g" uses dataset datasets\/gone\.json/ }],
      },
    ],
  }),
);
