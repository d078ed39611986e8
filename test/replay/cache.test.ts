/**
 * --cache DIR: a warm cache replays nothing and writes the same report; any change to what a result
 * depends on (rule, test spec, dataset, its descriptor, options, limits) replays exactly the rules it touches.
 */
import t from 'tap';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ruleproof, scratchRepo, WMI_TESTS, WMI_V100 } from '../github/helpers.js';

function normalize(report: any): any {
  const copy = JSON.parse(JSON.stringify(report));
  delete copy.timings;
  for (const r of copy.rules) for (const x of r.tests) delete x.durationMs;
  return copy;
}

function cacheLine(stderr: string): string {
  return /cache \S+: (.*)/.exec(stderr)?.[1] ?? stderr;
}

t.test('cold, warm and invalidated runs', async (t) => {
  const repo = scratchRepo(t, { history: true });
  const plain = await ruleproof(repo, {}, 'test', '--format', 'json');
  t.equal(plain.code, 0, plain.stderr + plain.stdout.slice(0, 1500));
  const expected = normalize(JSON.parse(plain.stdout));
  t.equal(expected.rules.length, 2);
  const run = async (...extra: string[]) => {
    const r = await ruleproof(repo, {}, 'test', '--format', 'json', '--cache', '.ruleproof-cache', ...extra);
    return { ...r, report: JSON.parse(r.stdout) };
  };

  const cold = await run();
  t.equal(cacheLine(cold.stderr), '0 rule(s) from the cache, 2 replayed, 2 stored');
  t.same(normalize(cold.report), expected, 'a cold cache changes nothing in the report');
  const warm = await run();
  t.equal(cacheLine(warm.stderr), '2 rule(s) from the cache, 0 replayed, 0 stored');
  t.same(normalize(warm.report), expected, 'a warm cache writes the same report');
  t.same(warm.report.datasets, cold.report.datasets, 'dataset summaries come back from the cache');

  // The current rule's test spec changes: only that rule replays.
  writeFileSync(path.join(repo, WMI_TESTS), readFileSync(path.join(repo, WMI_TESTS), 'utf8').replace('Configuration Manager runs', 'SCCM runs'));
  t.equal(cacheLine((await run()).stderr), '1 rule(s) from the cache, 1 replayed, 1 stored', 'one rule touched, one rule replayed');
  t.equal(cacheLine((await run()).stderr), '2 rule(s) from the cache, 0 replayed, 0 stored');

  // A dataset only v100 reads changes: only v100 replays.
  appendFileSync(path.join(repo, 'datasets/synthetic/nessus_wmi_scan_report_txt.xml'), '\n');
  t.equal(cacheLine((await run()).stderr), '1 rule(s) from the cache, 1 replayed, 1 stored');

  // A descriptor both read: both replay.
  appendFileSync(path.join(repo, 'datasets/synthetic/sccm_wmi_client_actions.xml.meta.yml'), '\n# touched\n');
  t.equal(cacheLine((await run()).stderr), '0 rule(s) from the cache, 2 replayed, 2 stored');

  // The rule file itself.
  writeFileSync(path.join(repo, WMI_V100), readFileSync(path.join(repo, WMI_V100), 'utf8').replace('(negative control)', '(control)'));
  t.equal(cacheLine((await run()).stderr), '1 rule(s) from the cache, 1 replayed, 1 stored');

  // Options that change results are part of the key.
  t.equal(cacheLine((await run('--strict')).stderr), '0 rule(s) from the cache, 2 replayed, 2 stored');
  t.equal(cacheLine((await run()).stderr), '2 rule(s) from the cache, 0 replayed, 0 stored', 'both option sets stay cached');
  // A rebased replay is a different replay (times in the alerts change).
  const rebased = await run('--rebase', '2030-01-01T00:00:00Z');
  t.equal(cacheLine(rebased.stderr), '0 rule(s) from the cache, 2 replayed, 2 stored', '--rebase is part of the key');
  t.equal(cacheLine((await run()).stderr), '2 rule(s) from the cache, 0 replayed, 0 stored', 'and the plain run is still cached');
  // The limits in force are part of the key: they decide which lines are read and in what order.
  // (Limits are read from the process environment.)
  process.env.RULEPROOF_MAX_REORDER_EVENTS = '500';
  try {
    t.equal(cacheLine((await run()).stderr), '0 rule(s) from the cache, 2 replayed, 2 stored', 'a changed limit is a different replay');
  } finally {
    delete process.env.RULEPROOF_MAX_REORDER_EVENTS;
  }
  t.equal(cacheLine((await run()).stderr), '2 rule(s) from the cache, 0 replayed, 0 stored');
});

t.test('a damaged entry is a miss, never a wrong result', async (t) => {
  const repo = scratchRepo(t, { history: true });
  const first = await ruleproof(repo, {}, 'test', '--format', 'json', '--cache', 'c');
  const expected = normalize(JSON.parse(first.stdout));
  const root = path.join(repo, 'c', 'v1');
  const entries = readdirSync(root).flatMap((d) => readdirSync(path.join(root, d)).map((f) => path.join(root, d, f)));
  t.equal(entries.length, 2, 'one entry per rule');
  t.match(path.basename(entries[0]!), /^[0-9a-f]{64}\.json$/, 'content-addressed file names');
  writeFileSync(entries[0]!, '{"format":1,"key":"tr');
  writeFileSync(entries[1]!, JSON.stringify({ ...JSON.parse(readFileSync(entries[1]!, 'utf8')), key: 'someone else' }));
  const again = await ruleproof(repo, {}, 'test', '--format', 'json', '--cache', 'c');
  t.equal(cacheLine(again.stderr), '0 rule(s) from the cache, 2 replayed, 2 stored');
  t.same(normalize(JSON.parse(again.stdout)), expected);
});

t.test('a failing test is cached with its explanation, and the exit code holds', async (t) => {
  const repo = scratchRepo(t, { failing: true });
  const cold = await ruleproof(repo, {}, 'test', '--format', 'json', '--cache', 'c');
  const warm = await ruleproof(repo, {}, 'test', '--format', 'json', '--cache', 'c');
  t.equal(cold.code, 1);
  t.equal(warm.code, 1);
  t.match(cacheLine(warm.stderr), /^1 rule\(s\) from the cache/);
  const failing = JSON.parse(warm.stdout).rules[0].tests.find((x: any) => x.status === 'fail');
  t.match(failing.explanation.summary, /No alert/);
});
