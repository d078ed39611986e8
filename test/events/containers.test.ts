/**
 * Compressed datasets: `.gz` and `.zip` read transparently and streamed, every zip member replayed,
 * decompression limits, damaged archives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { describeDataset, openDataset, openRawRecords } from '../../src/events/dataset.js';
import { DecompressionBudget, containerKind, isDataMember, listZipMembers, parseByteSize, RATIO_GRACE_BYTES } from '../../src/events/containers.js';
import type { ReadOptions, ReplayEvent } from '../../src/events/types.js';
import { ContentError, type Diagnostic } from '../../src/util/diagnostics.js';
import { repoRoot, sampleLine } from './helpers.js';
import { buildZip } from './zip-writer.js';

const EVTX = 'datasets/evtx-attack-samples/lateral_movement/LM_winrm_exec_sysmon_1_winrshost.evtx';
const XML = 'datasets/synthetic/winrm_invoke_command_admin.xml';

async function replay(file: string, root: string, extra: Partial<ReadOptions> = {}): Promise<{ events: ReplayEvent[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const events: ReplayEvent[] = [];
  for await (const e of openDataset(file, { root, onDiagnostic: (d) => diagnostics.push(d), ...extra })) events.push(e);
  return { events, diagnostics };
}

async function failure(p: Promise<unknown>): Promise<Diagnostic> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ContentError) return err.diagnostic;
    throw err;
  }
  throw new Error('expected a ContentError');
}

const repo = (f: string): Buffer => readFileSync(path.join(repoRoot, f));
const otrfLines = ['eid3_system_5985', 'eid1_powershell_child', 'eid1_wsmprovhost'].map((k) => sampleLine(k).raw).join('\r\n') + '\r\n';
const ZONE = 'timezone: "-04:00"\n';

t.test('container magic numbers', async (t) => {
  t.equal(containerKind(gzipSync('x')), 'gzip');
  t.equal(containerKind(buildZip([{ name: 'a', data: 'x' }])), 'zip');
  t.equal(containerKind(buildZip([])), 'zip', 'an empty archive starts with its end record');
  t.equal(containerKind(Buffer.from('{"a":1}')), undefined);
  t.equal(containerKind(Buffer.from([0x1f])), undefined);
});

t.test('.gz of OTRF lines, EVTX and Splunk XML: the same events as the plain files', async (t) => {
  const root = t.testdir({
    'otrf.json': otrfLines,
    'otrf.json.meta.yml': ZONE,
    'otrf.json.gz': gzipSync(otrfLines),
    'otrf.json.gz.meta.yml': ZONE,
    'log.evtx.gz': gzipSync(repo(EVTX)),
    'sysmon.xml.gz': gzipSync(repo(XML)),
  });
  const plain = await replay('otrf.json', root);
  const gz = await replay('otrf.json.gz', root);
  t.equal(gz.events.length, 3);
  t.same(gz.events.map((e) => e.doc), plain.events.map((e) => e.doc), 'same canonical events');
  t.same(gz.events.map((e) => e.key), plain.events.map((e) => e.key), 'same line keys');
  t.same(gz.events.map((e) => e.dataset), ['otrf.json.gz', 'otrf.json.gz', 'otrf.json.gz']);

  const evtxPlain = await replay(path.join(repoRoot, EVTX), repoRoot);
  const evtxGz = await replay('log.evtx.gz', root);
  t.ok(evtxPlain.events.length > 0);
  t.same(evtxGz.events.map((e) => e.doc), evtxPlain.events.map((e) => e.doc), 'EVTX read from a decompressed stream');
  t.same(evtxGz.events.map((e) => e.key), evtxPlain.events.map((e) => e.key));
  t.same(evtxGz.diagnostics, evtxPlain.diagnostics);

  const xmlPlain = await replay(path.join(repoRoot, XML), repoRoot, { format: 'sysmon-xml' });
  const xmlGz = await replay('sysmon.xml.gz', root);
  t.ok(xmlPlain.events.length > 0);
  t.same(xmlGz.events.map((e) => e.doc), xmlPlain.events.map((e) => e.doc), 'XML sniffed inside the gzip stream');

  const d = await describeDataset('log.evtx.gz', { root, onDiagnostic: () => {} });
  t.equal(d.format, 'evtx');
  t.equal(d.container, 'gzip');
  t.equal(d.events, evtxPlain.events.length);
});

t.test('a zip with many members replays each, merged in time order, keys naming the member', async (t) => {
  const zip = buildZip([
    { name: 'logs/', data: '' },
    { name: 'logs/otrf.json', data: otrfLines },
    { name: 'logs\\winrshost.evtx', data: repo(EVTX) },
    { name: 'xml/sysmon.xml', data: repo(XML), method: 0 },
    { name: 'README.md', data: '# not data' },
    { name: '__MACOSX/logs/._otrf.json', data: 'resource fork' },
    { name: 'empty.json', data: '' },
  ]);
  const root = t.testdir({ 'bundle.zip': zip, 'bundle.zip.meta.yml': ZONE });
  const members = await listZipMembers(path.join(root, 'bundle.zip'), 'bundle.zip');
  t.same(members.map((m) => m.name), ['logs/', 'logs/otrf.json', 'logs/winrshost.evtx', 'xml/sysmon.xml', 'README.md', '__MACOSX/logs/._otrf.json', 'empty.json'], 'backslashes become slashes');
  t.same(members.filter((m) => isDataMember(m.name)).map((m) => m.name), ['logs/otrf.json', 'logs/winrshost.evtx', 'xml/sysmon.xml', 'empty.json']);

  const { events, diagnostics } = await replay('bundle.zip', root);
  const evtxCount = (await replay(path.join(repoRoot, EVTX), repoRoot)).events.length;
  const xmlCount = (await replay(path.join(repoRoot, XML), repoRoot, { format: 'sysmon-xml' })).events.length;
  t.equal(events.length, 3 + evtxCount + xmlCount, 'every member replayed');
  t.same(diagnostics.map((d) => [d.code, d.message]), [['dataset/empty', 'zip member empty.json is empty: no events']]);
  const byMember = (m: string) => events.filter((e) => e.key.startsWith(`${m}!`));
  t.same(byMember('logs/otrf.json').map((e) => e.key).sort(), ['logs/otrf.json!line:1', 'logs/otrf.json!line:2', 'logs/otrf.json!line:3']);
  t.ok(byMember('logs/winrshost.evtx').every((e) => /^logs\/winrshost\.evtx!record:\d+$/.test(e.key)));
  t.equal(byMember('xml/sysmon.xml').length, xmlCount);
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1] as ReplayEvent;
    const b = events[i] as ReplayEvent;
    if (a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.ordinal >= b.ordinal)) t.fail(`out of order at ${i}: ${a.key} then ${b.key}`);
  }
  t.equal(new Set(events.map((e) => e.ordinal)).size, events.length, 'ordinals unique across members');

  const raw = [];
  for await (const r of openRawRecords('bundle.zip', { root, onDiagnostic: () => {} })) raw.push(r);
  t.same([...new Set(raw.map((r) => r.member))], ['logs/otrf.json', 'logs/winrshost.evtx', 'xml/sysmon.xml'], 'raw records in directory order, with their member');

  const d = await describeDataset('bundle.zip', { root, onDiagnostic: () => {} });
  t.equal(d.container, 'zip');
  t.same(d.members, [
    { name: 'logs/otrf.json', format: 'otrf-json' },
    { name: 'logs/winrshost.evtx', format: 'evtx' },
    { name: 'xml/sysmon.xml', format: 'sysmon-xml' },
  ]);
  t.equal(d.events, events.length);
});

t.test('decompression limits: total size and ratio, from read options or the descriptor', async (t) => {
  const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ '@timestamp': new Date(Date.UTC(2021, 0, 1, 0, 0, i)).toISOString(), event: { code: '1' } })).join('\n');
  const root = t.testdir({
    'small.ndjson.gz': gzipSync(lines),
    'limited.ndjson.gz': gzipSync(lines),
    'limited.ndjson.gz.meta.yml': 'max_decompressed_size: 1KiB\n',
    'bomb.ndjson.gz': gzipSync(Buffer.alloc(RATIO_GRACE_BYTES + 4 * 1024 * 1024, '{"@timestamp":"2021-01-01T00:00:00Z"}\n')),
    'declares.zip': buildZip([{ name: 'a.json', data: '{"@timestamp":"2021-01-01T00:00:00Z"}\n', declaredSize: 2 ** 31 }]),
  });
  const ok = await replay('small.ndjson.gz', root);
  t.equal(ok.events.length, 200);

  const viaOptions = await failure(replay('small.ndjson.gz', root, { maxDecompressedBytes: 4096 }));
  t.equal(viaOptions.code, 'dataset/decompression-limit');
  t.match(viaOptions.message, /more than 4\.0 KiB/);
  t.match(viaOptions.hint, /max_decompressed_size/);

  const viaDescriptor = await failure(replay('limited.ndjson.gz', root));
  t.equal(viaDescriptor.code, 'dataset/decompression-limit');
  t.match(viaDescriptor.message, /more than 1\.0 KiB/);
  t.equal((await replay('limited.ndjson.gz', root, { maxDecompressedBytes: 1e6 })).events.length, 200, 'read options win over the descriptor');

  const bomb = await failure(replay('bomb.ndjson.gz', root));
  t.equal(bomb.code, 'dataset/decompression-limit');
  t.match(bomb.message, /expands more than 200 times/);

  const declared = await failure(replay('declares.zip', root, { maxDecompressedBytes: 2 ** 30 }));
  t.match(declared.message, /declares 2147483648 bytes/, 'a zip is refused from its directory before anything is inflated');

  const budget = new DecompressionBudget('x', { maxBytes: 100, maxRatio: 2 });
  budget.take(60, 1, 'x');
  t.throws(() => budget.take(60, 1, 'x'), 'total beyond the limit throws');
  t.equal(parseByteSize('8GiB'), 8 * 1024 ** 3);
  t.equal(parseByteSize('500 MB'), 500e6);
  t.equal(parseByteSize(1024), 1024);
  t.equal(parseByteSize('lots'), undefined);
});

t.test('damaged archives lose only the damaged part, with a warning', async (t) => {
  const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ '@timestamp': new Date(Date.UTC(2021, 0, 1, 0, 0, 0, i)).toISOString(), n: i, pad: 'x'.repeat(i % 97) })).join('\n') + '\n';
  const gz = gzipSync(lines);
  const good = { name: 'good.json', data: '{"@timestamp":"2021-01-01T00:00:00Z","n":1}\n' };
  const root = t.testdir({
    'cut.ndjson.gz': gz.subarray(0, Math.floor(gz.length / 2)),
    'crc.zip': buildZip([{ name: 'bad.json', data: '{"@timestamp":"2021-01-01T00:00:01Z","n":2}\n', crc: 1234 }, good]),
    'locked.zip': buildZip([{ name: 'secret.json', data: '{"a":1}\n', encrypted: true }, good]),
    'no-directory.zip': buildZip([good]).subarray(0, 60),
    'lfs.zip': buildZip([{ name: 'big.json', data: 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n' }]),
    'nested.zip': buildZip([{ name: 'inner.json.gz', data: gzipSync('{"a":1}\n') }]),
  });
  const cut = await replay('cut.ndjson.gz', root);
  t.ok(cut.events.length > 100 && cut.events.length < 2000, `the events before the cut are kept (${cut.events.length})`);
  t.equal(cut.diagnostics[0]?.code, 'dataset/truncated');
  t.equal(cut.diagnostics[0]?.file, 'cut.ndjson.gz');
  // The line cut in half, if the cut fell inside one, is the only other casualty.
  t.ok(cut.diagnostics.slice(1).every((d) => d.code === 'dataset/malformed-line' && d.line === cut.events.length + 1));
  t.ok(cut.diagnostics.length <= 2);

  const crc = await replay('crc.zip', root, { format: 'ecs-ndjson' });
  t.equal(crc.events.length, 2, 'the damaged member is still read; the other member too');
  t.match(crc.diagnostics.map((d) => d.message), [/zip member bad\.json fails its CRC-32 check/]);

  const locked = await replay('locked.zip', root, { format: 'ecs-ndjson' });
  t.equal(locked.events.length, 1);
  t.match(locked.diagnostics.map((d) => [d.code, d.message]), [['dataset/unsupported-archive', /secret\.json is encrypted; skipped/]]);

  t.equal((await failure(replay('no-directory.zip', root))).code, 'dataset/corrupt-archive');
  const lfs = await failure(replay('lfs.zip', root));
  t.equal(lfs.code, 'dataset/lfs-pointer');
  t.match(lfs.message, /zip member big\.json is a Git LFS pointer/);
  t.match(lfs.hint, /git lfs pull/);
  t.match((await failure(replay('nested.zip', root))).message, /inner\.json\.gz is gzip-compressed inside a compressed dataset/);
});

t.test('fuzz: random bytes after gzip and zip magic never hang or crash', async (t) => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const base = buildZip([{ name: 'a.json', data: otrfLines }, { name: 'b.evtx', data: repo(EVTX).subarray(0, 4096 + 65536) }]);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 30; i++) {
    const bytes = Buffer.from(i % 2 ? base : gzipSync(otrfLines));
    for (let k = 0; k < 1 + Math.floor(rand() * 8); k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    files[`f${i}${i % 2 ? '.zip' : '.gz'}`] = i % 3 === 0 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : bytes;
  }
  const root = t.testdir(files);
  let outcomes = 0;
  for (const name of Object.keys(files)) {
    try {
      await replay(name, root, { timeOrder: 'window' });
    } catch (err) {
      t.ok(err instanceof ContentError, `${name}: only ContentErrors escape (${(err as Error).message})`);
    }
    outcomes++;
  }
  t.equal(outcomes, 30);
  writeFileSync(path.join(root, 'done'), '');
});
