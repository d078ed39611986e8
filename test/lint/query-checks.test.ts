/** query/* checks: findings inside the query text, mapped to the rule file's lines and columns. */
import t from 'tap';
import { querySequenceMaxspan } from '../../src/lint/checks/query-sequence-maxspan.js';
import { querySyntax } from '../../src/lint/checks/query-syntax.js';
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
      {
        name: "Elastic Defend's fields beyond ECS (generated endpoint schema)",
        files: blockQuery('process where process.Ext.token.integrity_level_name == "system" and process.name.caseless == "cmd.exe" and file.Ext.header_bytes : "4d5a*"\n'),
      },
      {
        name: 'fields of an integration the rule names in its index and ruleproof ships no schema for',
        files: {
          'r.toml': `[rule]
name = "Query Rule"
rule_id = "44444444-4444-4444-8444-444444444444"
type = "eql"
language = "eql"
index = ["logs-aws.cloudtrail-*"]
query = 'any where aws.cloudtrail.user_identity.type == "Root" and event.action == "ConsoleLogin"'
`,
        },
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
        name: 'an integration field when the rule does not read that integration',
        files: toml(`'any where aws.cloudtrail.user_identity.type == "Root"'`),
        errors: [{ at: /aws\.cloudtrail/, column: true, message: /field "aws\.cloudtrail\.user_identity\.type" is not in the ecs field view/ }],
      },
      {
        name: 'a typo in an Elastic Defend field',
        files: blockQuery('process where process.Ext.token.integrity_levl_name == "system"\n'),
        errors: [{ at: /process\.Ext/, column: true, message: /field "process\.Ext\.token\.integrity_levl_name"/, hint: /Did you mean "process\.Ext\.token\.integrity_level_name"\?/ }],
      },
      {
        name: 'a field from another schema, with no near name',
        files: blockQuery('process where ParentImage : "*\\\\WmiPrvSE.exe"\n'),
        errors: [{ at: /ParentImage/, column: true, message: /field "ParentImage" is not in the ecs field view/, hint: /Check the name against the ecs schema/ }],
      },
    ],
  }),
);

t.test('query/syntax', (t) =>
  runCheckCases(t, querySyntax, {
    valid: [
      { name: 'a valid EQL sequence', files: blockQuery('sequence by host.id with maxspan=5s\n  [process where true]\n  [network where true]\n') },
      {
        name: 'a language ruleproof cannot run yet is not a syntax error',
        files: { 'r.yml': nativeRule({ query: { language: 'kql', text: 'process.name : "cmd.exe"' } }) },
      },
    ],
    invalid: [
      {
        name: 'a syntax error on the second line of a block scalar',
        files: blockQuery('process where\n  process.name == == "cmd.exe"\n'),
        errors: [{ at: /process\.name == ==/, message: /the eql query does not parse/, hint: /Fix the query/ }],
      },
      {
        name: "a syntax error inside a TOML ''' string",
        files: toml(`'''
sequence by host.id with maxspan = 30s
  [network where destination.port in (5985, 5986]
'''`),
        errors: [{ at: /destination\.port in \(5985, 5986\]/, message: /does not parse/ }],
      },
    ],
  }),
);

t.test('query/sequence-maxspan', (t) =>
  runCheckCases(t, querySequenceMaxspan, {
    valid: [
      { name: 'an event query', files: blockQuery('process where true\n') },
      { name: 'a sequence with maxspan', files: blockQuery('sequence by host.id with maxspan=5s\n  [process where true]\n  [network where true]\n') },
      { name: 'a KQL query mentioning sequence', files: { 'r.yml': nativeRule({ query: { language: 'kql', text: 'sequence : "x"' } }) } },
    ],
    invalid: [
      {
        name: 'a sequence without maxspan, after a comment that mentions one',
        files: blockQuery('/* with maxspan=5s was too short */\nsequence by host.id\n  [process where process.name == "maxspan=1s"]\n  [network where true]\n'),
        errors: [{ at: /(?<=^ {4})sequence by host\.id$/, column: true, message: /the sequence has no maxspan/, hint: /sequence by host\.id with maxspan=30s/ }],
      },
    ],
  }),
);
