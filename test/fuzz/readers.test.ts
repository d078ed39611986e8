/**
 * Fuzzing the dataset readers (seeded, deterministic; FUZZ_CASES raises the count): mutated ECS
 * NDJSON, OTRF JSON, JSON arrays and Splunk XmlWinEventLog never crash or hang a read — a read
 * ends with events and located warnings, or with one ContentError (a diagnostic), nothing else.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openDataset } from '../../src/events/dataset.js';
import type { DatasetFormat } from '../../src/events/types.js';
import { ContentError } from '../../src/util/diagnostics.js';
import { mutate, rng } from './fuzz-lib.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-fuzz-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const fixtures = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../fixtures');
const ECS = [
  JSON.stringify({ '@timestamp': '2024-01-01T00:00:00Z', event: { category: ['process'] }, process: { name: 'cmd.exe', args: ['a', 'b'] } }),
  JSON.stringify({ _source: { '@timestamp': 1704067200000, 'process.name': 'x', winlog: { event_id: 4688 } } }),
].join('\n');
const SEEDS: Array<{ format: DatasetFormat; text: string }> = [
  { format: 'ecs-ndjson', text: ECS },
  { format: 'json-array', text: `[${ECS.split('\n').join(',')}]` },
  { format: 'otrf-json', text: readFileSync(path.join(fixtures, 'events/otrf-samples.json'), 'utf8').split('\n').slice(0, 4).join('\n') },
  { format: 'sysmon-xml', text: readFileSync(path.join(fixtures, 'xml/sysmon-crlf-multiline.xml'), 'utf8').slice(0, 6000) },
];

const CASES = Number(process.env.FUZZ_CASES ?? 1500);

t.test(`readers: ${CASES} fuzzed datasets`, async (t) => {
  const r = rng(Number(process.env.FUZZ_SEED ?? 4242));
  const deadline = Date.now() + Number(process.env.FUZZ_SECONDS ?? 90) * 1000;
  let crashes = 0;
  let events = 0;
  let warnings = 0;
  let refused = 0;
  let run = 0;
  const file = path.join(dir, 'data');
  for (; run < CASES && Date.now() < deadline; run++) {
    const seed = SEEDS[run % SEEDS.length]!;
    let text = seed.text;
    const rounds = 1 + Math.floor(r() * 3);
    for (let k = 0; k < rounds; k++) text = mutate(text, r);
    writeFileSync(file, text);
    try {
      for await (const e of openDataset(file, {
        root: dir,
        format: seed.format,
        onDiagnostic: (d) => {
          warnings++;
          if (!(d.line >= 0 && d.code && d.message)) t.fail(`diagnostic without position: ${JSON.stringify(d)}`);
        },
      })) {
        events++;
        if (typeof e.key !== 'string' || typeof e.doc !== 'object') t.fail('malformed event');
      }
    } catch (err) {
      if (err instanceof ContentError) refused++;
      else {
        crashes++;
        if (crashes <= 3) t.fail(`crash reading ${seed.format} ${JSON.stringify(text.slice(0, 300))}: ${(err as Error).stack}`);
      }
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.ok(run >= Math.min(CASES, 500), `${run} datasets read (${events} events, ${warnings} warnings, ${refused} refused)`);
  t.ok(events > 100 && warnings > 100, 'the mutations produce both readable and broken records');
});
