/** attack/platform-mismatch, RuleTester style: native, Elastic TOML and Sigma rules. */
import t from 'tap';
import { attackPlatformMismatch } from '../../src/lint/checks/attack-platform-mismatch.js';
import { nativeRule, runCheckCases, threat } from './rule-tester.js';

const EXEC: [string, string] = ['TA0002', 'Execution'];
const WMI: [string, string] = ['T1047', 'Windows Management Instrumentation'];
const SCHED: [string, string] = ['T1053', 'Scheduled Task/Job'];
const CRON: [string, string] = ['T1053.003', 'Cron'];

const native = (tags: string[] | undefined, ...entries: Record<string, unknown>[]) => ({ 'r.yml': nativeRule({ tags, threat: entries }) });

const sigma = (product: string, tags: string) => ({
  'r.yml': `title: A rule
id: 1a2b3c4d-1111-4222-8333-444455556666
status: test
description: What it detects.
level: medium
tags:
${tags}
logsource:
    category: process_creation
    product: ${product}
detection:
    selection:
        Image|endswith: '/crontab'
    condition: selection
`,
});

const toml = (os: string, technique: string) => ({
  'r.toml': `[rule]
name = "Elastic Platform"
rule_id = "33333333-3333-4333-8333-333333333333"
type = "eql"
query = "process where true"
tags = ["Domain: Endpoint", "OS: ${os}"]

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
${technique}

[rule.threat.tactic]
id = "TA0002"
name = "Execution"
`,
});

t.test('attack/platform-mismatch', (t) =>
  runCheckCases(t, attackPlatformMismatch, {
    valid: [
      { name: 'a Windows rule mapped to a Windows technique', files: native(['OS: Windows'], threat(EXEC, WMI)) },
      { name: 'no OS declared: nothing to compare', files: native(undefined, threat(EXEC, SCHED, CRON)) },
      { name: 'one of several declared OSes matches', files: native(['OS: Windows', 'OS: Linux'], threat(EXEC, SCHED, CRON)) },
      { name: 'Sigma linux rule with a Linux sub-technique', files: sigma('linux', '    - attack.execution\n    - attack.t1053.003') },
      { name: 'Elastic Linux rule with a Linux technique', files: toml('Linux', 'id = "T1053"\nname = "Scheduled Task/Job"') },
    ],
    invalid: [
      {
        name: 'a Windows rule mapped to Cron',
        files: native(['OS: Windows'], threat(EXEC, SCHED, CRON)),
        errors: [{ at: /id: T1053\.003/, message: /the rule is for Windows, but ATT&CK 18\.1 lists T1053\.003 \(Cron\) only for Linux, macOS, ESXi/, hint: /technique id/ }],
      },
      {
        name: 'Sigma windows product with a Linux-only technique tag',
        files: sigma('windows', '    - attack.execution\n    - attack.t1053.003'),
        errors: [{ at: /attack\.t1053\.003/, message: /for Windows, but .*T1053\.003 \(Cron\)/ }],
      },
      {
        name: 'Elastic Linux rule mapped to a Windows-only technique',
        files: toml('Linux', 'id = "T1047"\nname = "Windows Management Instrumentation"'),
        errors: [{ at: /id = "T1047"/, message: /for Linux, but .*T1047 \(Windows Management Instrumentation\) only for Windows/ }],
      },
    ],
  }),
);
