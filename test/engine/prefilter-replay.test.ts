/**
 * The replay runner with literal prefiltering and with `--jobs`: the report is the same with the
 * prefilter on or off, and with one worker or several (apart from wall-clock timings), and a
 * dataset that cannot be read fails only its own tests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadRules } from '../../src/rules/index.js';
import { replayTests } from '../../src/replay/runner.js';
import { effectiveJobs, prestartWorkers } from '../../src/replay/workers.js';
import { spawnSync } from 'node:child_process';

const root = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-replay-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

function event(ts: number, host: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ '@timestamp': new Date(Date.UTC(2024, 0, 1) + ts * 1000).toISOString(), host: { id: host, os: { type: 'windows' } }, ...fields });
}

function dataset(name: string, seed: number): void {
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const host = `h${(i * seed) % 7}`;
    if (i % 37 === 5) {
      lines.push(event(i * 10, host, { event: { category: ['network'], type: ['connection'] }, network: { direction: 'incoming' }, destination: { port: 5985 } }));
      lines.push(event(i * 10 + 2, host, { event: { category: ['process'], type: ['start'] }, process: { name: 'whoami.exe', parent: { name: 'wsmprovhost.exe' } } }));
    } else {
      lines.push(event(i * 10, host, { event: { category: ['file'], type: ['creation'] }, file: { path: `C:\\\\tmp\\\\${i}.log` }, process: { name: 'svc.exe' } }));
    }
  }
  if (seed === 3) lines.splice(100, 0, '{"not json');
  mkdirSync(path.join(root, 'datasets'), { recursive: true });
  writeFileSync(path.join(root, 'datasets', name), lines.join('\n') + '\n');
}
dataset('a.ndjson', 1);
dataset('b.ndjson', 3);
dataset('c.ndjson', 5);
writeFileSync(path.join(root, 'datasets', 'unreadable.ndjson'), 'this is not a dataset\n');

const QUERIES = [
  'sequence by host.id with maxspan = 30s [network where network.direction : ("incoming", "ingress") and destination.port in (5985, 5986)] [process where process.parent.name : "wsmprovhost.exe"]',
  'process where process.parent.name == "wsmprovhost.exe"',
  'process where process.name : "*.exe" and not process.name == "svc.exe"',
  'file where file.path : "*\\\\1?.log"',
];
mkdirSync(path.join(root, 'detections'), { recursive: true });
QUERIES.forEach((q, i) => {
  const tests = ['a.ndjson', 'b.ndjson', 'c.ndjson', ...(i === 0 ? ['unreadable.ndjson'] : [])]
    .map((d) => `  - name: on ${d}\n    dataset: datasets/${d}\n    expect: fire\n`)
    .join('');
  writeFileSync(
    path.join(root, 'detections', `r${i}.yml`),
    `id: 00000000-0000-4000-8000-00000000000${i}\nversion: 1\nname: rule ${i}\ndescription: test rule\nauthor: [t]\nlicense: MIT\nseverity: low\nrisk_score: 1\n` +
      `query:\n  language: eql\n  field_view: ecs\n  text: '${q.replace(/'/g, "''")}'\ntests:\n${tests}`,
  );
});

/** The report without wall-clock figures. */
function stable(outcome: unknown): unknown {
  return JSON.parse(JSON.stringify(outcome, (k, v) => (k === 'durationMs' ? 0 : v)));
}

async function replay(env: string, jobs: number) {
  const saved = process.env.RULEPROOF_PREFILTER;
  process.env.RULEPROOF_PREFILTER = env;
  try {
    const loaded = await loadRules(['detections'], { root });
    return await replayTests(loaded.rules, { root, jobs });
  } finally {
    if (saved === undefined) delete process.env.RULEPROOF_PREFILTER;
    else process.env.RULEPROOF_PREFILTER = saved;
  }
}

t.test('prefilter on and off give the same report', async (t) => {
  const off = await replay('0', 1);
  const on = await replay('1', 1);
  t.same(stable(on), stable(off));
  const a = off.datasets.find((d) => d.path === 'datasets/a.ndjson');
  t.equal(a?.events, 400 + 11, 'every line counts as an event, parsed or not');
  t.equal(on.datasets.find((d) => d.path === 'datasets/a.ndjson')?.events, 411);
  const fired = off.rules.flatMap((r) => r.tests).filter((x) => x.alertCount > 0).length;
  t.ok(fired >= 6, `the rules fire (${fired} tests with alerts)`);
  t.ok(off.datasets.find((d) => d.path === 'datasets/unreadable.ndjson')?.error, 'the unreadable dataset is reported');
  t.ok(on.diagnostics.some((d) => d.code === 'dataset/malformed-line'), 'a line cut short is read (and reported) even where no literal is');
});

t.test('--jobs 2 gives the report of --jobs 1', async (t) => {
  const one = await replay('1', 1);
  const two = await replay('0', 2);
  t.same(stable(two), stable(one));
});

t.test('workers started ahead are used, and spares are let go', async (t) => {
  const one = await replay('1', 1);
  prestartWorkers(3); // two workers wait; a run of two jobs takes one and terminates the other
  const two = await replay('1', 2);
  t.same(stable(two), stable(one), 'the same report through a worker started ahead');
  prestartWorkers(2);
  const single = await replay('1', 1);
  t.same(stable(single), stable(one), 'a run on this thread alone lets the waiting worker go');
});

t.test('a process whose waiting workers are never used still exits', async (t) => {
  const script = `import { prestartWorkers } from ${JSON.stringify(new URL('../../src/replay/workers.ts', import.meta.url).href)}; prestartWorkers(2); console.log('started');`;
  const r = spawnSync(process.execPath, ['--import', '@tapjs/typescript/import', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.signal, null, 'not killed by the timeout');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /started/);
});

t.test('a strict run reads every line', async (t) => {
  const loaded = await loadRules(['detections'], { root });
  const strict = await replayTests(loaded.rules, { root, strict: true, jobs: 2 });
  t.ok(strict.diagnostics.some((d) => d.code === 'dataset/malformed-line' && d.severity === 'error'));
});

t.test('job counts', async (t) => {
  t.equal(effectiveJobs(undefined, 5), 1);
  t.equal(effectiveJobs(0, 5), 1);
  t.equal(effectiveJobs(4, 1), 1, 'never more workers than datasets');
  t.equal(effectiveJobs(2, 5), 2);
});
