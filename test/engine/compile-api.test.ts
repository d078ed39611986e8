import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { compileQuery } from '../../src/engine/index.js';
import { compile, compileError, ev, events, keys, run, testBinder } from './helpers.js';

t.test('languages other than eql are unsupported', async (t) => {
  const r = compileQuery('FROM logs-* | LIMIT 1', { language: 'esql', fieldView: 'ecs', binder: testBinder });
  t.same(r, { ok: false, errors: [{ kind: 'unsupported', message: 'the query language esql is not supported yet', line: 1, column: 1 }] });
});

t.test('syntax errors carry line and column', async (t) => {
  const e1 = compileError('process where process.name = "x"');
  t.equal(e1.kind, 'syntax');
  t.equal(e1.line, 1);
  t.equal(e1.column, 28);
  t.match(e1.message, /==/);
  const e2 = compileError('sequence by host.id\n  [network where true]\n  [process where process.name == ]');
  t.same([e2.kind, e2.line, e2.column], ['syntax', 3, 34]);
  const e3 = compileError('process where process.name == "x');
  t.same([e3.kind, e3.line, e3.column], ['syntax', 1, 31]);
  t.match(e3.message, /unterminated string/);
  const e4 = compileError('process where');
  t.equal(e4.kind, 'syntax');
  t.equal(compileError('').kind, 'syntax');
  t.equal(compileError('process where true | bogus').kind, 'syntax');
  t.match(compileError('sequence with maxspan=30 [a where true] [b where true]').message, /No time unit/);
  t.match(compileError('sequence with maxspan=30x [a where true] [b where true]').message, /Unrecognized time unit/);
  t.match(compileError('sequence [a where true]').message, /at least two/);
  t.match(compileError('sequence by host.id [a where true] by x [b where true]').message, /Inconsistent number of join keys/);
});

t.test('valid EQL that is not supported is reported as unsupported', async (t) => {
  const pipe = compileError('process where true | unique process.name');
  t.same([pipe.kind, pipe.line, pipe.column], ['unsupported', 1, 22]);
  t.equal(compileError('join [a where true] [b where true]').kind, 'unsupported');
  t.equal(compileError('process where descendant of [process where true]').kind, 'unsupported');
  t.equal(compileError('process where arraySearch(x, a, a == 1)').kind, 'unsupported');
});

t.test('semantic errors: unknown function, bad arity, bad regex, bad CIDR', async (t) => {
  const f = compileError('process where\n  foo(process.name)');
  t.same([f.kind, f.line, f.column], ['semantic', 2, 3]);
  t.match(compileError('process where length()').message, /expects 1/);
  t.match(compileError('process where process.name regex "a[b"').message, /Invalid regex/);
  t.match(compileError('process where cidrMatch(source.ip, "10.0.0.0/99")').message, /CIDR/);
  t.match(compileError('process where source.ip == "not-an-ip"').message, /not a valid IP/);
});

t.test('fields, unknownFields and stageCount', async (t) => {
  const q = compile('sequence by host.id\n [network where source.ip != "::1" and winlog.event_data.Foo == "x"]\n [process where ?process.Ext.bar == null and process.pid > 1]');
  t.same(q.fields, ['event.category', 'host.id', 'process.Ext.bar', 'process.pid', 'source.ip', 'winlog.event_data.Foo']);
  t.same(q.unknownFields, [{ name: 'winlog.event_data.Foo', line: 2, column: 40 }], 'optional fields are never unknown');
  t.equal(q.stageCount, 2);
  t.equal(compile('process where true').stageCount, 1);
  t.equal(compile('sequence [a where true] with runs=2 [b where true]').stageCount, 3, 'runs expand');
});

t.test('explain: per stage, each top-level conjunct with its values', async (t) => {
  const q = compile('sequence by host.id\n [network where destination.port in (5985, 5986) and source.ip != "::1"]\n [process where event.type == "start" and process.parent.name : "wsmprovhost.exe"]');
  const doc = { event: { category: ['network'] }, destination: { port: 5985 }, source: { ip: '0:0:0:0:0:0:0:1' } };
  const ex = q.explain(doc);
  t.equal(ex.length, 2);
  t.same(ex[0], {
    stage: 0,
    text: '[network where destination.port in (5985, 5986) and source.ip != "::1"]',
    category: 'network',
    categoryMatched: true,
    clauses: [
      { text: 'destination.port in (5985, 5986)', matched: true, values: { 'destination.port': 5985 } },
      { text: 'source.ip != "::1"', matched: false, values: { 'source.ip': '0:0:0:0:0:0:0:1' } },
    ],
    matched: false,
  });
  t.equal(ex[1]?.categoryMatched, false);
  t.equal(ex[1]?.matched, false);
  t.same(ex[1]?.clauses.map((c) => c.values), [{ 'event.type': null }, { 'process.parent.name': null }]);
  const single = compile('process where not (process.name : "a" or process.name : "b")').explain({ event: { category: 'process' }, process: { name: 'A' } });
  t.same(single[0]?.clauses, [{ text: 'not (process.name : "a" or process.name : "b")', matched: false, values: { 'process.name': 'A' } }]);
  t.equal(single[0]?.text, 'process where not (process.name : "a" or process.name : "b")');
});

t.test('without a binder, the field view binder is used', async (t) => {
  const r = compileQuery('network where source.ip != "::1" and destination.port == 135', { language: 'eql', fieldView: 'ecs' });
  t.ok(r.ok);
  if (!r.ok) return;
  const alerts: unknown[] = [];
  const det = r.query.newDetector((a) => alerts.push(a));
  det.push(ev({ event: { category: ['network'] }, source: { ip: '0:0:0:0:0:0:0:1' }, destination: { port: 135 } }));
  det.push(ev({ event: { category: ['network'] }, source: { ip: '10.0.0.1' }, destination: { port: '135' } }));
  det.finish();
  t.equal(alerts.length, 1);
});

// ---- the seed rules ----

function tomlQuery(file: string): string {
  const text = readFileSync(file, 'utf8');
  const m = /^query = '''\r?\n([\s\S]*?)'''/m.exec(text);
  if (!m) throw new Error(`no query in ${file}`);
  return m[1] as string;
}
function yamlQuery(file: string): string {
  return (parseYaml(readFileSync(file, 'utf8')) as { query: { text: string } }).query.text;
}

const host = { id: 'h1', name: 'WORKSTATION6', os: { type: 'windows' } };
const inbound = (port: number, ip = '10.0.0.5', extra: Record<string, unknown> = {}) => ({
  event: { category: ['network'] },
  host,
  network: { direction: 'ingress', protocol: 'http' },
  process: { name: 'svchost.exe' },
  source: { ip, port: 50000 },
  destination: { port },
  ...extra,
});
const child = (parent: string, extra: Record<string, unknown> = {}) => ({
  event: { category: ['process'], type: ['start'] },
  host,
  user: { id: 'S-1-5-21-1' },
  data_stream: { dataset: 'windows.sysmon_operational' },
  process: { name: 'whoami.exe', executable: 'C:\\Windows\\System32\\whoami.exe', args: ['whoami.exe'], parent: { name: parent } },
  ...extra,
});

t.test('seed: Incoming Execution via PowerShell Remoting (current, 102, 107)', async (t) => {
  const queries = {
    current: tomlQuery('detections/lateral_movement_powershell_remoting_target.toml'),
    v102: yamlQuery('detections/history/incoming_execution_via_powershell_remoting_v102.yml'),
    v107: yamlQuery('detections/history/incoming_execution_via_powershell_remoting_v107.yml'),
  };
  for (const [name, q] of Object.entries(queries)) {
    const evs = events([inbound(5985), 0], [child('wsmprovhost.exe'), 2000]);
    t.equal(run(q, evs).length, 1, `${name} fires`);
    t.equal(run(q, events([inbound(5985, '::1'), 0], [child('wsmprovhost.exe'), 2000])).length, 0, `${name}: ::1 excluded`);
    t.equal(run(q, events([inbound(5985, '0:0:0:0:0:0:0:1'), 0], [child('wsmprovhost.exe'), 2000])).length, 0, `${name}: long-form ::1 excluded`);
    t.equal(run(q, events([inbound(5985), 0], [child('wsmprovhost.exe'), 31_000])).length, 0, `${name}: beyond maxspan`);
    const conhost = child('wsmprovhost.exe', { process: { name: 'conhost.exe', executable: 'C:\\Windows\\System32\\conhost.exe', parent: { name: 'wsmprovhost.exe' } } });
    t.equal(run(q, events([inbound(5985), 0], [conhost, 1000])).length, 0, `${name}: conhost excluded`);
  }
  const noProto = inbound(5985, '10.0.0.5', { network: { direction: 'ingress' } });
  t.equal(run(queries.current, events([noProto, 0], [child('wsmprovhost.exe'), 1])).length, 1, 'current needs no protocol');
  t.equal(run(queries.v107, events([noProto, 0], [child('wsmprovhost.exe'), 1])).length, 0, '107 needs network.protocol == http');
});

t.test('seed: WMI Incoming Lateral Movement (current, 100)', async (t) => {
  const current = tomlQuery('detections/lateral_movement_incoming_wmi.toml');
  const v100 = yamlQuery('detections/history/wmi_incoming_lateral_movement_v100.yml');
  t.equal(run(current, events([inbound(135), 0], [child('WmiPrvSE.exe'), 5000])).length, 1, 'current fires');
  t.equal(run(current, events([inbound(135), 0], [child('WmiPrvSE.exe'), 21_000])).length, 0, 'current: maxspan 20s');
  const system = child('WmiPrvSE.exe', { winlog: { event_data: { IntegrityLevel: 'System' } } });
  t.equal(run(current, events([inbound(135), 0], [system, 1000])).length, 0, 'current: ?winlog.event_data.IntegrityLevel System excluded');
  const msiexec = child('WmiPrvSE.exe', { process: { name: 'msiexec.exe', executable: 'C:\\Windows\\System32\\msiexec.exe', args: ['msiexec.exe', '/i', 'REBOOT=ReallySuppress'], parent: { name: 'WmiPrvSE.exe' } } });
  t.equal(run(current, events([inbound(135), 0], [msiexec, 1000])).length, 0, 'current: msiexec REBOOT=ReallySuppress excluded via process.args');
  const highPorts = inbound(49700, '10.0.0.5', { source: { ip: '10.0.0.5', port: 49800 } });
  const evs = events([highPorts, 0], [child('WmiPrvSE.exe'), 1500]);
  t.equal(run(v100, evs).length, 1, 'v100 fires on high ports within 2s');
  t.equal(run(v100, events([highPorts, 0], [child('WmiPrvSE.exe'), 2001])).length, 0, 'v100: maxspan 2s');
  const nessus = child('WmiPrvSE.exe', { process: { name: 'cmd.exe', executable: 'C:\\Windows\\System32\\cmd.exe', args: ['cmd.exe', 'C:\\Windows\\TEMP\\nessus_abc.txt'], parent: { name: 'WmiPrvSE.exe' } } });
  t.equal(run(v100, events([highPorts, 0], [nessus, 1000])).length, 0, 'v100: Nessus excluded (case-insensitive, wildcard)');
  t.same(keys(run(v100, evs)), [[evs[0]?.key, evs[1]?.key]]);
});
