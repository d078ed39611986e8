import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEvtxRecords } from '../../src/events/readers/evtx/index.js';
import type { RawRecord } from '../../src/events/readers/types.js';
import type { WindowsRecord } from '../../src/events/types.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';
import {
  buildEvtx,
  el,
  fixChunkChecksums,
  sub,
  systemTemplate,
  systemValues,
  text,
  v,
  type Node,
  type RecordSpec,
  type SystemFields,
  type Value,
} from '../fixtures/evtx/build-evtx.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-evtx-'));
let serial = 0;

async function readBytes(bytes: Buffer) {
  const file = path.join(dir, `f${serial++}.evtx`);
  writeFileSync(file, bytes);
  const diagnostics: Diagnostic[] = [];
  const raws: RawRecord[] = [];
  for await (const r of readEvtxRecords(file, { file: 'x.evtx', onDiagnostic: (d) => diagnostics.push(d) })) raws.push(r);
  const records = raws.map((r) => (r.kind === 'windows' ? r.record : (undefined as never as WindowsRecord)));
  return { raws, records, diagnostics };
}

const SYSTEM: SystemFields = {
  provider: 'Test-Provider',
  guid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
  eventId: 4688,
  time: '2024-01-02T03:04:05.678Z',
  recordId: 1,
  channel: 'Security',
  computer: 'WKS1.corp.example',
  sid: 'S-1-5-18',
};

const data = (name: string, index: number): Node => el('Data', [['Name', [text(name)]]], [sub(index)]);

/** Every scalar type in EventData, mixed content, an unnamed Data, embedded Binary XML; arrays in UserData. */
function allTypesRecord(id: number): RecordSpec {
  const typed: Array<[string, Value]> = [
    ['S', v.str('C:\\a\r\nb')],
    ['A', v.ansi('caf\u00e9')],
    ['I8', v.i8(-5)],
    ['U8', v.u8(200)],
    ['I16', v.i16(-300)],
    ['U16', v.u16(65535)],
    ['I32', v.i32(-123456)],
    ['U32', v.u32(4294967295)],
    ['I64', v.i64(-9007199254740993n)],
    ['U64', v.u64(18446744073709551615n)],
    ['R32', v.r32(1.5)],
    ['R64', v.r64(0.1)],
    ['BoolT', v.bool(true)],
    ['BoolF', v.bool(false)],
    ['Bin', v.binary('deadbeef')],
    ['Guid', v.guid('{6f9f1a2b-0c3d-4e5f-8a9b-0c1d2e3f4a5b}')],
    ['SizeT4', v.sizeT(0x1a4cn, 4)],
    ['SizeT8', v.sizeT(0x7ff612340000n, 8)],
    ['FileTime', v.filetime('2021-05-17T08:33:28.632Z', 9966n)],
    ['SysTime', v.systime(2019, 11, 14, 12, 14, 46, 5)],
    ['Sid', v.sid('S-1-5-21-3623811015-3361044348-30300820-1013')],
    ['Hex32', v.hex32(0x1fffff)],
    ['Hex64', v.hex64(0x3e7n)],
    ['Null', v.null()],
  ];
  const base = 18;
  const n = typed.length;
  const eventData = el('EventData', [], [
    ...typed.map(([name], i) => data(name, base + i)),
    el('Data', [['Name', [text('Optional')]]], [sub(base + n, true)]),
    el('Data', [['Name', [text('Mixed')]]], [text('x'), { k: 'charref', n: 65 }, { k: 'entref', name: 'amp' }, { k: 'cdata', s: '<y>' }, { k: 'pi', target: 't', data: 'd' }, text('z')]),
    el('Data', [], [sub(base + n + 1)]),
    data('Embedded', base + n + 2),
    data('Dup', base + n + 3),
    data('Dup', base + n + 4),
  ]);
  const userData = el('UserData', [], [
    el('Lists', [['xmlns', [text('urn:test')]]], [el('Item', [], [sub(base + n + 5)]), el('Port', [], [sub(base + n + 6)]), el('Sids', [], [sub(base + n + 7)])]),
  ]);
  const values: Value[] = [
    ...systemValues({ ...SYSTEM, recordId: id, qualifiers: 16384, activityId: '{b9e6ee2f-1ca7-0001-7a13-a2b9a71cd501}' }),
    ...typed.map(([, value]) => value),
    v.null(),
    v.str('unnamed'),
    v.binxml([el('Inner', [], [text('deep')])]),
    v.str('first'),
    v.str('second'),
    v.strArray(['a', 'b', 'c']),
    v.raw(0x86, Buffer.from([0x50, 0x00, 0xbb, 0x01])),
    v.sidArray(['S-1-5-18', 'S-1-5-32-544']),
  ];
  return { id, nodes: [{ k: 'tpl', key: 'all', body: systemTemplate([eventData, userData]), values }] };
}

/** The usual Windows shape: EventData is one Binary XML substitution holding a nested template. */
function embeddedRecord(id: number, image: string): RecordSpec {
  const inner: Node = {
    k: 'tpl',
    key: 'inner',
    body: [el('EventData', [], [data('Image', 0), data('Initiated', 1)])],
    values: [v.str(image), v.bool(id % 2 === 0)],
  };
  return {
    id,
    nodes: [
      {
        k: 'tpl',
        key: 'outer',
        body: systemTemplate([sub(18)]),
        values: [...systemValues({ ...SYSTEM, eventId: 1, recordId: id, provider: 'Microsoft-Windows-Sysmon', channel: 'Microsoft-Windows-Sysmon/Operational' }), v.binxml([inner])],
      },
    ],
  };
}

/** Plain records without any template (seen in some forwarded or converted logs). */
function plainRecord(id: number): RecordSpec {
  return {
    id,
    nodes: [
      el('Event', [], [
        el('System', [], [
          el('Provider', [['Name', [text('Plain')]]]),
          el('EventID', [], [text('7045')]),
          el('Channel', [], [text('System')]),
          el('Computer', [], [text('SRV')]),
        ]),
        el('EventData', [], [el('Data', [], [text('svc')]), el('Data', [], [text('%COMSPEC%')])]),
      ]),
    ],
  };
}

t.test('every value type renders as Windows renders it', async (t) => {
  const { file } = buildEvtx([[allTypesRecord(1)]]);
  const { records, diagnostics } = await readBytes(file);
  t.same(diagnostics, []);
  t.equal(records.length, 1);
  const r = records[0]!;
  t.same(
    { ...r, eventData: undefined, userData: undefined },
    {
      provider: 'Test-Provider',
      providerGuid: '{54849625-5478-4994-A5BA-3E3B0328C30D}',
      eventId: 4688,
      version: 2,
      level: 4,
      task: 12544,
      opcode: 0,
      keywords: '0x8020000000000000',
      timeCreated: '2024-01-02T03:04:05.6781234Z',
      recordId: 1,
      activityId: '{B9E6EE2F-1CA7-0001-7A13-A2B9A71CD501}',
      processId: 4,
      threadId: 5092,
      channel: 'Security',
      computer: 'WKS1.corp.example',
      userSid: 'S-1-5-18',
      eventData: undefined,
      userData: undefined,
    },
  );
  t.same(r.eventData, {
    S: 'C:\\a\nb',
    A: 'café',
    I8: '-5',
    U8: '200',
    I16: '-300',
    U16: '65535',
    I32: '-123456',
    U32: '4294967295',
    I64: '-9007199254740993',
    U64: '18446744073709551615',
    R32: '1.5',
    R64: '0.1',
    BoolT: 'true',
    BoolF: 'false',
    Bin: 'DEADBEEF',
    Guid: '{6F9F1A2B-0C3D-4E5F-8A9B-0C1D2E3F4A5B}',
    SizeT4: '0x1a4c',
    SizeT8: '0x7ff612340000',
    FileTime: '2021-05-17T08:33:28.6329966Z',
    SysTime: '2019-11-14T12:14:46.005Z',
    Sid: 'S-1-5-21-3623811015-3361044348-30300820-1013',
    Hex32: '0x1fffff',
    Hex64: '0x3e7',
    Null: '',
    Optional: '',
    Mixed: 'xA&<y>z',
    param27: 'unnamed',
    Embedded: 'deep',
    Dup: 'first',
  });
  t.same(r.userData, { Lists: { Item: ['a', 'b', 'c'], Port: ['80', '443'], Sids: ['S-1-5-18', 'S-1-5-32-544'] } }, 'array values repeat their element');
});

t.test('templates: back-references in a chunk, nested instances in Binary XML values, several chunks', async (t) => {
  const { file, offsets } = buildEvtx(
    [
      [embeddedRecord(10, 'C:\\a.exe'), embeddedRecord(11, 'C:\\b.exe'), allTypesRecord(12), embeddedRecord(13, 'C:\\c.exe')],
      [embeddedRecord(14, 'C:\\d.exe'), plainRecord(15)],
    ],
    { emptyChunks: 1 },
  );
  const { records, raws, diagnostics } = await readBytes(file);
  t.same(diagnostics, [], 'a zero-filled chunk at the end is silently skipped');
  t.same(
    records.map((r) => r.recordId),
    [10, 11, 12, 13, 14, 15],
  );
  t.same(
    records.filter((r) => r.provider === 'Microsoft-Windows-Sysmon').map((r) => [r.eventData.Image, r.eventData.Initiated]),
    [
      ['C:\\a.exe', 'true'],
      ['C:\\b.exe', 'false'],
      ['C:\\c.exe', 'false'],
      ['C:\\d.exe', 'true'],
    ],
  );
  t.same(
    raws.map((r) => r.offset),
    offsets.flat(),
    'byte offsets',
  );
  t.same(
    raws.map((r) => r.ordinal),
    [0, 1, 2, 3, 4, 5],
  );
  const plain = records[5]!;
  t.same(plain.eventData, { param1: 'svc', param2: '%COMSPEC%' });
  t.equal(plain.recordId, 15, 'record id from the record header when System has none');
  t.equal(plain.timeCreated, '2024-01-02T03:04:05.0000000Z', 'time written from the record header when System has none');
  t.equal(records[0]!.activityId, undefined, 'a missing optional value removes its attribute');
});

function threeRecordFile() {
  return buildEvtx([
    [embeddedRecord(1, 'C:\\one.exe'), embeddedRecord(2, 'C:\\two.exe'), embeddedRecord(3, 'C:\\three.exe')],
    [embeddedRecord(4, 'C:\\four.exe')],
  ]);
}

t.test('damaged files lose only what is damaged, with a located warning', async (t) => {
  const ids = async (bytes: Buffer) => {
    const { records, diagnostics } = await readBytes(bytes);
    return { ids: records.map((r) => r.recordId), diagnostics };
  };

  const good = threeRecordFile();
  t.same((await ids(good.file)).ids, [1, 2, 3, 4]);

  const dataCrc = Buffer.from(good.file);
  dataCrc[good.offsets[0]![1]! + 40]! ^= 0xff;
  let r = await ids(dataCrc);
  t.same(r.ids, [4], 'a chunk whose records checksum fails is skipped');
  t.match(r.diagnostics, [{ code: 'dataset/evtx-chunk', severity: 'warning', file: 'x.evtx', message: /chunk 0 at byte offset 4096 \(0x1000\): event records checksum mismatch/ }]);

  const headerCrc = Buffer.from(good.file);
  headerCrc[4096 + 0x10000 + 10]! ^= 0x01;
  r = await ids(headerCrc);
  t.same(r.ids, [1, 2, 3]);
  t.match(r.diagnostics, [{ code: 'dataset/evtx-chunk', message: /chunk 1 at byte offset 69632 .*header checksum mismatch/ }]);

  const badChunkMagic = Buffer.from(good.file);
  badChunkMagic.write('XXXXXXXX', 4096, 'latin1');
  r = await ids(badChunkMagic);
  t.same(r.ids, [4]);
  t.match(r.diagnostics, [{ code: 'dataset/evtx-chunk', message: /bad chunk signature/ }]);

  const garbage = Buffer.from(good.file);
  garbage.fill(0xee, good.offsets[0]![1]! + 24, good.offsets[0]![1]! + 60);
  fixChunkChecksums(garbage, 4096);
  r = await ids(garbage);
  t.same(r.ids, [1, 3, 4], 'a record with garbage Binary XML is skipped, its neighbours are not');
  t.equal(r.diagnostics.length, 1);
  t.match(r.diagnostics[0], { code: 'dataset/malformed-record', severity: 'warning', message: new RegExp(`record 2 at byte offset ${good.offsets[0]![1]}`) });

  const badSize = Buffer.from(good.file);
  badSize.writeUInt32LE(0xfffff, good.offsets[0]![1]! + 4);
  fixChunkChecksums(badSize, 4096);
  r = await ids(badSize);
  t.same(r.ids, [1, 4], 'without a usable size the rest of the chunk is skipped');
  t.match(r.diagnostics, [{ code: 'dataset/malformed-record', message: /record size 1048575 .*rest of the chunk is skipped/ }]);

  const truncated = good.file.subarray(0, 4096 + 0x10000 + 3000);
  r = await ids(Buffer.from(truncated));
  t.same(r.ids, [1, 2, 3]);
  t.match(r.diagnostics, [{ code: 'dataset/evtx-truncated', message: /chunk 1 at byte offset 69632 .*cut short \(3000 of 65536 bytes\)/ }]);

  const fileCrc = Buffer.from(good.file);
  fileCrc[60] = 7;
  r = await ids(fileCrc);
  t.same(r.ids, [1, 2, 3, 4]);
  t.match(r.diagnostics, [{ code: 'dataset/evtx-header', severity: 'warning', message: /checksum/ }]);

  const notEvtx = Buffer.from(good.file);
  notEvtx.write('<Events>', 0, 'latin1');
  r = await ids(notEvtx);
  t.same(r.ids, []);
  t.match(r.diagnostics, [{ code: 'dataset/evtx-header', severity: 'error', message: /not an EVTX file: it starts with "<Events>"/ }]);

  r = await ids(Buffer.from('ElfFile\0short'));
  t.same(r.ids, []);
  t.match(r.diagnostics, [{ code: 'dataset/evtx-header', severity: 'error', message: /shorter than an EVTX file header/ }]);

  r = await ids(Buffer.alloc(0));
  t.match(r.diagnostics, [{ code: 'dataset/evtx-header', severity: 'error' }]);

  const dirty = buildEvtx([[embeddedRecord(1, 'C:\\x.exe')]], { dirty: true });
  r = await ids(dirty.file);
  t.same(r.ids, [1]);
  t.match(r.diagnostics, [{ code: 'dataset/evtx-dirty', severity: 'info' }]);

  const missing: Diagnostic[] = [];
  for await (const rec of readEvtxRecords(path.join(dir, 'nope.evtx'), { file: 'nope.evtx', onDiagnostic: (d) => missing.push(d) })) t.fail(`unexpected ${rec.kind}`);
  t.match(missing, [{ code: 'dataset/unreadable', severity: 'error', file: 'nope.evtx' }]);
});

t.test('a template that contains an instance of itself is refused, not followed forever', async (t) => {
  const selfish: RecordSpec = {
    id: 2,
    nodes: [{ k: 'tpl', key: 'selfish', body: [el('Event', [], [{ k: 'tpl', key: 'nested', body: [el('X')], values: [] }])], values: [] }],
  };
  const { file, offsets } = buildEvtx([[embeddedRecord(1, 'C:\\a.exe'), selfish, embeddedRecord(3, 'C:\\b.exe')]]);
  const bytes = Buffer.from(file);
  const instance = Buffer.from([0x0c, 0x01, 0x34, 0x12, 0x00, 0x00]);
  const outer = bytes.indexOf(instance, offsets[0]![1]!);
  const inner = bytes.indexOf(instance, outer + 1);
  t.ok(outer > 0 && inner > outer, 'found both instances');
  // The nested instance now names the definition it sits in.
  bytes.writeUInt32LE(bytes.readUInt32LE(outer + 6), inner + 6);
  fixChunkChecksums(bytes, 4096);
  const { records, diagnostics } = await readBytes(bytes);
  t.same(
    records.map((r) => r.recordId),
    [1, 3],
  );
  t.equal(diagnostics.length, 1);
  t.match(diagnostics[0], { code: 'dataset/malformed-record', message: /record 2 .*a template that contains itself/ });
});

t.test('fuzz: flipped, garbage and truncated input never throws or hangs', async (t) => {
  let seed = 20240102;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const sample = readFileSync(path.join(root, 'datasets/evtx-attack-samples/lateral_movement/wmi_remote_registry_sysmon.evtx'));
  const synthetic = buildEvtx([[allTypesRecord(1), embeddedRecord(2, 'C:\\a.exe'), plainRecord(3)], [embeddedRecord(4, 'C:\\b.exe')]]).file;
  let records = 0;
  let diagnostics = 0;
  let unlocated = 0;
  for (let round = 0; round < 160; round++) {
    const base = round % 2 === 0 ? sample : synthetic;
    const bytes = Buffer.from(base);
    const flips = 1 + Math.floor(rand() * 24);
    for (let i = 0; i < flips; i++) {
      // Mostly inside the records, where Binary XML is, sometimes in the headers.
      const at = rand() < 0.9 ? 4096 + 512 + Math.floor(rand() * 4000) : Math.floor(rand() * 4096 + 512);
      bytes[at] = Math.floor(rand() * 256);
    }
    // Half the time keep the checksums right, so that the Binary XML parser sees the garbage.
    if (rand() < 0.5) for (let c = 4096; c + 0x10000 <= bytes.length; c += 0x10000) fixChunkChecksums(bytes, c);
    const cut = rand() < 0.2 ? Math.floor(rand() * bytes.length) : bytes.length;
    const result = await readBytes(bytes.subarray(0, cut));
    records += result.records.length;
    diagnostics += result.diagnostics.length;
    unlocated += result.diagnostics.filter((d) => d.file !== 'x.evtx' || !d.code.startsWith('dataset/') || !d.message).length;
  }
  const random = Buffer.alloc(4096 + 0x10000);
  for (let i = 0; i < random.length; i++) random[i] = Math.floor(rand() * 256);
  random.write('ElfFile\0', 0, 'latin1');
  random.write('ElfChnk\0', 4096, 'latin1');
  const noise = await readBytes(random);
  t.same(noise.records, []);
  t.ok(noise.diagnostics.length >= 1, 'random bytes are reported');
  t.equal(unlocated, 0, 'every diagnostic names the file and a dataset/ code');
  t.ok(records > 0, `some records survive (${records})`);
  t.ok(diagnostics > 0, `damage is reported (${diagnostics} diagnostics)`);
});
