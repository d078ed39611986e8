/** `--rebase` on the commands that replay datasets; `events` over compressed datasets. */
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runCli } from '../cli/helpers.js';
import { repoRoot } from './helpers.js';

const EVTX = 'datasets/evtx-attack-samples/lateral_movement/LM_winrm_exec_sysmon_1_winrshost.evtx';

const cli = (args: string[], cwd?: string) => runCli(args, cwd ? { cwd } : {});

const timestamps = (ndjson: string): string[] => ndjson.trim().split('\n').map((l) => (JSON.parse(l) as { '@timestamp': string })['@timestamp']);

t.test('ruleproof events --rebase shifts the dataset to the chosen start', async (t) => {
  const plain = await cli(['events', EVTX]);
  t.equal(plain.code, 0);
  const before = timestamps(plain.out);
  const rebased = await cli(['events', EVTX, '--rebase', '2030-01-01T00:00:00Z']);
  t.equal(rebased.code, 0);
  const after = timestamps(rebased.out);
  t.equal(after.length, before.length);
  t.match(after[0], /^2030-01-01T00:00:00\.000/);
  const gap = (list: string[]) => Date.parse(list[list.length - 1] as string) - Date.parse(list[0] as string);
  t.equal(gap(after), gap(before), 'distances between events kept');
  const again = await cli(['events', EVTX]);
  t.same(timestamps(again.out), before, 'the next command without --rebase is not shifted');
});

t.test('--rebase refuses a time without a zone (usage error)', async (t) => {
  const r = await cli(['events', EVTX, '--rebase', '2030-01-01 10:00']);
  t.equal(r.code, 2);
  t.match(r.err, /--rebase takes an ISO 8601 time with a zone/);
});

t.test('query and run accept --rebase; the matches carry the shifted times', async (t) => {
  const r = await cli(['query', '-l', 'eql', 'process where process.name == "winrshost.exe"', EVTX, '--rebase', '2030-01-01T00:00:00+02:00']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /2029-12-31T22:00:00\.000/);
});

t.test('ruleproof events reads a .gz dataset', async (t) => {
  const dir = t.testdir({ 'log.evtx.gz': gzipSync(readFileSync(path.join(repoRoot, EVTX))) });
  const plain = await cli(['events', EVTX]);
  const gz = await cli(['events', path.join(dir, 'log.evtx.gz')]);
  t.equal(gz.code, 0, gz.err);
  t.equal(gz.out, plain.out);
});
