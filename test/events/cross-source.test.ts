/**
 * The same event read from EVTX, from Splunk's XmlWinEventLog and from OTRF/NXLog JSON normalizes
 * to the same canonical event (test/fixtures/events/cross-source/README.md says how the XML and
 * JSON renderings of the EVTX record were made).
 */
import path from 'node:path';
import t from 'tap';
import { openDataset, openRawRecords } from '../../src/events/dataset.js';
import { normalizeRecord } from '../../src/events/normalize/index.js';
import type { RawRecord } from '../../src/events/readers/types.js';
import type { CanonicalEvent, ReadOptions, WindowsRecord } from '../../src/events/types.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';
import { repoRoot } from './helpers.js';

const EVTX = 'datasets/evtx-attack-samples/lateral_movement/LM_winrm_exec_sysmon_1_winrshost.evtx';
const FIXTURES = 'test/fixtures/events/cross-source';

async function records(file: string, extra: Partial<ReadOptions> = {}): Promise<RawRecord[]> {
  const diagnostics: Diagnostic[] = [];
  const out: RawRecord[] = [];
  for await (const r of openRawRecords(file, { root: repoRoot, onDiagnostic: (d) => diagnostics.push(d), ...extra })) out.push(r);
  if (diagnostics.length) throw new Error(JSON.stringify(diagnostics));
  return out;
}

function windows(raw: RawRecord | undefined): WindowsRecord {
  if (!raw || raw.kind !== 'windows') throw new Error('expected a Windows record');
  return raw.record;
}

/** Dotted paths of every leaf where two documents differ. */
function differences(a: unknown, b: unknown, prefix = ''): string[] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

t.test('EVTX record 17984, its Splunk XML and its OTRF line: one canonical event', async (t) => {
  const fromEvtx = (await records(EVTX)).find((r) => r.kind === 'windows' && r.record.recordId === 17984);
  const [fromXml] = await records(`${FIXTURES}/winrshost-17984.xml`);
  const [fromOtrf] = await records(`${FIXTURES}/winrshost-17984.json`);
  const evtx = normalizeRecord(fromEvtx as RawRecord);
  const xml = normalizeRecord(fromXml as RawRecord);
  const otrf = normalizeRecord(fromOtrf as RawRecord);

  // EVTX and XML carry the same information: the records and the canonical events are identical.
  t.same(windows(fromXml), windows(fromEvtx), 'XML and EVTX give the same WindowsRecord');
  t.same(xml.doc, evtx.doc, 'XML and EVTX give the same canonical event');
  t.equal(xml.timestamp, evtx.timestamp);

  // NXLog keeps everything but the sub-second part of the record time, and adds the message.
  t.same(differences(otrf.doc, evtx.doc), ['event.created', 'message'], 'OTRF differs only where NXLog does');
  t.equal((evtx.doc.event as CanonicalEvent).created, '2019-05-16T01:31:36.4268707Z');
  t.equal((otrf.doc.event as CanonicalEvent).created, '2019-05-16T01:31:36.000Z', 'NXLog EventTime is to the second');
  t.match(otrf.doc.message, /^Process Create:\r\nRuleName: \r\nUtcTime: 2019-05-16 01:31:36\.408\r\n/);
  t.equal(otrf.timestamp, evtx.timestamp, 'same @timestamp: Sysmon UtcTime');

  // What rules look at, spelled out.
  const doc = evtx.doc as Record<string, Record<string, unknown>>;
  t.equal(doc['@timestamp'] as unknown, '2019-05-16T01:31:36.408Z');
  t.same(doc.process, {
    ...doc.process,
    pid: 3948,
    executable: 'C:\\Windows\\System32\\winrshost.exe',
    name: 'winrshost.exe',
    command_line: 'C:\\Windows\\system32\\WinrsHost.exe -Embedding',
    entity_id: '{DFAE8213-BD78-5CDC-0000-0010C7FE1200}',
  });
  t.equal((doc.process?.parent as Record<string, unknown>).name, 'svchost.exe');
  t.equal(doc.user?.name, 'Administrator');
  t.equal(doc.host?.name, 'dc1');
  t.equal(doc.winlog?.record_id, '17984');
});

t.test('the three files replay through openDataset to the same events', async (t) => {
  const replay = async (file: string) => {
    const out: CanonicalEvent[] = [];
    for await (const e of openDataset(file, { root: repoRoot, onDiagnostic: () => {} })) out.push(e.doc);
    return out;
  };
  const evtx = (await replay(EVTX)).filter((d) => (d.winlog as { record_id?: string }).record_id === '17984');
  const xml = await replay(path.join(repoRoot, FIXTURES, 'winrshost-17984.xml'));
  const otrf = await replay(`${FIXTURES}/winrshost-17984.json`);
  t.equal(evtx.length, 1);
  t.same(xml, evtx);
  t.same(otrf.map((d) => differences(d, evtx[0])), [['event.created', 'message']]);
});
