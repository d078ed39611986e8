/**
 * Fuzzing the KQL front end (seeded, deterministic; FUZZ_CASES / FUZZ_SEED / FUZZ_SECONDS change
 * the run): random and mutated queries never crash the compiler — each gives a compiled query that
 * runs, or errors with a line and column inside the text — and never hang (a hang stops the test,
 * which tap reports as a timeout). A failure prints the settings that repeat it.
 */
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import type { ReplayEvent } from '../../src/events/types.js';
import { fuzzSettings, mutate, positionInside, randomText, rng } from './fuzz-lib.js';

const SEEDS = [
  'event.category:process and event.type:start and process.parent.name:WmiPrvSE.exe and data_stream.dataset:windows.sysmon_operational',
  'event.category:process and event.type:start and process.parent.name:wsmprovhost.exe and\n  not process.name:(conhost.exe or WerFault.exe)',
  'process.name:cmd.exe or (process.args:"/c" and not user.name:SYSTEM)',
  'process.command_line:*powershell* and process.command_line:*-enc\\**',
  'destination.port >= 5985 and destination.port <= 5986 and source.ip:10.0.0.0/8',
  'file.path:"C:\\\\Windows\\\\Temp\\\\*.exe" or file.name:(a.exe or "b c.exe" or d*)',
  'message:"invoke command" and @timestamp < "2024-01-01T00:00:00Z"',
  'host.name:* and not winlog.event_data.TargetUserName:*$',
  'user:{ name:alice and domain:corp }',
  'process.pe.original_file_name:"PowerShell.EXE" and process.args:(-enc or -EncodedCommand or -e)',
];

const KQL_TOKENS = [':', '(', ')', '{', '}', '"', '\\', '*', '?', ' and ', ' or ', ' not ', 'not ', '<', '<=', '>', '>=', ':*', '\\*', '\\"', '\n', '\r\n', '\t', '😀', 'é', '\u0000', '__proto__', 'constructor', '.', '@timestamp', 'process.name', '10.0.0.0/8', '1e309', '-1', 'true', 'false', 'null', '""', '*:*'];

const { cases: CASES, seed: SEED, deadline, repeat } = fuzzSettings(2000, 20261123, 60);

const EVENT: ReplayEvent = {
  doc: { '@timestamp': '2024-01-01T00:00:00Z', event: { category: ['process'], type: ['start'] }, process: { name: 'cmd.exe', args: ['/c', 'whoami'], parent: { name: 'WmiPrvSE.exe' } }, user: { name: 'alice', domain: 'corp' }, destination: { port: 5985 } },
  timestamp: 1704067200000,
  key: 'line:1',
  dataset: 'x',
  ordinal: 0,
};

t.test(`KQL parser and compiler: ${CASES} fuzzed queries (${repeat})`, async (t) => {
  const r = rng(SEED);
  let ok = 0;
  let errors = 0;
  let crashes = 0;
  let badPositions = 0;
  let run = 0;
  for (; run < CASES && Date.now() < deadline; run++) {
    const text = r() < 0.85 ? mutate(SEEDS[Math.floor(r() * SEEDS.length)] as string, r, KQL_TOKENS) : randomText(r, 100, KQL_TOKENS);
    try {
      const res = compileQuery(text, { language: 'kql', fieldView: 'ecs' });
      if (res.ok) {
        ok++;
        const det = res.query.newDetector(() => {});
        det.push(EVENT);
        det.finish();
      } else {
        errors++;
        for (const e of res.errors) {
          if (!(positionInside(text, e.line, e.column) && typeof e.message === 'string' && e.message.length > 0)) {
            badPositions++;
            if (badPositions <= 3) t.fail(`error without a usable position for ${JSON.stringify(text)} (${repeat}): ${JSON.stringify(e)}`);
          }
        }
      }
    } catch (err) {
      crashes++;
      if (crashes <= 3) t.fail(`crash on ${JSON.stringify(text)} (${repeat}): ${(err as Error).stack}`);
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.equal(badPositions, 0, 'every error has a line and column inside the query');
  t.ok(run >= Math.min(CASES, 500), `${run} cases ran (${ok} compiled, ${errors} refused)`);
  t.ok(ok > Math.min(50, run / 20) && errors > Math.min(50, run / 20), 'both valid and invalid queries were exercised');
});
