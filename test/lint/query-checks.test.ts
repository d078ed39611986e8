/** query/* checks: findings inside the query text, mapped to the rule file's lines and columns. */
import t from 'tap';
import { queryUnknownField } from '../../src/lint/checks/query-unknown-field.js';
import { nativeRule, runCheckCases } from './rule-tester.js';

const toml = (query: string) => ({
  'r.toml': `[rule]
name = "Query Rule"
rule_id = "44444444-4444-4444-8444-444444444444"
type = "eql"
language = "eql"
query = ${query}
`,
});

const blockQuery = (text: string) => ({ 'r.yml': nativeRule({ query: { language: 'eql', field_view: 'ecs', text } }) });

t.test('query/unknown-field', (t) =>
  runCheckCases(t, queryUnknownField, {
    valid: [
      { name: 'ECS fields', files: blockQuery('process where process.parent.name : "WmiPrvSE.exe" and event.type == "start"\n') },
      {
        name: 'a sequence over ECS and winlog fields',
        files: toml(`'''
sequence by host.id with maxspan = 30s
  [network where destination.port in (5985, 5986) and source.ip != "::1"]
  [process where process.parent.name : "wsmprovhost.exe" and ?winlog.event_data.IntegrityLevel : "System"]
'''`),
      },
    ],
    invalid: [
      {
        name: 'typos in a YAML block scalar, at their file line and column',
        files: blockQuery('sequence by host.id with maxspan = 5s\n  [network where destinaton.port == 135]\n  [process where process.parent.nme : "WmiPrvSE.exe"]\n'),
        errors: [
          { at: /destinaton\.port/, column: true, message: /field "destinaton\.port" is not in the ecs field view/, hint: /Did you mean "destination\.port"\?/, severity: 'warning' },
          { at: /process\.parent\.nme/, column: true, message: /field "process\.parent\.nme"/, hint: /Did you mean "process\.parent\.name"\?/ },
        ],
      },
      {
        name: "a typo in a TOML ''' string",
        files: toml(`'''
sequence by host.id with maxspan = 30s
  [network where destination.port in (5985, 5986)]
  [process where proces.name : "powershell.exe"]
'''`),
        errors: [{ at: /proces\.name/, column: true, message: /field "proces\.name" is not in the ecs field view/, hint: /Did you mean "process\.name"\?/ }],
      },
      {
        name: 'a typo in a one-line TOML string',
        files: toml('"process where process.nmae == \\"cmd.exe\\""'),
        errors: [{ at: /process\.nmae/, column: true, message: /field "process\.nmae"/, hint: /process\.name/ }],
      },
      {
        name: 'a field from another schema, with no near name',
        files: blockQuery('process where ParentImage : "*\\\\WmiPrvSE.exe"\n'),
        errors: [{ at: /ParentImage/, column: true, message: /field "ParentImage" is not in the ecs field view/, hint: /Check the name against the ecs schema/ }],
      },
    ],
  }),
);
