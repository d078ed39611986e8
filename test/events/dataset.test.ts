import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describeDataset, openDataset, openRawRecords, readerFor, sniffFormat } from '../../src/events/dataset.js';
import { descriptorProblems } from '../../src/events/descriptor.js';
import type { ReadOptions, ReplayEvent } from '../../src/events/types.js';
import { ContentError, type Diagnostic } from '../../src/util/diagnostics.js';
import { repoRoot, sampleLine } from './helpers.js';
import { getField } from '../../src/events/fields.js';

async function replay(file: string, root: string, extra: Partial<ReadOptions> = {}): Promise<{ events: ReplayEvent[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const events: ReplayEvent[] = [];
  for await (const e of openDataset(file, { root, onDiagnostic: (d) => diagnostics.push(d), ...extra })) events.push(e);
  return { events, diagnostics };
}

async function contentError(p: Promise<unknown>): Promise<Diagnostic> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ContentError) return err.diagnostic;
    throw err;
  }
  throw new Error('expected a ContentError');
}

const ecsLine = (ts: string | undefined, name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...(ts ? { '@timestamp': ts } : {}), event: { code: '1' }, process: { name }, ...extra });

t.test('events come out in (timestamp, ordinal) order with line keys', async (t) => {
  const lines = [
    ecsLine('2021-01-01T00:00:03Z', 'c'),
    ecsLine('2021-01-01T00:00:01Z', 'a'),
    ecsLine('2021-01-01T00:00:03Z', 'd'),
    ecsLine('2021-01-01T00:00:02Z', 'b'),
  ];
  const root = t.testdir({ data: { 'x.ndjson': lines.join('\n') + '\n' } });
  const { events, diagnostics } = await replay('data/x.ndjson', root);
  t.same(diagnostics, []);
  t.same(events.map((e) => (e.doc.process as { name: string }).name), ['a', 'b', 'c', 'd'], 'equal times keep file order');
  t.same(events.map((e) => e.key), ['line:2', 'line:4', 'line:1', 'line:3']);
  t.same(events.map((e) => e.ordinal), [1, 3, 0, 2]);
  t.equal(events[0]?.dataset, 'data/x.ndjson');
  t.equal(events[0]?.timestamp, Date.parse('2021-01-01T00:00:01Z'));
});

t.test('spill path: a small buffer limit sorts through temporary runs, same result as in memory', async (t) => {
  const lines: string[] = [];
  // deterministic pseudo-random times with many ties
  let x = 7;
  for (let i = 0; i < 101; i++) {
    x = (x * 31 + 17) % 97;
    lines.push(ecsLine(new Date(Date.UTC(2021, 0, 1, 0, 0, x % 13)).toISOString(), `p${i}`));
  }
  lines.splice(50, 0, ecsLine(undefined, 'untimed'));
  const tmp = t.testdir({ data: { 'x.ndjson': lines.join('\n') }, tmp: {} });
  const inMemory = await replay('data/x.ndjson', tmp);
  const spilled = await replay('data/x.ndjson', tmp, { timeOrder: 'sort', sortBufferLimit: 7, tmpDir: path.join(tmp, 'tmp') });
  t.equal(spilled.events.length, 102);
  t.same(spilled.events.map((e) => e.key), inMemory.events.map((e) => e.key));
  t.same(spilled.events.map((e) => e.doc), inMemory.events.map((e) => e.doc), 'documents survive the round trip');
  t.equal((spilled.events[0]?.doc.process as { name: string }).name, 'untimed', 'events without a time come first');
  t.ok(Number.isNaN(spilled.events[0]?.timestamp));
  for (let i = 2; i < spilled.events.length; i++) {
    const a = spilled.events[i - 1] as ReplayEvent;
    const b = spilled.events[i] as ReplayEvent;
    if (a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.ordinal > b.ordinal)) t.fail(`out of order at ${i}`);
  }
  t.same(readdirSync(path.join(tmp, 'tmp')), [], 'temporary runs removed');
  t.same(spilled.diagnostics.map((d) => d.code), ['dataset/no-timestamp']);
});

t.test('CRLF NDJSON with a malformed line: warning with file and line, the rest replays', async (t) => {
  const root = t.testdir({ data: { 'x.ndjson': [ecsLine('2021-01-01T00:00:01Z', 'a'), '{"broken": ', ecsLine('2021-01-01T00:00:02Z', 'b')].join('\r\n') } });
  const { events, diagnostics } = await replay('data/x.ndjson', root);
  t.equal(events.length, 2);
  t.equal(diagnostics.length, 1);
  t.match(diagnostics[0], { file: 'data/x.ndjson', line: 2, severity: 'warning', code: 'dataset/malformed-line' });
});

t.test('a missing dataset is a ContentError with a hint', async (t) => {
  const root = t.testdir({});
  const d = await contentError(replay('datasets/nope.json', root));
  t.match(d, { code: 'dataset/missing', file: 'datasets/nope.json', severity: 'error' });
  t.match(d.message, /not found/);
  t.match(d.hint, /relative to the repository root/);
  const dir = await contentError(replay('.', root));
  t.equal(dir.code, 'dataset/missing');
});

t.test('paths: absolute, and written with backslashes', async (t) => {
  const root = t.testdir({ data: { sub: { 'x.ndjson': ecsLine('2021-01-01T00:00:01Z', 'a') } } });
  const abs = await replay(path.join(root, 'data', 'sub', 'x.ndjson'), root);
  t.equal(abs.events[0]?.dataset, 'data/sub/x.ndjson');
  const win = await replay('data\\sub\\x.ndjson', root);
  t.equal(win.events[0]?.dataset, 'data/sub/x.ndjson');
});

t.test('descriptors: <file>.meta.yml and folder dataset.yml are read and applied', async (t) => {
  const sec = sampleLine('sec4624').raw;
  const root = t.testdir({
    a: { 'x.log': sec, 'x.log.meta.yml': 'format: otrf-json\ntimezone: "-04:00"\nsynthetic: false\n' },
    b: { 'y.log': sec, 'dataset.yml': 'format: otrf-json\ntimezone: UTC\n' },
  });
  const a = await replay('a/x.log', root);
  t.equal(a.events[0]?.doc['@timestamp'], new Date(Date.parse(JSON.parse(sec).EventTime.replace(' ', 'T') + '-04:00')).toISOString());
  const b = await replay('b/y.log', root);
  t.equal(b.events[0]?.doc['@timestamp'], JSON.parse(sec).EventTime.replace(' ', 'T') + '.000Z');
  const desc = await describeDataset('a/x.log', { root, onDiagnostic: () => {} });
  t.equal(desc.descriptorFile, 'a/x.log.meta.yml');
  t.same(desc.descriptor, { format: 'otrf-json', timezone: '-04:00', synthetic: false });
});

t.test('descriptor errors: unknown key, bad values, bad timezone, YAML syntax — located', async (t) => {
  const root = t.testdir({
    'a.json.meta.yml': 'format: otrf-json\ntimezon: "-04:00"\n',
    'b.json.meta.yml': 'format: csv\ntechniques: [T1021.6]\nsynthetic: maybe\n',
    'c.json.meta.yml': 'timezone: Mars/Olympus\n',
    'd.json.meta.yml': 'format: [otrf-json\n',
    'e.json.meta.yml': '- just a list\n',
    'a.json': '', 'b.json': '', 'c.json': '', 'd.json': '', 'e.json': '',
  });
  const unknown = await contentError(replay('a.json', root));
  t.match(unknown, { code: 'dataset/descriptor', file: 'a.json.meta.yml', line: 2, column: 1 });
  t.match(unknown.message, /unknown key "timezon"/);
  t.match(unknown.hint, /timezone/);

  const all = descriptorProblems(path.join(root, 'b.json.meta.yml'), root).errors;
  t.same(all.map((d) => d.line), [1, 2, 3]);
  t.match(all[0]?.hint, /otrf-json/);
  t.match(all[1]?.message, /techniques\.0/);
  t.match(all[2]?.message, /synthetic must be boolean/);

  const tz = await contentError(replay('c.json', root));
  t.match(tz, { code: 'dataset/descriptor', line: 1, column: 11 });
  t.match(tz.message, /unknown timezone "Mars\/Olympus"/);

  const syntax = await contentError(replay('d.json', root));
  t.match(syntax, { code: 'dataset/descriptor', file: 'd.json.meta.yml' });
  t.match(syntax.message, /YAML syntax error/);
  t.ok(syntax.line >= 1);

  const notMap = await contentError(replay('e.json', root));
  t.match(notMap.message, /must be object/);
});

t.test('format sniffing', async (t) => {
  const root = t.testdir({
    'otrf.json': sampleLine('eid1_wsmprovhost').raw + '\n',
    'ecs.json': '\uFEFF  ' + ecsLine('2021-01-01T00:00:00Z', 'a') + '\n',
    'winlog.json': JSON.stringify({ winlog: { event_id: '1' } }) + '\n',
    'arr.json': '  [ {"a": 1} ]',
    'x.xml': '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"></Event>',
    'x.evtx': Buffer.concat([Buffer.from('ElfFile\0', 'latin1'), Buffer.alloc(100)]),
    'lfs.json': 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n',
    'gz.json': Buffer.from([0x1f, 0x8b, 8, 0]),
    'zip.json': Buffer.from([0x50, 0x4b, 3, 4, 0]),
    'other.json': '{"foo": 1}\n',
    'text.log': 'hello\n',
    'empty.json': '\n\n',
  });
  const sniff = (f: string) => sniffFormat(path.join(root, f), f);
  t.equal(sniff('otrf.json'), 'otrf-json');
  t.equal(sniff('ecs.json'), 'ecs-ndjson');
  t.equal(sniff('winlog.json'), 'ecs-ndjson');
  t.equal(sniff('arr.json'), 'json-array');
  t.equal(sniff('x.xml'), 'sysmon-xml');
  t.equal(sniff('x.evtx'), 'evtx');
  t.equal(sniff('empty.json'), 'empty');
  const codeOf = (f: string) => {
    try {
      sniff(f);
      return 'none';
    } catch (err) {
      return err instanceof ContentError ? `${err.diagnostic.code}: ${err.diagnostic.hint ?? ''}` : 'other';
    }
  };
  t.match(codeOf('lfs.json'), /^dataset\/lfs-pointer: .*git lfs pull/);
  t.equal(sniff('gz.json'), 'gzip', 'containers are recognised; their content is sniffed when opened');
  t.equal(sniff('zip.json'), 'zip');
  t.match(codeOf('other.json'), /^dataset\/unknown-format: .*meta\.yml/);
  t.match(codeOf('text.log'), /^dataset\/unknown-format/);

  const empty = await replay('empty.json', root);
  t.same(empty.events, []);
  t.same(empty.diagnostics.map((d) => d.code), ['dataset/empty']);
  const arr = await replay('arr.json', root);
  t.same(arr.events.map((e) => e.doc), [{ a: 1 }]);
});

t.test('EVTX and Splunk XML dispatch to the other readers, or say the format is unsupported', async (t) => {
  for (const [format, module] of [
    ['evtx', 'src/events/readers/evtx/index.ts'],
    ['sysmon-xml', 'src/events/readers/splunk-xml.ts'],
  ] as const) {
    if (existsSync(path.join(repoRoot, module))) {
      t.type(await readerFor(format, 'x'), 'function', `${format} reader loaded from ${module}`);
    } else {
      const d = await contentError(readerFor(format, 'x'));
      t.equal(d.code, 'dataset/unsupported-format', `${format}: no reader built`);
      t.match(d.message, /unsupported format/);
    }
  }
});

t.test('record keys: line numbers for line-based files (record numbers repeat across hosts)', async (t) => {
  const root = t.testdir({ 'a.json': [sampleLine('eid3_system_5985').raw, sampleLine('eid1_powershell_child').raw].join('\n'), 'a.json.meta.yml': 'timezone: "-04:00"\n' });
  const { events } = await replay('a.json', root);
  t.same(events.map((e) => e.key).sort(), ['line:1', 'line:2']);
  const raw = [];
  for await (const r of openRawRecords('a.json', { root, onDiagnostic: () => {} })) raw.push(r);
  t.same(raw.map((r) => [r.kind, r.line, r.ordinal]), [['windows', 1, 0], ['windows', 2, 1]]);
  t.equal(raw[0]?.kind === 'windows' && raw[0].record.eventData.SourceHostname, '-', 'raw records are before normalization');
});

t.test('ECS documents pass through; @timestamp ensured from event.created', async (t) => {
  const root = t.testdir({ 'e.ndjson': JSON.stringify({ event: { created: '2021-02-03T04:05:06.789Z', code: '4624' }, winlog: { record_id: 77, channel: 'Security' } }) + '\n' });
  const { events } = await replay('e.ndjson', root);
  t.equal(events[0]?.doc['@timestamp'], '2021-02-03T04:05:06.789Z');
  t.equal(events[0]?.key, 'line:1');
  t.same((events[0]?.doc.winlog as Record<string, unknown>).channel, 'Security');
});

t.test('describeDataset on a bundled OTRF capture', async (t) => {
  const diagnostics: Diagnostic[] = [];
  const d = await describeDataset('datasets/otrf-security-datasets/empire_psremoting_stager_2020-09-20170827.json', { root: repoRoot, onDiagnostic: (x) => diagnostics.push(x) });
  t.same(diagnostics, []);
  t.equal(d.format, 'otrf-json');
  t.equal(d.events, 2744, 'the count in the dataset README');
  t.equal(d.warnings, 0);
  t.equal(d.descriptor.timezone, '-04:00');
  t.same(d.hosts, ['MORDORDC.theshire.local', 'WORKSTATION5.theshire.local', 'WORKSTATION6', 'WORKSTATION6.theshire.local']);
  t.ok(d.channels.includes('Microsoft-Windows-Sysmon/Operational'));
  t.ok(d.channels.includes('Security'));
  t.notOk(d.channels.includes('security'), 'channel case normalized');
  const ids = d.eventIds.map((e) => Number(e.id));
  t.same(ids, [...ids].sort((a, b) => a - b), 'event ids sorted numerically');
  t.equal(d.eventIds.find((e) => e.id === '12')?.count, 850);
  t.equal(d.eventIds.reduce((n, e) => n + e.count, 0), 2744);
  t.equal(d.firstTimestamp, '2020-09-20T21:08:27.000Z');
  t.equal(d.lastTimestamp, '2020-09-20T21:10:06.103Z');
});

t.test('every bundled OTRF capture replays in time order with its README count', async (t) => {
  const expected: Record<string, number> = {
    'empire_psremoting_stager_2020-09-20170827.json': 2744,
    'covenant_psremoting_grunt_2019-12-05014931.json': 4305,
    'covenant_psremoting_command_2020-08-06115603.json': 4284,
    'empire_wmi_dcerpc_wmi_IWbemServices_ExecMethod_2020-09-21001437.json': 6383,
    'covenant_sharpwmi_create_dcerpc_wmi_2020-08-06035621.json': 2343,
    'covenant_sharpsc_create_dcerpc_smb_svcctl_2020-08-06022635.json': 3390,
  };
  for (const [file, count] of Object.entries(expected)) {
    let n = 0;
    let prev = -Infinity;
    let disorder = 0;
    const diagnostics: Diagnostic[] = [];
    for await (const e of openDataset(`datasets/otrf-security-datasets/${file}`, { root: repoRoot, onDiagnostic: (d) => diagnostics.push(d) })) {
      n++;
      if (!(e.timestamp >= prev)) disorder++;
      prev = e.timestamp;
    }
    t.equal(n, count, `${file}: ${count} events`);
    t.equal(disorder, 0, `${file}: time order`);
    t.same(diagnostics, [], `${file}: no warnings`);
  }
});

t.test('the WinRM attack events of the Empire capture, as a rule sees them', async (t) => {
  const hits: ReplayEvent[] = [];
  for await (const e of openDataset('datasets/otrf-security-datasets/empire_psremoting_stager_2020-09-20170827.json', { root: repoRoot, onDiagnostic: () => {} })) {
    const doc = e.doc as { host?: { id?: string }; destination?: { port?: number }; network?: { direction?: string }; process?: { parent?: { name?: string } } };
    if (doc.host?.id !== 'workstation6') continue;
    if ((doc.destination?.port === 5985 && doc.network?.direction === 'ingress') || doc.process?.parent?.name === 'wsmprovhost.exe') hits.push(e);
  }
  t.ok(hits.length >= 2);
  t.equal(hits[0]?.doc['@timestamp'], '2020-09-20T21:09:08.008Z', 'the incoming connection comes first');
  t.ok(hits.some((e) => e.doc['@timestamp'] === '2020-09-20T21:09:11.252Z'), 'then wsmprovhost starts powershell');
});

t.test('record keys: EVTX records are keyed by their EventRecordID', async (t) => {
  const dir = path.join(repoRoot, 'datasets/evtx-attack-samples/lateral_movement');
  const file = readdirSync(dir).find((f) => f.endsWith('.evtx'));
  t.ok(file, 'a bundled EVTX sample exists');
  const events = [];
  for await (const e of openDataset(path.join(dir, file as string), { root: repoRoot, onDiagnostic: () => {} })) events.push(e);
  t.ok(events.length > 0);
  for (const e of events) t.equal(e.key, `record:${String(getField(e.doc, 'winlog.record_id'))}`);
  t.equal(new Set(events.map((e) => e.key)).size, events.length, 'unique within the file');
});
