/**
 * Shards merge into the report one unsharded run writes: same JSON (but wall-clock figures), and so
 * the same SARIF, JUnit and summary; merge-reports refuses incomplete or overlapping shard sets.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ruleproof, repoRoot, tempDir } from '../github/helpers.js';
import { mergeReports } from '../../src/replay/merge.js';
import { renderSarifText } from '../../src/report/sarif.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderSummaryMarkdown } from '../../src/report/step-summary.js';
import type { GatingReport } from '../../src/report/markdown.js';
import { compareDiagnostics } from '../../src/util/diagnostics.js';
import { sampleLintReport, sampleTestReport } from '../report/fixtures.js';

/** Drop what is wall-clock by design (DESIGN.md: only `timings` and `durationMs`). */
function normalize(report: any): any {
  const copy = JSON.parse(JSON.stringify(report));
  const strip = (test: any) => {
    delete test.timings;
    for (const r of test.rules) for (const x of r.tests) delete x.durationMs;
  };
  if (copy.command === 'check') strip(copy.test);
  if (copy.command === 'test') strip(copy);
  return copy;
}

const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

for (const command of ['test', 'check'] as const) {
  t.test(`${command}: 3 shards merged == one unsharded run`, async (t) => {
    const dir = tempDir(t);
    const out = (name: string) => path.join(dir, name);
    const full = await ruleproof(repoRoot, {}, command, '--format', 'json', '--json', out('full.json'));
    t.equal(full.code, 0, full.stderr);
    const shards: string[] = [];
    const sizes: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await ruleproof(repoRoot, {}, command, '--shard', `${i}/3`, '--format', 'json', '--json', out(`s${i}.json`));
      t.equal(r.code, 0, r.stderr);
      t.match(r.stderr, new RegExp(`shard ${i}/3: \\d+ of \\d+ rule\\(s\\)`));
      const rep = read(out(`s${i}.json`));
      t.same(rep.shard, { index: i, count: 3 }, 'the report says which shard it is');
      sizes.push((command === 'check' ? rep.test : rep).rules.length);
      shards.push(out(`s${i}.json`));
    }
    const fullReport = read(out('full.json'));
    const total = (command === 'check' ? fullReport.test : fullReport).rules.length;
    t.equal(sizes.reduce((a, b) => a + b, 0), total, 'the shards together have every rule once');
    t.ok(sizes.every((n) => n > 0), `no empty shard (${sizes.join(', ')})`);

    // Given in any order.
    const merged = await ruleproof(repoRoot, {}, 'merge-reports', shards[2]!, shards[0]!, shards[1]!, '--json', out('merged.json'), '--format', 'json');
    t.equal(merged.code, 0, merged.stderr);
    const mergedReport = read(out('merged.json'));
    t.same(normalize(mergedReport), normalize(fullReport), 'merged JSON equals the unsharded JSON');
    t.notOk('shard' in mergedReport);

    const a = normalize(fullReport) as GatingReport;
    const b = normalize(mergedReport) as GatingReport;
    t.equal(renderSarifText(b), renderSarifText(a), 'same SARIF');
    t.equal(renderJunit(b, { timings: false }), renderJunit(a, { timings: false }), 'same JUnit');
    t.equal(renderSummaryMarkdown(b), renderSummaryMarkdown(a), 'same summary');
    const consoleMerged = await ruleproof(repoRoot, {}, 'merge-reports', ...shards);
    t.equal(consoleMerged.code, 0);
    t.match(consoleMerged.stdout, /Incoming Execution via PowerShell Remoting/);
  });
}

t.test('merge-reports refuses what is not one complete set of shards', async (t) => {
  const s = (i: number, n = 3) => ({ ...sampleTestReport(), rules: [], shard: { index: i, count: n } }) as GatingReport;
  t.match(mergeReports([s(1), s(2)]), /shard\(s\) 3\/3 missing/);
  t.match(mergeReports([s(1), s(2), s(2), s(3)]), /shard 2\/3 is given twice/);
  t.match(mergeReports([s(1, 2), s(2, 3)]), /different shard counts/);
  t.match(mergeReports([s(1, 1), sampleTestReport()]), /some reports come from sharded runs/);
  t.match(mergeReports([sampleTestReport(), sampleLintReport()]), /cannot merge test and lint reports/);
  t.match(mergeReports([sampleTestReport(), sampleTestReport()]), /the reports overlap/);
  t.match(mergeReports([]), /no reports/);

  const lint = mergeReports([sampleLintReport(), sampleLintReport()]);
  t.not(typeof lint, 'string');
  t.same((lint as any).diagnostics, [...sampleLintReport().diagnostics].sort(compareDiagnostics), 'identical lint findings of every shard appear once');
  t.equal((lint as any).summary.errors, 2);

  const dir = tempDir(t);
  const bad = await ruleproof(dir, {}, 'merge-reports', 'nope.json');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /merge-reports: nope\.json does not exist/);
});
