/**
 * Fuzzing the EVTX reader (seeded, deterministic; FUZZ_CASES / FUZZ_SEED / FUZZ_SECONDS change the
 * run): the bundled EVTX-ATTACK-SAMPLES logs and a synthetic log with every Binary XML structure
 * (templates used inline and by reference, embedded Binary XML values, arrays, CDATA, references,
 * plain records, two chunks) are mutated byte by byte — file and chunk headers, record headers,
 * Binary XML tokens, template definitions, value descriptors and string lengths — and, most of the
 * time, their checksums recomputed so the damage reaches the decoder. Every read ends with records
 * and located warnings (a byte offset), never an exception; the output per record is bounded; and
 * nothing hangs (a hang stops the test, which tap reports as a timeout). A failure prints the
 * settings that repeat it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import t from 'tap';
import { readEvtxRecords } from '../../src/events/readers/evtx/index.js';
import { MAX_RECORD_OUTPUT } from '../../src/events/readers/evtx/binxml.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';
import { buildEvtx, el, fixChunkChecksums, sub, systemTemplate, systemValues, text, v, type Node, type RecordSpec, type SystemFields, type Value } from '../fixtures/evtx/build-evtx.js';
import { fuzzSettings, mutateBytes, rng } from './fuzz-lib.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLES = [
  'datasets/evtx-attack-samples/lateral_movement/LM_wmiexec_impacket_sysmon_whoami.evtx',
  'datasets/evtx-attack-samples/lateral_movement/wmi_remote_registry_sysmon.evtx',
  'datasets/evtx-attack-samples/lateral_movement/LM_PowershellRemoting_sysmon_1_wsmprovhost.evtx',
  'datasets/evtx-attack-samples/lateral_movement/LM_winrm_exec_sysmon_1_winrshost.evtx',
];

const SYSTEM: SystemFields = {
  provider: 'Microsoft-Windows-Sysmon',
  guid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}',
  eventId: 1,
  time: '2024-01-02T03:04:05.678Z',
  recordId: 1,
  channel: 'Microsoft-Windows-Sysmon/Operational',
  computer: 'WKS1.corp.example',
  sid: 'S-1-5-18',
};

const data = (name: string, index: number): Node => el('Data', [['Name', [text(name)]]], [sub(index)]);

function typedRecord(id: number): RecordSpec {
  const typed: Array<[string, Value]> = [
    ['Image', v.str('C:\\Windows\\System32\\cmd.exe')],
    ['Ansi', v.ansi('caf\u00e9')],
    ['I32', v.i32(-123456)],
    ['U64', v.u64(18446744073709551615n)],
    ['R64', v.r64(0.1)],
    ['Bool', v.bool(true)],
    ['Bin', v.binary('deadbeef')],
    ['Guid', v.guid('{6f9f1a2b-0c3d-4e5f-8a9b-0c1d2e3f4a5b}')],
    ['FileTime', v.filetime('2021-05-17T08:33:28.632Z', 9966n)],
    ['Sid', v.sid('S-1-5-21-3623811015-3361044348-30300820-1013')],
    ['Hex64', v.hex64(0x3e7n)],
  ];
  const base = 18;
  const n = typed.length;
  const eventData = el('EventData', [], [
    ...typed.map(([name], i) => data(name, base + i)),
    el('Data', [['Name', [text('Optional')]]], [sub(base + n, true)]),
    el('Data', [['Name', [text('Mixed')]]], [text('x'), { k: 'charref', n: 65 }, { k: 'entref', name: 'amp' }, { k: 'cdata', s: '<y>' }, { k: 'pi', target: 't', data: 'd' }]),
    data('Embedded', base + n + 1),
  ]);
  const userData = el('UserData', [], [el('Lists', [], [el('Item', [], [sub(base + n + 2)]), el('Sids', [], [sub(base + n + 3)])])]);
  const values: Value[] = [
    ...systemValues({ ...SYSTEM, recordId: id }),
    ...typed.map(([, value]) => value),
    v.null(),
    v.binxml([{ k: 'tpl', key: 'inner', body: [el('Inner', [], [sub(0)])], values: [v.str('deep')] }]),
    v.strArray(['a', 'b', 'c']),
    v.sidArray(['S-1-5-18', 'S-1-5-32-544']),
  ];
  return { id, nodes: [{ k: 'tpl', key: 'all', body: systemTemplate([eventData, userData]), values }] };
}

function plainRecord(id: number): RecordSpec {
  return {
    id,
    nodes: [
      el('Event', [], [
        el('System', [], [el('Provider', [['Name', [text('Plain')]]]), el('EventID', [], [text('7045')]), el('Channel', [], [text('System')]), el('Computer', [], [text('SRV')])]),
        el('EventData', [], [el('Data', [], [text('svc')])]),
      ]),
    ],
  };
}

const synthetic = buildEvtx([
  [typedRecord(1), typedRecord(2), plainRecord(3), typedRecord(4)],
  [plainRecord(5), typedRecord(6)],
]).file;

const SEEDS: Array<{ name: string; bytes: Buffer }> = [
  ...SAMPLES.map((p) => ({ name: path.basename(p), bytes: readFileSync(path.join(repo, p)) })),
  { name: 'synthetic.evtx', bytes: synthetic },
];

/** Where the reader looks: the file header, each chunk's header and its used record area. */
function regionsOf(file: Buffer): Array<[number, number]> {
  const regions: Array<[number, number]> = [[0, 128]];
  for (let chunk = 4096; chunk + 0x10000 <= file.length; chunk += 0x10000) {
    const free = Math.min(0x10000, Math.max(512, file.readUInt32LE(chunk + 48)));
    regions.push([chunk, chunk + 128], [chunk + 128, chunk + 512], [chunk + 512, chunk + free], [chunk + 512, chunk + free], [chunk + 512, chunk + free]);
  }
  return regions;
}

const { cases: CASES, seed: SEED, deadline, repeat } = fuzzSettings(600, 8086, 60);
const dir = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-fuzz-evtx-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function read(bytes: Buffer): Promise<{ records: number; longest: number; diagnostics: Diagnostic[] }> {
  const file = path.join(dir, 'case.evtx');
  writeFileSync(file, bytes);
  const diagnostics: Diagnostic[] = [];
  let records = 0;
  let longest = 0;
  for await (const raw of readEvtxRecords(file, { file: 'case.evtx', onDiagnostic: (d) => diagnostics.push(d) })) {
    records++;
    if (raw.kind !== 'windows' || typeof raw.record !== 'object') throw new Error('the EVTX reader yielded something other than a Windows record');
    longest = Math.max(longest, JSON.stringify(raw.record).length);
  }
  return { records, longest, diagnostics };
}

t.test(`EVTX reader: ${CASES} mutated logs (${repeat})`, async (t) => {
  const r = rng(SEED);
  let crashes = 0;
  let records = 0;
  let warnings = 0;
  let unlocated = 0;
  let run = 0;
  let clean = 0;
  for (; run < CASES && Date.now() < deadline; run++) {
    const seed = SEEDS[run % SEEDS.length]!;
    let bytes = mutateBytes(seed.bytes, r, regionsOf(seed.bytes));
    if (r() < 0.2) bytes = mutateBytes(bytes, r);
    // Mostly with valid checksums, so the damage reaches the Binary XML decoder.
    if (r() < 0.8) for (let c = 4096; c + 0x10000 <= bytes.length; c += 0x10000) fixChunkChecksums(bytes, c);
    if (r() < 0.5 && bytes.length >= 128) bytes.writeUInt32LE(zlib.crc32(bytes.subarray(0, 120)), 124);
    try {
      const res = await read(bytes);
      records += res.records;
      warnings += res.diagnostics.length;
      if (res.diagnostics.length === 0) clean++;
      if (res.longest > 2 * MAX_RECORD_OUTPUT) t.fail(`a record rendered to ${res.longest} characters (${seed.name}, ${repeat})`);
      if (res.records > (bytes.length / 0x10000 + 1) * ((0x10000 - 512) / 24)) t.fail(`more records than the chunks can hold (${seed.name}, ${repeat})`);
      for (const d of res.diagnostics) {
        const located = d.code === 'dataset/evtx-header' || d.code === 'dataset/evtx-dirty' || d.code === 'dataset/evtx-truncated' || /byte offset \d+/.test(d.message);
        if (!(d.code && d.message && d.file === 'case.evtx' && located)) {
          unlocated++;
          if (unlocated <= 3) t.fail(`diagnostic without a byte offset (${seed.name}, ${repeat}): ${JSON.stringify(d)}`);
        }
      }
    } catch (err) {
      crashes++;
      if (crashes <= 3) {
        const keep = path.join(os.tmpdir(), `ruleproof-evtx-crash-${SEED}-${run}.evtx`);
        writeFileSync(keep, bytes);
        t.fail(`crash reading mutated ${seed.name} (kept as ${keep}; ${repeat}): ${(err as Error).stack}`);
      }
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.equal(unlocated, 0, 'every record or chunk warning names its byte offset');
  t.ok(run >= Math.min(CASES, 100), `${run} logs read (${records} records, ${warnings} warnings, ${clean} read cleanly)`);
  t.ok(records > run && warnings > run / 10, 'the mutations give both readable records and damage');
  t.ok(process.memoryUsage().heapUsed < 1024 * 1024 * 1024, 'memory stays bounded');
});

t.test('an EVTX record whose substitutions repeat nested values (a "billion laughs") is skipped, not expanded', async (t) => {
  // Each level's template repeats its one value 10 times, and the value is the next level: 10^8 nodes.
  let inner: Value = v.str('x');
  for (let d = 0; d < 8; d++) inner = v.binxml([{ k: 'tpl', key: 'bomb', body: [el('E', [], Array.from({ length: 10 }, () => sub(0)))], values: [inner] }]);
  const bomb: RecordSpec = { id: 2, nodes: [{ k: 'tpl', key: 'outer', body: systemTemplate([el('EventData', [], [data('B', 18)])]), values: [...systemValues({ ...SYSTEM, recordId: 2 }), inner] }] };
  const { file } = buildEvtx([[typedRecord(1), bomb, typedRecord(3)]]);
  t.ok(file.length < 80_000, 'a small file');
  const res = await read(file);
  t.equal(res.records, 2, 'the records around it are read');
  t.match(res.diagnostics, [{ code: 'dataset/malformed-record', message: /record 2 at byte offset \d+ .*expands to more than/ }]);
});
