import t, { type Test } from 'tap';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEvtxRecords } from '../../src/events/readers/evtx/index.js';
import { readSplunkXmlRecords } from '../../src/events/readers/splunk-xml.js';
import type { RawRecord, RecordReader } from '../../src/events/readers/types.js';
import type { WindowsRecord } from '../../src/events/types.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samples = path.join(root, 'datasets/evtx-attack-samples/lateral_movement');
const oracles = path.join(root, 'test/fixtures/evtx');

async function read(reader: RecordReader, abs: string) {
  const diagnostics: Diagnostic[] = [];
  const raws: RawRecord[] = [];
  for await (const r of reader(abs, { file: path.relative(root, abs).split(path.sep).join('/'), onDiagnostic: (d) => diagnostics.push(d) })) raws.push(r);
  const records = raws.map((r) => {
    if (r.kind !== 'windows') throw new Error('not a Windows record');
    return r.record;
  });
  return { raws, records, diagnostics };
}

/** Ticks of 100 ns since the epoch, from a canonical `timeCreated`. */
function ticks(iso: string | undefined): bigint {
  const m = /^(.*)\.(\d{7})Z$/.exec(iso ?? '');
  if (!m) return -1n;
  return BigInt(Date.parse(`${m[1]}Z`)) * 10_000n + BigInt(m[2]!);
}

/**
 * The differences between the reference tools and Windows' own rendering that the comparison
 * allows, and nothing else: python-evtx writes booleans as `True`/`False` and both tools pad
 * HexInt64 to 16 digits (`0x00000000000003e5`) where Windows writes `0x3e5`.
 */
function sameValue(ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  if ((theirs === 'True' || theirs === 'False') && ours === theirs.toLowerCase()) return true;
  if (/^0x[0-9a-f]+$/i.test(ours) && /^0x[0-9a-f]+$/i.test(theirs)) return BigInt(ours) === BigInt(theirs);
  return false;
}

function compare(t: Test, ours: WindowsRecord, theirs: WindowsRecord, timeToleranceTicks: bigint, label: string): void {
  const { eventData: a, timeCreated: ta, ...systemA } = ours;
  const { eventData: b, timeCreated: tb, ...systemB } = theirs;
  t.same(systemA, systemB, `${label}: System fields`);
  const drift = ticks(ta) - ticks(tb);
  t.ok(ticks(ta) > 0 && (drift < 0n ? -drift : drift) <= timeToleranceTicks, `${label}: TimeCreated ${ta} vs ${tb}`);
  t.same(Object.keys(a), Object.keys(b), `${label}: the same EventData names in the same order`);
  const different = Object.keys(a).filter((k) => !sameValue(a[k]!, b[k] ?? '<missing>'));
  t.same(different.map((k) => [k, a[k], b[k]]), [], `${label}: every EventData value agrees`);
}

const files = readdirSync(samples)
  .filter((f) => f.endsWith('.evtx'))
  .sort();

t.test('every bundled sample agrees with python-evtx and with libevtx (evtxexport)', async (t) => {
  t.equal(files.length, 4, 'four samples are bundled');
  let total = 0;
  for (const file of files) {
    const ours = await read(readEvtxRecords, path.join(samples, file));
    t.same(ours.diagnostics, [], `${file}: read without a diagnostic`);
    const python = await read(readSplunkXmlRecords, path.join(oracles, 'python-evtx', `${file}.xml`));
    const libevtx = await read(readSplunkXmlRecords, path.join(oracles, 'evtxexport', `${file}.xml`));
    t.same(python.diagnostics, [], `${file}: python-evtx rendering parses`);
    t.same(libevtx.diagnostics, [], `${file}: evtxexport rendering parses`);
    t.equal(ours.records.length, python.records.length, `${file}: record count as python-evtx`);
    t.equal(ours.records.length, libevtx.records.length, `${file}: record count as evtxexport`);
    t.same(
      ours.records.map((r) => r.recordId),
      python.records.map((r) => r.recordId),
      `${file}: record ids`,
    );
    for (let i = 0; i < ours.records.length; i++) {
      const label = `${file} #${ours.records[i]!.recordId}`;
      // python-evtx goes through a float and loses up to a few microseconds; libevtx is exact.
      compare(t, ours.records[i]!, python.records[i]!, 30n, `${label} vs python-evtx`);
      compare(t, ours.records[i]!, libevtx.records[i]!, 0n, `${label} vs evtxexport`);
    }
    t.same(
      ours.raws.map((r) => r.ordinal),
      ours.records.map((_, i) => i),
      `${file}: ordinals`,
    );
    t.ok(
      ours.raws.every((r) => r.line === 0 && typeof r.offset === 'number' && r.offset >= 4096 + 512),
      `${file}: binary records carry their byte offset`,
    );
    total += ours.records.length;
  }
  t.equal(total, 24, 'all 24 records of the corpus');
});

t.test('a record is rendered exactly as Windows renders it', async (t) => {
  const { records } = await read(readEvtxRecords, path.join(samples, 'wmi_remote_registry_sysmon.evtx'));
  t.same(records[0], {
    provider: 'Microsoft-Windows-Sysmon',
    providerGuid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
    eventId: 3,
    version: 5,
    level: 4,
    task: 3,
    opcode: 0,
    keywords: '0x8000000000000000',
    timeCreated: '2020-12-10T11:18:52.1904964Z',
    recordId: 549597,
    processId: 3556,
    threadId: 4416,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer: 'MSEDGEWIN10',
    userSid: 'S-1-5-18',
    eventData: {
      RuleName: '',
      UtcTime: '2020-12-10 11:18:51.062',
      ProcessGuid: '{747F3D96-7E78-5FD2-0000-0010E1C40000}',
      ProcessId: '896',
      Image: 'C:\\Windows\\system32\\svchost.exe',
      User: 'NT AUTHORITY\\NETWORK SERVICE',
      Protocol: 'tcp',
      Initiated: 'false',
      SourceIsIpv6: 'false',
      SourceIp: '10.0.2.17',
      SourceHostname: 'MSEDGEWIN10CLON',
      SourcePort: '49851',
      SourcePortName: '',
      DestinationIsIpv6: 'false',
      DestinationIp: '10.0.2.15',
      DestinationHostname: 'MSEDGEWIN10',
      DestinationPort: '135',
      DestinationPortName: 'epmap',
    },
  });
  const runKey = records.find((r) => r.eventId === 13);
  t.equal(runKey?.eventData.TargetObject, 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\wmipers');
  t.equal(runKey?.eventData.Details, 'rundll32.exe a.dll, DllMain');
  const wmiexec = await read(readEvtxRecords, path.join(samples, 'LM_wmiexec_impacket_sysmon_whoami.evtx'));
  const logonIds = wmiexec.records.filter((r) => r.eventId === 1).map((r) => r.eventData.LogonId);
  t.same(new Set(logonIds), new Set(['0x1d313d']), 'HexInt64 as Windows writes it: 0x and no padding');
});
