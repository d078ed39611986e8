import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSplunkXmlChunks, readSplunkXmlRecords } from '../../src/events/readers/splunk-xml.js';
import type { RawRecord, ReaderOptions } from '../../src/events/readers/types.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'test/fixtures/xml');

async function collect(iter: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of iter) out.push(r);
  return out;
}

function opts(file = 'x.xml'): ReaderOptions & { diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  return { file, onDiagnostic: (d) => diagnostics.push(d), diagnostics };
}

async function readText(text: string | Uint8Array, chunkSize = 1 << 20) {
  const o = opts();
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const records = await collect(readSplunkXmlChunks(chunks(), o));
  return { records, windows: records.map((r) => (r.kind === 'windows' ? r.record : undefined!)), diagnostics: o.diagnostics };
}

async function readFile(abs: string, file: string) {
  const o = opts(file);
  const records = await collect(readSplunkXmlRecords(abs, o));
  return { records, diagnostics: o.diagnostics };
}

const NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";
function ev(id: number, record: number, data: string, extra = ''): string {
  return (
    `<Event ${NS}><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/>` +
    `<EventID>${id}</EventID><Version>5</Version><Level>4</Level><Task>${id}</Task><Opcode>0</Opcode>` +
    `<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2024-03-12T14:03:11.5320000Z'/>` +
    `<EventRecordID>${record}</EventRecordID><Correlation/><Execution ProcessID='2968' ThreadID='3892'/>` +
    `<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>FS01</Computer><Security UserID='S-1-5-18'/></System>` +
    `<EventData>${data}</EventData>${extra}</Event>`
  );
}

t.test('the bundled synthetic Sysmon fixtures read completely and exactly', async (t) => {
  for (const [name, count] of [
    ['nessus_wmi_scan.xml', 6],
    ['sccm_wmi_client_actions.xml', 5],
  ] as const) {
    const { records, diagnostics } = await readFile(path.join(root, 'datasets/synthetic', name), `datasets/synthetic/${name}`);
    t.same(diagnostics, [], `${name}: no diagnostics`);
    t.equal(records.length, count, `${name}: one record per line`);
    t.same(
      records.map((r) => r.line),
      Array.from({ length: count }, (_, i) => i + 1),
      `${name}: lines`,
    );
    t.same(
      records.map((r) => r.ordinal),
      Array.from({ length: count }, (_, i) => i),
    );
  }
  const { records } = await readFile(path.join(root, 'datasets/synthetic/nessus_wmi_scan.xml'), 'n.xml');
  const first = records[0]!;
  t.equal(first.kind, 'windows');
  if (first.kind !== 'windows') return;
  t.same(first.record, {
    provider: 'Microsoft-Windows-Sysmon',
    providerGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
    eventId: 3,
    version: 5,
    level: 4,
    task: 3,
    opcode: 0,
    keywords: '0x8000000000000000',
    timeCreated: '2024-03-12T14:03:11.5320000Z',
    recordId: 90211,
    processId: 2968,
    threadId: 3892,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer: 'FS01.corp.example.com',
    userSid: 'S-1-5-18',
    eventData: {
      RuleName: '-',
      UtcTime: '2024-03-12 14:03:11.532',
      ProcessGuid: '{4A1F0C11-5E21-6601-0C00-000000001F00}',
      ProcessId: '900',
      Image: 'C:\\Windows\\System32\\svchost.exe',
      User: 'NT AUTHORITY\\NETWORK SERVICE',
      Protocol: 'tcp',
      Initiated: 'false',
      SourceIsIpv6: 'false',
      SourceIp: '10.20.30.250',
      SourceHostname: '-',
      SourcePort: '51512',
      SourcePortName: '-',
      DestinationIsIpv6: 'false',
      DestinationIp: '10.20.30.40',
      DestinationHostname: 'FS01.corp.example.com',
      DestinationPort: '135',
      DestinationPortName: 'epmap',
    },
  });
  const processStart = records.find((r) => r.kind === 'windows' && r.record.eventId === 1);
  t.ok(processStart, 'a process creation');
  if (processStart?.kind === 'windows') {
    t.match(processStart.record.eventData.Product, /Microsoft® Windows®/, 'UTF-8 text decoded');
    t.match(processStart.record.eventData.CommandLine, /nessus_/);
  }
});

t.test('entities, character references, CDATA and single or double quotes are decoded', async (t) => {
  const text = ev(
    1,
    7,
    `<Data Name='CommandLine'>cmd /c "a &amp;&amp; b" &lt;x&gt; &#65;&#x42;&#x1F600; &apos;q&quot;</Data>` +
      `<Data Name="Quoted">double "quoted" attr</Data>` +
      `<Data Name='Cdata'><![CDATA[<raw> & stuff]]></Data>` +
      `<Data Name='Attr&amp;Name'>v</Data>` +
      `<Data Name='Empty'/>`,
  );
  const { windows, diagnostics } = await readText(text);
  t.same(diagnostics, []);
  t.same(windows[0]!.eventData, {
    CommandLine: `cmd /c "a && b" <x> AB\u{1F600} 'q"`,
    Quoted: 'double "quoted" attr',
    Cdata: '<raw> & stuff',
    'Attr&Name': 'v',
    Empty: '',
  });
});

t.test('unnamed Data becomes param1..n, UserData is structured, RenderingInfo gives the message', async (t) => {
  const text =
    `<Event ${NS}><System><Provider Name='Service Control Manager' Guid='{555908d1-a6d7-4695-8e1e-26931d2012f4}' EventSourceName='Service Control Manager'/>` +
    `<EventID Qualifiers='16384'>7045</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode>` +
    `<Keywords>0x8080000000000000</Keywords><TimeCreated SystemTime='2019-03-19T23:34:25.744879500Z'/><EventRecordID>12</EventRecordID>` +
    `<Correlation ActivityID='{b9e6ee2f-1ca7-0001-7a13-a2b9a71cd501}'/><Execution ProcessID='600' ThreadID='700'/><Channel>System</Channel>` +
    `<Computer>WIN7</Computer><Security UserID='S-1-5-21-1-2-3-500'/></System>` +
    `<EventData><Data>svc</Data><Data>%COMSPEC% /c x</Data><Binary>DEADBEEF</Binary></EventData>` +
    `<RenderingInfo Culture='en-US'><Message>A service was installed in the system.&#13;&#10;&#13;&#10;Service Name:  svc</Message><Level>Information</Level></RenderingInfo></Event>\n` +
    `<Event ${NS}><System><Provider Name='Microsoft-Windows-Eventlog'/><EventID>1102</EventID><TimeCreated SystemTime='2019-03-19T23:34:25.7Z'/>` +
    `<Channel>Security</Channel><Computer>WIN7</Computer></System>` +
    `<UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>` +
    `<SubjectUserSid>S-1-5-21-1-2-3-500</SubjectUserSid><SubjectUserName>admin</SubjectUserName><Item>a</Item><Item>b</Item>` +
    `<Nested Kind='k'><Leaf>1</Leaf></Nested></LogFileCleared></UserData></Event>\n`;
  const { windows, records, diagnostics } = await readText(text);
  t.same(diagnostics, []);
  t.equal(windows.length, 2);
  const svc = windows[0]!;
  t.same(svc.eventData, { param1: 'svc', param2: '%COMSPEC% /c x', Binary: 'DEADBEEF' });
  t.equal(svc.eventId, 7045, 'Qualifiers do not change the id');
  t.equal(svc.provider, 'Service Control Manager');
  t.equal(svc.timeCreated, '2019-03-19T23:34:25.7448795Z', 'nine digits cut to FILETIME precision');
  t.equal(svc.activityId, '{B9E6EE2F-1CA7-0001-7A13-A2B9A71CD501}');
  t.equal(svc.message, 'A service was installed in the system.\r\n\r\nService Name:  svc', 'character references keep CR');
  const cleared = windows[1]!;
  t.same(cleared.eventData, {});
  t.same(cleared.userData, {
    LogFileCleared: {
      SubjectUserSid: 'S-1-5-21-1-2-3-500',
      SubjectUserName: 'admin',
      Item: ['a', 'b'],
      Nested: { '@Kind': 'k', Leaf: '1' },
    },
  });
  t.equal(cleared.timeCreated, '2019-03-19T23:34:25.7000000Z');
  t.equal(cleared.recordId, undefined);
  t.same(
    records.map((r) => r.line),
    [1, 2],
  );
});

t.test('events spanning lines, an <Events> root, a BOM, CRLF and several events on one line', async (t) => {
  const pretty =
    '\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n<!-- exported -->\r\n<Events>\r\n' +
    ev(1, 1, `<Data Name='CommandLine'>line one\r\nline two</Data>`).replace(/></g, '>\r\n  <') +
    '\r\n' +
    ev(1, 2, `<Data Name='A'>x</Data>`) +
    ev(1, 3, `<Data Name='A'>y</Data>`) +
    '\r\n</Events>\r\n';
  const secondLine = pretty.slice(0, pretty.indexOf('<Event', pretty.indexOf('</Event>'))).split('\n').length;
  t.ok(secondLine > 10, 'the first event spans many lines');
  for (const chunkSize of [1, 2, 3, 7, 64, 1 << 20]) {
    const { records, windows, diagnostics } = await readText(pretty, chunkSize);
    t.same(diagnostics, [], `chunk ${chunkSize}: no diagnostics`);
    t.same(
      windows.map((w) => w.recordId),
      [1, 2, 3],
      `chunk ${chunkSize}: all events`,
    );
    t.same(
      records.map((r) => r.line),
      [4, secondLine, secondLine],
      `chunk ${chunkSize}: start lines`,
    );
    t.equal(windows[0]!.eventData.CommandLine, 'line one\nline two', 'XML end-of-line handling');
    t.equal(windows[0]!.computer, 'FS01');
  }
});

t.test('UTF-16 LE with BOM (Event Viewer "Save As XML" on some systems)', async (t) => {
  const text = '\uFEFF' + ev(1, 5, `<Data Name='Image'>C:\\ü\\a.exe</Data>`) + '\r\n';
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    bytes[i * 2] = text.charCodeAt(i) & 0xff;
    bytes[i * 2 + 1] = text.charCodeAt(i) >> 8;
  }
  for (const chunkSize of [1, 3, 1000]) {
    const { windows, diagnostics } = await readText(bytes, chunkSize);
    t.same(diagnostics, []);
    t.equal(windows[0]?.eventData.Image, 'C:\\ü\\a.exe', `chunk ${chunkSize}`);
  }
});

t.test('a malformed event is reported with its line and the reader goes on', async (t) => {
  const lines = [
    ev(1, 1, `<Data Name='A'>ok</Data>`),
    ev(1, 2, `<Data Name='A'>bad &nbsp; entity</Data>`),
    ev(1, 3, `<Data Name='A'>mismatch</Dat>`),
    ev(1, 4, `<Data Name='A'>ok</Data>`),
    'not xml at all',
    ev(1, 5, `<Data Name='A'>ok</Data>`),
    `<Event ${NS}><System><EventID>x</EventID></System></Event>`,
    `<Event ${NS}><EventData/></Event>`,
    `<Event ${NS} broken=>`,
    ev(1, 6, `<Data Name='A'>ok</Data>`),
    ev(1, 7, `<Data Name='A'>truncated</Data>`).slice(0, -20),
  ];
  for (const chunkSize of [5, 1 << 20]) {
    const { records, windows, diagnostics } = await readText(lines.join('\n'), chunkSize);
    t.same(
      windows.map((w) => w.recordId),
      [1, 4, 5, 6],
      `chunk ${chunkSize}: good events survive`,
    );
    t.same(
      records.map((r) => r.line),
      [1, 4, 6, 10],
    );
    t.same(
      records.map((r) => r.ordinal),
      [0, 3, 5, 9],
      'ordinals count broken events too',
    );
    t.same(
      diagnostics.map((d) => [d.line, d.code, d.severity, d.file]),
      [
        [2, 'dataset/malformed-record', 'warning', 'x.xml'],
        [3, 'dataset/malformed-record', 'warning', 'x.xml'],
        [5, 'dataset/malformed-record', 'warning', 'x.xml'],
        [7, 'dataset/malformed-record', 'warning', 'x.xml'],
        [8, 'dataset/malformed-record', 'warning', 'x.xml'],
        [9, 'dataset/malformed-record', 'warning', 'x.xml'],
        [11, 'dataset/malformed-record', 'warning', 'x.xml'],
      ],
      `chunk ${chunkSize}: one warning per broken event`,
    );
    t.match(diagnostics[0]!.message, /entity/);
    t.match(diagnostics[1]!.message, /<\/Dat> closes <Data>/);
    t.match(diagnostics[2]!.message, /text outside/);
    t.match(diagnostics[3]!.message, /EventID/);
    t.match(diagnostics[4]!.message, /no <System>/);
    t.match(diagnostics[6]!.message, /ends inside <Event>/);
  }
});

t.test('a DOCTYPE is reported and its entities are never expanded', async (t) => {
  const text =
    `<?xml version="1.0"?>\n<!DOCTYPE Events [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY a "aaaa"> ]>\n<Events>\n` +
    ev(1, 1, `<Data Name='A'>&xxe;</Data>`) +
    '\n' +
    ev(1, 2, `<Data Name='A'>fine</Data>`) +
    '\n</Events>\n';
  const { windows, diagnostics } = await readText(text);
  t.same(
    windows.map((w) => w.eventData.A),
    ['fine'],
  );
  t.same(
    diagnostics.map((d) => [d.line, d.code]),
    [
      [2, 'dataset/xml-doctype'],
      [4, 'dataset/malformed-record'],
    ],
  );
});

t.test('reading a file on disk: CRLF fixture, a missing file', async (t) => {
  const { records, diagnostics } = await readFile(path.join(fixtures, 'sysmon-crlf-multiline.xml'), 'test/fixtures/xml/sysmon-crlf-multiline.xml');
  t.same(diagnostics, []);
  t.same(
    records.map((r) => [r.line, r.kind === 'windows' ? r.record.eventId : 0]),
    [
      [3, 1],
      [31, 3],
    ],
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-xml-'));
  const missing = await readFile(path.join(dir, 'nope.xml'), 'nope.xml');
  t.same(missing.records, []);
  t.same(
    missing.diagnostics.map((d) => [d.code, d.severity]),
    [['dataset/unreadable', 'error']],
  );
  const empty = path.join(dir, 'empty.xml');
  writeFileSync(empty, '');
  t.same(await readFile(empty, 'empty.xml'), { records: [], diagnostics: [] }, 'an empty file is no events');
});

t.test('random and truncated input never throws or hangs', async (t) => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const good = ev(1, 1, `<Data Name='A'>x &amp; y</Data><Data Name='B'>z</Data>`);
  let total = 0;
  let unlocated = 0;
  for (let round = 0; round < 300; round++) {
    let text = good + '\n' + good;
    const mutations = 1 + Math.floor(rand() * 4);
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(rand() * text.length);
      const kind = rand();
      if (kind < 0.33) text = text.slice(0, at);
      else if (kind < 0.66) text = text.slice(0, at) + '<>&"\'/!?[]'[Math.floor(rand() * 11)] + text.slice(at);
      else text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 10));
    }
    const { windows, diagnostics } = await readText(text, 1 + Math.floor(rand() * 50));
    unlocated += diagnostics.filter((d) => !(d.line >= 1) || d.code !== 'dataset/malformed-record').length;
    total += windows.length;
  }
  t.equal(unlocated, 0, 'every diagnostic is a located malformed-record warning');
  t.ok(total > 0, 'some mutated inputs still have readable events');
});
