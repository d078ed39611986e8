import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readOtrfJsonRecords, otrfToWindowsRecord } from '../../src/events/readers/otrf-json.js';
import { readEcsNdjsonRecords } from '../../src/events/readers/ecs-ndjson.js';
import { readJsonArrayRecords } from '../../src/events/readers/json-array.js';
import type { RawRecord, ReaderOptions } from '../../src/events/readers/types.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';
import { sampleLine, sampleRecord } from './helpers.js';

async function collect(
  reader: (p: string, o: ReaderOptions) => AsyncGenerator<RawRecord>,
  file: string,
  extra: Partial<ReaderOptions> = {},
): Promise<{ records: RawRecord[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const records: RawRecord[] = [];
  for await (const r of reader(file, { file: 'data/x.json', onDiagnostic: (d) => diagnostics.push(d), ...extra })) records.push(r);
  return { records, diagnostics };
}

const sysmon3 = sampleLine('eid3_system_5985').raw;
const sec4624 = sampleLine('sec4624').raw;

t.test('otrf-json: metadata vs EventData, System fields', async (t) => {
  const r = sampleRecord('eid3_system_5985');
  t.equal(r.provider, 'Microsoft-Windows-Sysmon');
  t.equal(r.providerGuid, '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}');
  t.equal(r.eventId, 3);
  t.equal(r.version, 5);
  t.equal(r.level, 4, 'NXLog INFO is Windows level 4');
  t.equal(r.task, 3);
  t.equal(r.opcode, 0);
  t.equal(r.keywords, '0x8000000000000000');
  t.equal(r.recordId, 3092506);
  t.equal(r.channel, 'Microsoft-Windows-Sysmon/Operational');
  t.equal(r.computer, 'WORKSTATION6.theshire.local');
  t.equal(r.userSid, 'S-1-5-18');
  t.equal(r.timeCreated, '2020-09-20T21:09:10.000Z', 'EventTime 17:09:10 at -04:00');
  t.equal(r.eventData.DestinationPort, '5985');
  t.equal(r.eventData.SourceHostname, '-', 'the reader keeps values as written; the normalizer drops "-"');
  for (const meta of ['EventTime', 'Hostname', 'SourceName', 'RecordNumber', 'Keywords', 'tags', '@timestamp', 'host', 'port', 'EventType', 'Channel', 'UserID']) {
    t.notOk(meta in r.eventData, `${meta} is not EventData`);
  }
});

t.test('otrf-json: Security audit keywords and level; lower-case channel restored', async (t) => {
  const r = sampleRecord('sec4624');
  t.equal(r.keywords, '0x8020000000000000', '64-bit mask read exactly from the line text');
  t.equal(r.level, 0, 'audit events are LogAlways');
  const lower = sampleRecord('sec4624_lowercase_channel');
  t.equal(lower.channel, 'Security');
  t.equal(lower.eventData.ProcessId, undefined, "2019 capture: NXLog's ProcessID is not the event's ProcessId");
  t.type(lower.processId, 'number');
});

t.test('otrf-json: 2019 Sysmon values recovered from Message', async (t) => {
  const r = sampleRecord('eid1_2019_message_pid');
  t.match(r.eventData.ProcessId, /^\d+$/);
  t.equal(r.message?.startsWith('Process Create:'), true);
  const msgPid = /\r\nProcessId: (\d+)\r\n/.exec(r.message as string);
  t.equal(r.eventData.ProcessId, msgPid?.[1]);
});

t.test('otrf-json: CRLF, BOM, blank lines, malformed lines reported with file and line', async (t) => {
  const dir = t.testdir({});
  const file = path.join(dir, 'mixed.json');
  const text = '\uFEFF' + sysmon3 + '\r\n\r\n   \r\n{"EventID": 1, broken\r\n[1,2]\r\n{"no": "event id"}\r\n' + sec4624 + '\r\n';
  writeFileSync(file, text);
  const { records, diagnostics } = await collect(readOtrfJsonRecords, file, { timezone: '-04:00' });
  t.equal(records.length, 2);
  t.same(records.map((r) => [r.line, r.ordinal]), [[1, 0], [7, 1]]);
  const first = records[0] as Extract<RawRecord, { kind: 'windows' }>;
  t.equal(first.record.eventData.RuleName, '-', 'no CR left in values');
  t.equal(first.record.provider, 'Microsoft-Windows-Sysmon', 'BOM stripped');
  t.same(
    diagnostics.map((d) => [d.code, d.file, d.line, d.severity]),
    [
      ['dataset/malformed-line', 'data/x.json', 4, 'warning'],
      ['dataset/malformed-line', 'data/x.json', 5, 'warning'],
      ['dataset/malformed-line', 'data/x.json', 6, 'warning'],
    ],
  );
  t.match(diagnostics[0]?.message, /line 4 is not valid JSON/);
  t.ok((diagnostics[0]?.column ?? 0) > 1, 'column of the JSON error');
  t.match(diagnostics[2]?.message, /no EventID/);
  t.ok(diagnostics.every((d) => d.hint), 'every warning says what to do');
});

t.test('otrf-json: without a timezone, non-Sysmon events use the collector time, with one warning', async (t) => {
  const dir = t.testdir({ 'a.json': sec4624 + '\n' + sec4624 + '\n' });
  const { records, diagnostics } = await collect(readOtrfJsonRecords, path.join(dir, 'a.json'));
  t.equal(diagnostics.length, 1);
  t.equal(diagnostics[0]?.code, 'dataset/no-timezone');
  const r = (records[0] as Extract<RawRecord, { kind: 'windows' }>).record;
  t.equal(r.timeCreated, new Date(Date.parse(JSON.parse(sec4624)['@timestamp'])).toISOString());
});

t.test('otrf-json: IANA zone converts with daylight saving', async (t) => {
  const obj = JSON.parse(sysmon3) as Record<string, unknown>;
  t.equal(otrfToWindowsRecord(obj, 'America/New_York').record?.timeCreated, '2020-09-20T21:09:10.000Z', 'EDT in September');
  t.equal(otrfToWindowsRecord({ ...obj, EventTime: '2019-12-04 20:49:48' }, 'America/New_York').record?.timeCreated, '2019-12-05T01:49:48.000Z', 'EST in December');
  t.equal(otrfToWindowsRecord(obj, 'UTC').record?.timeCreated, '2020-09-20T17:09:10.000Z');
});

t.test('ecs-ndjson: nested and dotted documents, _source hits, CRLF, malformed lines', async (t) => {
  const lines = [
    JSON.stringify({ '@timestamp': '2021-01-01T00:00:00Z', process: { name: 'a.exe' }, winlog: { channel: 'x' } }),
    JSON.stringify({ '@timestamp': '2021-01-01T00:00:01Z', 'process.name': 'b.exe' }),
    '',
    '{not json',
    JSON.stringify({ _index: 'logs', _source: { '@timestamp': '2021-01-01T00:00:02Z', 'host.name': 'h' } }),
    '"a string"',
  ];
  const dir = t.testdir({ 'e.ndjson': '\uFEFF' + lines.join('\r\n') + '\r\n' });
  const { records, diagnostics } = await collect(readEcsNdjsonRecords, path.join(dir, 'e.ndjson'));
  t.equal(records.length, 3);
  t.same(records.map((r) => r.kind), ['document', 'document', 'document']);
  t.same(records.map((r) => r.line), [1, 2, 5]);
  t.same((records[0] as Extract<RawRecord, { kind: 'document' }>).doc.process, { name: 'a.exe' });
  t.equal((records[1] as Extract<RawRecord, { kind: 'document' }>).doc['process.name'], 'b.exe');
  t.same((records[2] as Extract<RawRecord, { kind: 'document' }>).doc, { '@timestamp': '2021-01-01T00:00:02Z', 'host.name': 'h' }, '_source unwrapped');
  t.same(diagnostics.map((d) => [d.code, d.line]), [['dataset/malformed-line', 4], ['dataset/malformed-line', 6]]);
});

t.test('json-array: elements streamed with their line, OTRF elements become Windows records', async (t) => {
  const doc = { '@timestamp': '2021-01-01T00:00:00Z', message: 'has ] and } and "quotes" inside', nested: { a: [1, { b: 2 }] } };
  const text = '\uFEFF[\r\n  ' + JSON.stringify(doc) + ',\r\n  ' + sysmon3 + ',\r\n  42,\r\n  "str"\r\n]\r\n';
  const dir = t.testdir({ 'a.json': text });
  const { records, diagnostics } = await collect(readJsonArrayRecords, path.join(dir, 'a.json'), { timezone: '-04:00' });
  t.equal(records.length, 2);
  t.same((records[0] as Extract<RawRecord, { kind: 'document' }>).doc, doc);
  t.equal(records[0]?.line, 2);
  t.equal(records[1]?.kind, 'windows');
  t.equal(records[1]?.line, 3);
  t.equal((records[1] as Extract<RawRecord, { kind: 'windows' }>).record.recordId, 3092506);
  t.same(diagnostics.map((d) => [d.code, d.line]), [['dataset/malformed-line', 4], ['dataset/malformed-line', 5]]);
});

t.test('json-array: a truncated array is reported', async (t) => {
  const dir = t.testdir({ 'a.json': '[{"@timestamp": "2021-01-01T00:00:00Z"}, {"a": ' });
  const { records, diagnostics } = await collect(readJsonArrayRecords, path.join(dir, 'a.json'));
  t.equal(records.length, 1);
  t.equal(diagnostics.length, 1);
  t.match(diagnostics[0]?.message, /truncated/);
});

t.test('json-array: elements larger than one read chunk', async (t) => {
  const big = { '@timestamp': '2021-01-01T00:00:00Z', message: 'x'.repeat(200_000) };
  const dir = t.testdir({ 'a.json': '[' + JSON.stringify(big) + ',' + JSON.stringify(big) + ']' });
  const { records, diagnostics } = await collect(readJsonArrayRecords, path.join(dir, 'a.json'));
  t.equal(records.length, 2);
  t.equal(diagnostics.length, 0);
  t.equal(((records[1] as Extract<RawRecord, { kind: 'document' }>).doc.message as string).length, 200_000);
});
