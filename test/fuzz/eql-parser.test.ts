/**
 * Fuzzing the EQL front end (seeded, deterministic; FUZZ_CASES raises the count): random and
 * mutated queries never crash the compiler — each gives a compiled query or errors with a 1-based
 * line and column inside the text — and never hang (the run is bounded by a deadline: a hang would
 * stop the whole test, which tap reports as a timeout).
 */
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import { mutate, randomText, rng } from './fuzz-lib.js';

const SEEDS = [
  'process where process.name == "cmd.exe"',
  'process where process.name : ("cmd.exe", "powershell.exe") and not process.args : "*-enc*"',
  'sequence by host.id with maxspan = 30s [network where destination.port in (5985, 5986)] [process where process.parent.name : "wsmprovhost.exe"] until [process where false]',
  'sequence [process where true] with runs=3 ![file where file.name == "x"] [any where true]',
  'sample by host.id [process where true] [network where true]',
  'any where length(process.command_line) > 100 and startsWith~(process.name, "pow") | head 5',
  'process where process.name regex~ """.*\\\\(cmd|pwsh)\\.exe""" and `odd.field` == 1',
  'file where cidrMatch(source.ip, "10.0.0.0/8") or ?maybe.field != null // comment\n',
  'process where /* block */ add(process.pid, 1) * 2 % 3 >= -4.5e2 | tail 1',
];

const CASES = Number(process.env.FUZZ_CASES ?? 3000);

t.test(`EQL parser and compiler: ${CASES} fuzzed queries`, async (t) => {
  const r = rng(Number(process.env.FUZZ_SEED ?? 20241123));
  const deadline = Date.now() + Number(process.env.FUZZ_SECONDS ?? 60) * 1000;
  let ok = 0;
  let errors = 0;
  let crashes = 0;
  let badPositions = 0;
  let run = 0;
  for (; run < CASES && Date.now() < deadline; run++) {
    const text = r() < 0.8 ? mutate(SEEDS[Math.floor(r() * SEEDS.length)] as string, r) : randomText(r, 120);
    try {
      const res = compileQuery(text, { language: 'eql', fieldView: 'ecs' });
      if (res.ok) {
        ok++;
        // a compiled query must also run
        const det = res.query.newDetector(() => {});
        det.push({ doc: { event: { category: ['process'] }, process: { name: 'cmd.exe', pid: 4 } }, timestamp: 0, key: 'line:1', dataset: 'x', ordinal: 0 });
        det.finish();
      } else {
        errors++;
        const lines = text.split(/\r\n|\r|\n/).length;
        for (const e of res.errors) {
          if (!(e.line >= 1 && e.line <= lines + 1 && e.column >= 1 && typeof e.message === 'string' && e.message.length > 0)) {
            badPositions++;
            if (badPositions <= 3) t.fail(`error without a usable position for ${JSON.stringify(text)}: ${JSON.stringify(e)}`);
          }
        }
      }
    } catch (err) {
      crashes++;
      if (crashes <= 3) t.fail(`crash on ${JSON.stringify(text)}: ${(err as Error).stack}`);
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.equal(badPositions, 0, 'every error has a line and column');
  t.ok(run >= Math.min(CASES, 1000), `${run} cases ran (${ok} compiled, ${errors} refused)`);
  t.ok(ok > 50 && errors > 50, 'both valid and invalid queries were exercised');
});
