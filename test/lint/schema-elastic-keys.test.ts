/** schema/elastic-unknown-key, RuleTester style. */
import t from 'tap';
import { schemaElasticKeys } from '../../src/lint/checks/schema-elastic-keys.js';
import { runCheckCases } from './rule-tester.js';

const toml = (extraRule = '', extraMeta = '', threat = '[[rule.threat]]\nframework = "MITRE ATT&CK"\n[[rule.threat.technique]]\nid = "T1021"\nname = "Remote Services"\n\n[rule.threat.tactic]\nid = "TA0008"\nname = "Lateral Movement"\n', top = '') => ({
  'r.toml': `${top}[metadata]
creation_date = "2021/02/03"
maturity = "production"
${extraMeta}
[rule]
name = "Elastic Keys"
rule_id = "33333333-3333-4333-8333-333333333333"
type = "eql"
query = "process where true"
from = "now-9m"
timestamp_override = "event.ingested"
${extraRule}
${threat}`,
});

t.test('schema/elastic-unknown-key', (t) =>
  runCheckCases(t, schemaElasticKeys, {
    valid: [
      { name: 'known keys, including from and type-specific ones', files: toml('index = ["logs-*"]\ntiebreaker_field = "event.sequence"', 'min_stack_version = "8.3.0"\nintegration = ["endpoint"]') },
      { name: 'a [transform] table', files: toml('', '', undefined, '[transform]\n[[transform.osquery]]\nlabel = "x"\n\n') },
    ],
    invalid: [
      {
        name: 'a misspelt [rule] key',
        files: toml('false_positive = ["admins"]'),
        errors: [{ at: /^false_positive =/, message: /unknown key "false_positive" in \[rule\]; Elastic's detection-rules rejects it/, hint: /Did you mean "false_positives"\?/ }],
      },
      {
        name: 'an unknown [metadata] key and an unknown top-level table',
        files: toml('', 'updated = "2024/01/01"', undefined, '[extra]\nx = 1\n\n'),
        errors: [
          { at: /^\[extra\]/, message: /unknown key "extra" in the rule file/ },
          { at: /^updated =/, message: /unknown key "updated" in \[metadata\]/, hint: /updated_date/ },
        ],
      },
      {
        name: 'unknown keys inside the threat mapping',
        files: toml('', '', '[[rule.threat]]\nframework = "MITRE ATT&CK"\n[[rule.threat.technique]]\nid = "T1021"\nname = "Remote Services"\nurl = "https://attack.mitre.org/techniques/T1021/"\n\n[rule.threat.tactic]\nid = "TA0008"\nname = "Lateral Movement"\nrefrence = "https://attack.mitre.org/tactics/TA0008/"\n'),
        errors: [
          { at: /^url =/, message: /unknown key "url" in \[\[rule\.threat\.technique\]\]/ },
          { at: /^refrence =/, message: /unknown key "refrence" in \[rule\.threat\.tactic\]/, hint: /Did you mean "reference"/ },
        ],
      },
    ],
  }),
);
