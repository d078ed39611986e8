/** attack/* checks against the bundled ATT&CK 18.1 catalogue, RuleTester style. */
import t from 'tap';
import { attackDeprecated } from '../../src/lint/checks/attack-deprecated.js';
import { attackReferenceUrl } from '../../src/lint/checks/attack-reference-url.js';
import { attackTacticOnce } from '../../src/lint/checks/attack-tactic-once.js';
import { attackTacticTags } from '../../src/lint/checks/attack-tactic-tags.js';
import { attackNameMismatch } from '../../src/lint/checks/attack-name-mismatch.js';
import { attackSubtechniqueParent } from '../../src/lint/checks/attack-subtechnique-parent.js';
import { attackTacticMismatch } from '../../src/lint/checks/attack-tactic-mismatch.js';
import { attackUnknownId } from '../../src/lint/checks/attack-unknown-id.js';
import { nativeRule, runCheckCases, threat } from './rule-tester.js';

const LM: [string, string] = ['TA0008', 'Lateral Movement'];
const EXEC: [string, string] = ['TA0002', 'Execution'];
const REMOTE: [string, string] = ['T1021', 'Remote Services'];
const WINRM: [string, string] = ['T1021.006', 'Windows Remote Management'];
const CSI: [string, string] = ['T1059', 'Command and Scripting Interpreter'];
const PS: [string, string] = ['T1059.001', 'PowerShell'];

const withThreat = (...entries: Record<string, unknown>[]) => ({ 'r.yml': nativeRule({ threat: entries }) });

/** Elastic's nesting: one [[rule.threat]] per tactic, techniques and sub-techniques inside. */
const elasticThreat = (body: string) => ({
  'r.toml': `[rule]
name = "Elastic Threat"
rule_id = "33333333-3333-4333-8333-333333333333"
type = "eql"
query = "process where true"

${body}`,
});

const valid = [
  { name: 'tactic only', files: withThreat(threat(LM)) },
  { name: 'tactic, technique and sub-technique', files: withThreat(threat(LM, REMOTE, WINRM), threat(EXEC, CSI, PS)) },
  {
    name: 'Elastic nesting',
    files: elasticThreat(`[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1021"
name = "Remote Services"
[[rule.threat.technique.subtechnique]]
id = "T1021.006"
name = "Windows Remote Management"

[rule.threat.tactic]
id = "TA0008"
name = "Lateral Movement"
`),
  },
  {
    name: 'another framework is not checked',
    files: { 'r.yml': nativeRule({ threat: [{ framework: 'Internal', tactic: { id: 'X1', name: 'Whatever' } }] }) },
  },
];

t.test('attack/unknown-id', (t) =>
  runCheckCases(t, attackUnknownId, {
    valid: [...valid, { name: 'a revoked id exists', files: withThreat(threat(EXEC, ['T1086', 'PowerShell'])) }],
    invalid: [
      {
        name: 'unknown tactic whose name is known',
        files: withThreat(threat(['TA0099', 'Lateral Movement'])),
        errors: [{ at: /id: TA0099/, message: /TA0099 is not a tactic in ATT&CK 18\.1/, hint: /Did you mean TA0008 \(Lateral Movement\)\?/ }],
      },
      {
        name: 'unknown technique and sub-technique',
        files: withThreat(threat(LM, ['T9999', 'Remote Services'], ['T9999.001', 'Nothing Like It'])),
        errors: [
          { at: /id: T9999$/, message: /T9999 is not a technique in ATT&CK 18\.1/, hint: /Did you mean T1021 \(Remote Services\)\?/ },
          { at: /id: T9999\.001/, message: /T9999\.001 is not a sub-technique/, hint: /T1021\.006/ },
        ],
      },
      {
        name: 'unknown id in Elastic nesting, reported at its line',
        files: elasticThreat(`[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1021"
name = "Remote Services"
[[rule.threat.technique.subtechnique]]
id = "T1021.106"
name = "Windows Remote Management"

[rule.threat.tactic]
id = "TA0008"
name = "Lateral Movement"
`),
        errors: [{ at: /^id = "T1021\.106"/, column: true, message: /T1021\.106 is not a sub-technique/, hint: /Did you mean T1021\.006 \(Windows Remote Management\)/ }],
      },
    ],
  }),
);

t.test('attack/name-mismatch', (t) =>
  runCheckCases(t, attackNameMismatch, {
    valid,
    invalid: [
      {
        name: 'tactic, technique and sub-technique names that do not match their ids',
        files: withThreat(threat(['TA0008', 'Execution'], ['T1021', 'Remote services'], ['T1021.006', 'WinRM'])),
        errors: [
          { at: /name: Execution/, message: /tactic TA0008 is named "Lateral Movement" in ATT&CK 18\.1, not "Execution"/, hint: /Set the name to "Lateral Movement"/ },
          { at: /name: Remote services/, message: /technique T1021 is named "Remote Services"/, hint: /exactly as ATT&CK does: "Remote Services"/ },
          { at: /name: WinRM/, message: /sub-technique T1021\.006 is named "Windows Remote Management" in ATT&CK 18\.1, not "WinRM"/ },
        ],
      },
      {
        name: 'a tactic repeated by the Elastic nesting is reported once',
        files: elasticThreat(`[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1021"
name = "Remote Services"
[[rule.threat.technique]]
id = "T1570"
name = "Lateral Tool Transfer"

[rule.threat.tactic]
id = "TA0008"
name = "Lateral movement"
`),
        errors: [{ at: /^name = "Lateral movement"/, message: /named "Lateral Movement"/ }],
      },
    ],
  }),
);

t.test('attack/tactic-mismatch', (t) =>
  runCheckCases(t, attackTacticMismatch, {
    valid: [...valid, { name: 'a technique with several tactics, under one of them', files: withThreat(threat(['TA0003', 'Persistence'], ['T1078', 'Valid Accounts'])) }],
    invalid: [
      {
        name: 'technique under a tactic it does not serve',
        files: withThreat(threat(EXEC, REMOTE, WINRM)),
        errors: [{ at: /id: T1021$/, message: /T1021 \(Remote Services\) is not a technique of tactic TA0002 \(Execution\)/, hint: /Its tactics are: TA0008 Lateral Movement/ }],
      },
      {
        name: 'sub-technique checked when there is no technique to blame',
        files: withThreat(threat(LM, REMOTE), { tactic: { id: 'TA0008', name: 'Lateral Movement' }, technique: { id: 'T1059', name: 'Command and Scripting Interpreter' } }),
        errors: [{ at: /id: T1059$/, message: /T1059 .* is not a technique of tactic TA0008/, hint: /TA0002 Execution/ }],
      },
    ],
  }),
);

t.test('attack/deprecated', (t) =>
  runCheckCases(t, attackDeprecated, {
    valid,
    invalid: [
      {
        name: 'revoked technique names its successor',
        files: withThreat(threat(EXEC, ['T1086', 'PowerShell'])),
        errors: [
          {
            at: /id: T1086/,
            message: /T1086 \(PowerShell\) is revoked in ATT&CK 18\.1; it was replaced by T1059\.001 \(PowerShell\)/,
            hint: /Map the rule to T1059\.001 "PowerShell" \(a sub-technique of T1059, listed under it\)/,
          },
        ],
      },
      {
        name: 'deprecated technique without a replacement',
        files: withThreat(threat(['TA0005', 'Defense Evasion'], ['T1064', 'Scripting'])),
        errors: [{ at: /id: T1064/, message: /T1064 \(Scripting\) is deprecated in ATT&CK 18\.1 and has no replacement/, hint: /current technique/ }],
      },
    ],
  }),
);

t.test('attack/subtechnique-parent', (t) =>
  runCheckCases(t, attackSubtechniqueParent, {
    valid,
    invalid: [
      {
        name: 'sub-technique under another technique',
        files: withThreat(threat(EXEC, CSI, WINRM)),
        errors: [{ at: /id: T1021\.006/, message: /T1021\.006 \(Windows Remote Management\) is a sub-technique of T1021 \(Remote Services\), not of T1059/, hint: /List it under T1021/ }],
      },
      {
        name: 'sub-technique in the technique slot, technique in the sub-technique slot',
        files: withThreat(threat(LM, WINRM), threat(LM, REMOTE, REMOTE)),
        errors: [
          { at: /id: T1021\.006/, message: /is a sub-technique, listed as a technique/, hint: /List T1021 as the technique and T1021\.006 as its sub-technique/ },
          { at: /id: T1021$/, nth: 1, message: /T1021 \(Remote Services\) is a technique, listed as a sub-technique/ },
        ],
      },
    ],
  }),
);

const elasticRule = (tags: string[], threatBody: string) => ({
  'r.toml': `[rule]
name = "Elastic Threat"
rule_id = "33333333-3333-4333-8333-333333333333"
type = "eql"
query = "process where true"
tags = [${tags.map((x) => JSON.stringify(x)).join(', ')}]

${threatBody}`,
});

const LM_TABLE = (techniques = '') => `[[rule.threat]]
framework = "MITRE ATT&CK"
${techniques}
[rule.threat.tactic]
id = "TA0008"
name = "Lateral Movement"
reference = "https://attack.mitre.org/tactics/TA0008/"
`;
const EXEC_TABLE = `[[rule.threat]]
framework = "MITRE ATT&CK"
[rule.threat.tactic]
id = "TA0002"
name = "Execution"
`;

t.test('attack/reference-url', (t) =>
  runCheckCases(t, attackReferenceUrl, {
    valid: [
      ...valid,
      {
        name: 'canonical pages, with or without the trailing slash',
        files: elasticThreat(
          LM_TABLE(`[[rule.threat.technique]]
id = "T1021"
name = "Remote Services"
reference = "https://attack.mitre.org/techniques/T1021"
[[rule.threat.technique.subtechnique]]
id = "T1021.006"
name = "Windows Remote Management"
reference = "https://attack.mitre.org/techniques/T1021/006/"`),
        ),
      },
    ],
    invalid: [
      {
        name: 'a reference for another id',
        files: elasticThreat(
          LM_TABLE(`[[rule.threat.technique]]
id = "T1021"
name = "Remote Services"
reference = "https://attack.mitre.org/techniques/T1059/"
[[rule.threat.technique.subtechnique]]
id = "T1021.006"
name = "Windows Remote Management"
reference = "https://attack.mitre.org/techniques/T1021.006/"`),
        ),
        errors: [
          { at: /T1059\/"$/, message: /the reference of T1021 is "https:\/\/attack\.mitre\.org\/techniques\/T1059\/"/, hint: /Use https:\/\/attack\.mitre\.org\/techniques\/T1021\// },
          { at: /T1021\.006\/"$/, message: /reference of T1021\.006/, hint: /https:\/\/attack\.mitre\.org\/techniques\/T1021\/006\// },
        ],
      },
    ],
  }),
);

t.test('attack/tactic-once', (t) =>
  runCheckCases(t, attackTacticOnce, {
    valid: [...valid, { name: 'two tactics', files: elasticThreat(LM_TABLE() + EXEC_TABLE) }],
    invalid: [
      {
        name: 'a tactic listed twice',
        files: elasticThreat(LM_TABLE() + EXEC_TABLE + LM_TABLE()),
        errors: [{ at: /^id = "TA0008"/, nth: 1, message: /tactic TA0008 is listed again \(first in rule\.threat\.0\)/, hint: /Merge/ }],
      },
    ],
  }),
);

t.test('attack/tactic-tags', (t) =>
  runCheckCases(t, attackTacticTags, {
    valid: [
      { name: 'primary tactic tagged', files: elasticRule(['OS: Windows', 'Tactic: Lateral Movement'], LM_TABLE() + EXEC_TABLE) },
      { name: 'every tactic tagged', files: elasticRule(['Tactic: Lateral Movement', 'Tactic: Execution'], LM_TABLE() + EXEC_TABLE) },
      { name: 'native rules without Tactic: tags are not checked', files: { 'r.yml': nativeRule({ tags: ['Windows'], threat: [threat(LM)] }) } },
    ],
    invalid: [
      {
        name: 'primary tactic untagged, and a tag for an unmapped tactic',
        files: elasticRule(['Tactic: Execution', 'Tactic: Persistence'], LM_TABLE() + EXEC_TABLE),
        errors: [
          { at: /^tags = /, message: /the primary tactic Lateral Movement has no "Tactic: Lateral Movement" tag/, hint: /Add the tag "Tactic: Lateral Movement"/ },
          { at: /^tags = /, message: /tag "Tactic: Persistence" names a tactic the threat mapping does not list/, hint: /mapped tactics: Lateral Movement, Execution/ },
        ],
      },
      {
        name: 'a native rule using Tactic: tags',
        files: { 'r.yml': nativeRule({ tags: ['Tactic: Execution'], threat: [threat(EXEC)] , name: 'N' }).replace('Tactic: Execution', 'Tactic: Discovery') },
        errors: [
          { at: /^tags:/, message: /primary tactic Execution has no/ },
          { at: /Tactic: Discovery/, message: /"Tactic: Discovery" names a tactic/ },
        ],
      },
    ],
  }),
);
