import t from 'tap';
import { binderFor, ecsFieldNames, ecsFieldType } from '../../src/events/views/index.js';

t.test('ecs view: known fields carry their Elasticsearch type', async (t) => {
  const ecs = binderFor('ecs');
  t.equal(ecs.name, 'ecs');
  const expected: Record<string, string> = {
    '@timestamp': 'date',
    'process.name': 'keyword',
    'process.pid': 'long',
    'process.args': 'keyword',
    'process.args_count': 'long',
    'process.command_line': 'wildcard',
    'process.parent.name': 'keyword',
    'process.parent.executable': 'keyword',
    'process.parent.pid': 'long',
    'process.pe.original_file_name': 'keyword',
    'process.hash.sha256': 'keyword',
    'process.thread.id': 'long',
    'source.ip': 'ip',
    'source.port': 'long',
    'destination.ip': 'ip',
    'destination.port': 'long',
    'destination.domain': 'keyword',
    'network.direction': 'keyword',
    'network.transport': 'keyword',
    'network.protocol': 'keyword',
    'host.os.type': 'keyword',
    'host.id': 'keyword',
    'host.ip': 'ip',
    'user.id': 'keyword',
    'user.domain': 'keyword',
    'file.path': 'keyword',
    'file.size': 'long',
    'file.pe.imphash': 'keyword',
    'file.code_signature.valid': 'boolean',
    'registry.path': 'keyword',
    'registry.data.strings': 'wildcard',
    'dns.question.name': 'keyword',
    'dns.resolved_ip': 'ip',
    'event.category': 'keyword',
    'event.type': 'keyword',
    'event.code': 'keyword',
    'event.created': 'date',
    'event.severity': 'long',
    'data_stream.dataset': 'keyword',
    'winlog.channel': 'keyword',
    'winlog.event_id': 'keyword',
    'winlog.computer_name': 'keyword',
    'winlog.process.pid': 'long',
    'winlog.record_id': 'keyword',
    'message': 'match_only_text',
    'powershell.file.script_block_text': 'text', // as the Windows integration maps it (text with a PowerShell analyzer)
  };
  for (const [name, type] of Object.entries(expected)) {
    t.same(ecs.bind(name), { path: name, type, known: true }, name);
  }
});

t.test('ecs view: winlog.event_data.* is known keyword, whatever the name', async (t) => {
  const ecs = binderFor('ecs');
  t.same(ecs.bind('winlog.event_data.IntegrityLevel'), { path: 'winlog.event_data.IntegrityLevel', type: 'keyword', known: true });
  t.same(ecs.bind('winlog.event_data.AnythingAtAll'), { path: 'winlog.event_data.AnythingAtAll', type: 'keyword', known: true });
  // the prefix alone is the object, not a dynamic leaf
  t.equal(ecs.bind('winlog.event_data').type, 'object');
});

t.test('ecs view: unknown names bind as written, unknown', async (t) => {
  const ecs = binderFor('ecs');
  t.same(ecs.bind('process.Ext.token.integrity_level_name'), { path: 'process.Ext.token.integrity_level_name', type: 'unknown', known: false });
  t.same(ecs.bind('proces.name'), { path: 'proces.name', type: 'unknown', known: false });
  t.same(ecs.bind('Image'), { path: 'Image', type: 'unknown', known: false });
});

t.test('ecs table covers every reused fieldset place', async (t) => {
  const names = new Set(ecsFieldNames());
  for (const f of ['source.user.name', 'destination.geo.country_iso_code', 'process.parent.hash.md5', 'dll.code_signature.subject_name', 'host.os.name', 'user.target.name', 'process.parent.args']) {
    t.ok(names.has(f), f);
  }
  t.equal(ecsFieldType('no.such.field'), undefined);
  t.ok(names.size > 400, `table has ${names.size} fields`);
});

t.test('sysmon view: EventData names bind to ECS fields with ECS types', async (t) => {
  const sysmon = binderFor('sysmon');
  t.equal(sysmon.name, 'sysmon');
  const cases: Array<[string, string, string]> = [
    ['Image', 'process.executable', 'keyword'],
    ['ParentImage', 'process.parent.executable', 'keyword'],
    ['CommandLine', 'process.command_line', 'wildcard'],
    ['ParentCommandLine', 'process.parent.command_line', 'wildcard'],
    ['ProcessId', 'process.pid', 'long'],
    ['ParentProcessId', 'process.parent.pid', 'long'],
    ['ProcessGuid', 'process.entity_id', 'keyword'],
    ['CurrentDirectory', 'process.working_directory', 'keyword'],
    ['SourceIp', 'source.ip', 'ip'],
    ['SourcePort', 'source.port', 'long'],
    ['DestinationIp', 'destination.ip', 'ip'],
    ['DestinationPort', 'destination.port', 'long'],
    ['DestinationHostname', 'destination.domain', 'keyword'],
    ['Protocol', 'network.transport', 'keyword'],
    ['TargetFilename', 'file.path', 'keyword'],
    ['ImageLoaded', 'file.path', 'keyword'],
    ['TargetObject', 'registry.path', 'keyword'],
    ['QueryName', 'dns.question.name', 'keyword'],
    ['SourceImage', 'process.executable', 'keyword'],
    ['SourceThreadId', 'process.thread.id', 'long'],
    ['EventID', 'winlog.event_id', 'keyword'],
    ['Computer', 'winlog.computer_name', 'keyword'],
  ];
  for (const [name, path, type] of cases) t.same(sysmon.bind(name), { path, type, known: true }, name);
  // case-insensitive fallback, bound to the canonical name
  t.same(sysmon.bind('image'), { path: 'process.executable', type: 'keyword', known: true });
});

t.test('sysmon view: names that are not faithful ECS copies stay in winlog.event_data', async (t) => {
  const sysmon = binderFor('sysmon');
  for (const name of ['User', 'IntegrityLevel', 'Hashes', 'Company', 'OriginalFileName', 'TargetImage', 'GrantedAccess', 'Initiated', 'DestinationPortName', 'Details', 'EventType']) {
    t.same(sysmon.bind(name), { path: `winlog.event_data.${name}`, type: 'keyword', known: true }, name);
  }
  t.same(sysmon.bind('NotASysmonField'), { path: 'winlog.event_data.NotASysmonField', type: 'keyword', known: false });
  // dotted names are canonical names
  t.same(sysmon.bind('host.os.type'), { path: 'host.os.type', type: 'keyword', known: true });
  t.same(sysmon.bind('no.such'), { path: 'no.such', type: 'unknown', known: false });
});

t.test('canonical names still bind in the other views', async (t) => {
  const cim = binderFor('cim');
  t.equal(cim.name, 'cim');
  t.same(cim.bind('process.name'), { path: 'process.name', type: 'keyword', known: true });
  t.same(cim.bind('Processes.process_name'), { path: 'process.name', type: 'keyword', known: true }, 'the cim view (issue 6)');
  t.equal(binderFor('sigma').bind('Image').path, 'winlog.event_data.Image', 'sigma names read the raw record');
});
