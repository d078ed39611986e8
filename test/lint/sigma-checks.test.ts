/** RuleTester cases for the Sigma lint checks. */
import t from 'tap';
import { sigmaCondition } from '../../src/lint/checks/sigma-condition.js';
import { sigmaLogsourceFields } from '../../src/lint/checks/sigma-logsource-fields.js';
import { sigmaMetadata } from '../../src/lint/checks/sigma-metadata.js';
import { sigmaModifiers } from '../../src/lint/checks/sigma-modifiers.js';
import { runCheckCases } from './rule-tester.js';

function sigma(detection: string, head = '', logsource = 'category: process_creation\n    product: windows'): string {
  const body = detection.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n');
  return `title: A rule
id: 1a2b3c4d-1111-4222-8333-444455556666
status: test
description: What it detects.
level: medium
${head}logsource:
    ${logsource}
detection:
${body}
`;
}

const SEL = "selection:\n    Image|endswith: '\\cmd.exe'\n";

t.test('sigma/condition', (t) =>
  runCheckCases(t, sigmaCondition, {
    valid: [
      { name: 'every identifier used', files: { 'r.yml': sigma(`${SEL}filter_a:\n    User: x\ncondition: selection and not 1 of filter_*`) } },
      { name: 'a pattern over one identifier (SigmaHQ style)', files: { 'r.yml': sigma(`${SEL}filter_main_a:\n    User: x\ncondition: selection and not 1 of filter_main_*`) } },
    ],
    invalid: [
      {
        name: 'a dangling identifier',
        files: { 'r.yml': sigma(`${SEL}unused:\n    User: x\ncondition: selection`) },
        errors: [{ at: /unused:/, message: /"unused" is not used in the condition/ }],
      },
      {
        name: 'all of them',
        files: { 'r.yml': sigma(`${SEL}other:\n    User: x\ncondition: all of them`) },
        errors: [{ at: /condition:/, message: /"all of them"/ }],
      },
      {
        name: '1 of an identifier without a star',
        files: { 'r.yml': sigma(`${SEL}condition: 1 of selection`) },
        errors: [{ at: /condition:/, message: /covers a single identifier \(selection\)/ }],
      },
    ],
  }),
);

t.test('sigma/modifiers', (t) =>
  runCheckCases(t, sigmaModifiers, {
    valid: [{ name: 'contains|all, startswith', files: { 'r.yml': sigma("selection:\n    CommandLine|contains|all:\n        - a\n        - b\n    Image|startswith: 'C:\\Windows\\'\ncondition: selection") } }],
    invalid: [
      {
        name: 'all without contains',
        files: { 'r.yml': sigma('selection:\n    CommandLine|all:\n        - a\n        - b\ncondition: selection') },
        errors: [{ at: /CommandLine\|all/, message: /never matches/ }],
      },
      {
        name: 'base64offset without contains, an escaped wildcard, a double wildcard, wildcards instead of contains',
        files: { 'r.yml': sigma("selection:\n    CommandLine|base64offset: 'IEX'\n    Image: 'C:\\Windows\\*'\n    ParentImage: 'C:**x.exe'\n    User: '*admin*'\ncondition: selection") },
        errors: [
          { at: /CommandLine\|base64offset/, message: /base64offset without contains/ },
          { at: /Image: 'C:/, message: /escapes a wildcard/ },
          { at: /ParentImage/, message: /double wildcard/ },
          { at: /User:/, message: /contains says it better/ },
        ],
      },
    ],
  }),
);

t.test('sigma/metadata', (t) =>
  runCheckCases(t, sigmaMetadata, {
    valid: [{ name: 'complete metadata', files: { 'r.yml': sigma(`${SEL}condition: selection`, 'tags:\n    - attack.lateral-movement\n    - attack.t1021.006\n') } }],
    invalid: [
      {
        name: 'underscore tactic, bad namespace, repeated tag, "none" false positive',
        files: { 'r.yml': sigma(`${SEL}condition: selection`, 'tags:\n    - attack.lateral_movement\n    - foo.bar\n    - foo.bar\nfalsepositives:\n    - None\n') },
        errors: [
          { at: /attack\.lateral_movement/, message: /use hyphens since Sigma 2: attack\.lateral-movement/ },
          { at: /- foo\.bar/, message: /namespace "foo"/ },
          { at: /- foo\.bar/, nth: 1, message: /repeated/ },
          { at: /- foo\.bar/, nth: 1, message: /namespace "foo"/ },
          { at: /- None/, message: /not a false positive description/ },
        ],
      },
      {
        name: 'a duplicate id across files',
        files: { 'a.yml': sigma(`${SEL}condition: selection`), 'b.yml': sigma(`${SEL}condition: selection`).replace('title: A rule', 'title: B rule') },
        errors: [
          { file: 'a.yml', at: /^id:/, message: /used by 2 rules/ },
          { file: 'b.yml', at: /^id:/, message: /used by 2 rules/ },
        ],
      },
    ],
  }),
);

t.test('sigma/logsource-fields', (t) =>
  runCheckCases(t, sigmaLogsourceFields, {
    valid: [{ name: 'fields both sources have', files: { 'r.yml': sigma(`${SEL}condition: selection`) } }],
    invalid: [
      {
        name: 'ParentCommandLine is not in 4688',
        files: { 'r.yml': sigma(`${SEL}filter:\n    ParentCommandLine|contains: x\ncondition: selection and not filter`) },
        errors: [{ at: /ParentCommandLine/, message: /not in security-4688 events/ }],
      },
    ],
  }),
);
