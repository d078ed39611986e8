import t from 'tap';
import { fieldSchema, fieldSchemaSources, schemaFieldType } from '../../src/events/views/field-schemas.js';
import { ecsFieldNames, ecsFieldType } from '../../src/events/views/index.js';

t.test('generated schemas record where they came from', async (t) => {
  const sources = fieldSchemaSources() as Record<string, { repository: string; licence: string; commit?: string; version?: string }>;
  t.equal(sources.ecs!.repository, 'elastic/ecs');
  t.equal(sources.ecs!.version, '9.4.0');
  t.match(sources.ecs!.commit, /^[0-9a-f]{40}$/);
  t.equal(sources.ecs!.licence, 'Apache-2.0');
  t.equal(sources.endpoint!.repository, 'elastic/endpoint-package');
  t.equal(sources.endpoint!.licence, 'Elastic-2.0');
  t.equal(sources.windows!.repository, 'elastic/integrations');
});

t.test('ecs schema: ECS fields, reuse and multi-fields, with their types', async (t) => {
  const ecs = fieldSchema('ecs');
  const cases: Array<[string, string]> = [
    ['process.name', 'keyword'],
    ['process.name.text', 'match_only_text'],
    ['process.command_line', 'wildcard'],
    ['process.entry_leader.entry_meta.type', 'keyword'],
    ['container.id', 'keyword'],
    ['destination.port', 'long'],
    ['source.ip', 'ip'],
    ['@timestamp', 'date'],
  ];
  for (const [name, type] of cases) t.equal(schemaFieldType(ecs, name), type, name);
  t.equal(schemaFieldType(ecs, 'labels.anything'), 'keyword', 'labels.* is a dynamic keyword object');
  t.equal(schemaFieldType(ecs, 'process.Ext.token.integrity_level_name'), undefined, 'Elastic Defend fields are not ECS');
});

t.test('endpoint schema: the fields Elastic Defend adds beyond ECS', async (t) => {
  const endpoint = fieldSchema('endpoint');
  t.equal(schemaFieldType(endpoint, 'process.Ext.token.integrity_level_name'), 'keyword');
  t.equal(schemaFieldType(endpoint, 'process.name.caseless'), 'keyword');
  t.equal(schemaFieldType(endpoint, 'file.Ext.header_bytes'), 'keyword');
  t.equal(schemaFieldType(endpoint, 'process.name'), undefined, 'ECS fields are left to the ecs schema');
});

t.test('windows schema: winlog, powershell and sysmon fields of the Windows integration', async (t) => {
  const windows = fieldSchema('windows');
  t.equal(schemaFieldType(windows, 'winlog.api'), 'keyword');
  t.equal(schemaFieldType(windows, 'winlog.logon.type'), 'keyword');
  t.equal(schemaFieldType(windows, 'powershell.file.script_block_length'), 'long');
  t.equal(schemaFieldType(windows, 'sysmon.file.archived'), 'boolean');
  t.equal(schemaFieldType(windows, 'winlog.event_data.NotListedAnywhere'), 'keyword', 'dynamic event_data');
  t.equal(schemaFieldType(windows, 'winlog.user_data.Whatever'), 'keyword', 'dynamic user_data');
});

t.test('the ecs view is ECS plus the Windows integration', async (t) => {
  const names = new Set(ecsFieldNames());
  t.ok(names.has('process.name') && names.has('winlog.channel') && names.has('powershell.file.script_block_text'));
  t.notOk(names.has('process.Ext.token.integrity_level_name'));
  t.ok(names.size > 2500, `${names.size} names`);
  t.same([...names], [...names].sort(), 'sorted');
  t.equal(ecsFieldType('winlog.event_data.SubjectUserName'), 'keyword');
});
