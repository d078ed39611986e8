import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { otrfToWindowsRecord } from '../../src/events/readers/otrf-json.js';
import { normalizeWindowsRecord } from '../../src/events/normalize/index.js';
import type { CanonicalEvent, WindowsRecord } from '../../src/events/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

interface Sample {
  file: string;
  line: number;
  raw: string;
}

const samples = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/events/otrf-samples.json'), 'utf8')) as Record<string, Sample>;

/** The lab's UTC offset for an OTRF capture (2019-12 was EST, the 2020 captures EDT). */
export function labZone(file: string): string {
  return file.includes('2019-12') ? '-05:00' : '-04:00';
}

export function sampleLine(name: string): Sample {
  const s = samples[name];
  if (!s) throw new Error(`no sample ${name}`);
  return s;
}

export function sampleRecord(name: string): WindowsRecord {
  const s = sampleLine(name);
  const { record, problem } = otrfToWindowsRecord(JSON.parse(s.raw) as Record<string, unknown>, labZone(s.file), s.raw);
  if (!record) throw new Error(`sample ${name}: ${problem}`);
  return record;
}

export function sampleEvent(name: string): CanonicalEvent {
  return normalizeWindowsRecord(sampleRecord(name));
}
