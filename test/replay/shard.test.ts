/** --shard: every rule in exactly one shard, the same partition whatever the discovery order, balanced by dataset cost. */
import t from 'tap';
import { parseShard, partitionRules, shardRules, shardLoads, datasetSizeCost } from '../../src/replay/shard.js';
import type { Rule } from '../../src/rules/model.js';
import { loadRules } from '../../src/rules/index.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function rule(n: number, datasets: string[]): Rule {
  return {
    id: `id-${n}`,
    name: `rule ${n}`,
    version: n % 3,
    source: { file: `detections/r${String(n).padStart(3, '0')}.yml` },
    tests: datasets.map((dataset) => ({ dataset })),
  } as unknown as Rule;
}

/** A deterministic pseudo-random corpus: 200 rules over 40 datasets of very different sizes. */
function corpus(): { rules: Rule[]; cost: (d: string) => number } {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const sizes = new Map<string, number>();
  for (let d = 0; d < 40; d++) sizes.set(`datasets/d${d}.json`, Math.floor(1000 + rnd() * 5_000_000));
  const rules = Array.from({ length: 200 }, (_, i) => rule(i, Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => `datasets/d${Math.floor(rnd() * 40)}.json`)));
  return { rules, cost: (d) => sizes.get(d) ?? 0 };
}

function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 16807) % 2147483647;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

t.test('parseShard', async (t) => {
  t.same(parseShard('2/4'), { index: 2, count: 4 });
  t.same(parseShard(' 1 / 1 '), { index: 1, count: 1 });
  for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '-1/3', '1/2/3']) t.type(parseShard(bad), 'string', `${bad} is refused`);
});

t.test('every rule in exactly one shard, for every shard count', async (t) => {
  const { rules, cost } = corpus();
  for (const n of [1, 2, 3, 4, 7, 16, 250]) {
    const parts = partitionRules(rules, n, cost);
    t.equal(parts.length, n);
    const ids = parts.flat().map((r) => `${r.source.file}`);
    t.equal(ids.length, rules.length, `n=${n}: no rule lost or duplicated`);
    t.equal(new Set(ids).size, rules.length);
    const viaIndex = Array.from({ length: n }, (_, i) => shardRules(rules, { index: i + 1, count: n }, cost)).flat();
    t.same(viaIndex.map((r) => r.source.file).sort(), ids.sort(), `n=${n}: shardRules agrees`);
  }
});

t.test('the partition does not depend on discovery order', async (t) => {
  const { rules, cost } = corpus();
  const key = (parts: Rule[][]) => parts.map((p) => p.map((r) => r.source.file));
  const expected = key(partitionRules(rules, 5, cost));
  for (const seed of [1, 7, 99]) t.same(key(partitionRules(shuffled(rules, seed), 5, cost)), expected, `shuffle ${seed}`);
});

t.test('balanced by dataset cost, better than splitting by count', async (t) => {
  const { rules, cost } = corpus();
  for (const n of [2, 4, 8]) {
    const loads = shardLoads(rules, n, cost);
    const naive = Array.from({ length: n }, (_, i) => rules.filter((_r, j) => j % n === i));
    const naiveLoads = naive.map((g) => [...new Set(g.flatMap((r) => r.tests.map((x) => x.dataset)))].reduce((a, d) => a + cost(d), 0) + g.length * 16 * 1024);
    const spread = (l: number[]) => Math.max(...l) / Math.min(...l);
    t.ok(spread(loads) <= spread(naiveLoads), `n=${n}: max/min ${spread(loads).toFixed(2)} vs round-robin ${spread(naiveLoads).toFixed(2)}`);
    t.ok(Math.max(...loads) <= Math.max(...naiveLoads), `n=${n}: the slowest shard is no slower than round-robin's`);
  }
});

t.test('rules sharing a dataset stay together when that costs nothing', async (t) => {
  const rules = [rule(1, ['big']), rule(2, ['big']), rule(3, ['small']), rule(4, ['small'])];
  const cost = (d: string) => (d === 'big' ? 1_000_000 : 1_000_000);
  const parts = partitionRules(rules, 2, cost);
  const datasetsPer = parts.map((p) => new Set(p.flatMap((r) => r.tests.map((x) => x.dataset))));
  t.same(datasetsPer.map((s) => s.size), [1, 1], 'each dataset is read by one shard only');
});

t.test('the bundled rules: shards of the real content', async (t) => {
  const loaded = await loadRules(['detections'], { root: repoRoot });
  const cost = datasetSizeCost(repoRoot);
  t.ok(cost('datasets/otrf-security-datasets/empire_psremoting_stager_2020-09-20170827.json') > 0, 'sizes from disk');
  t.equal(cost('datasets/nope.json'), 0, 'a missing dataset costs nothing');
  for (const n of [2, 3]) {
    const parts = partitionRules(loaded.rules, n, cost);
    t.equal(parts.flat().length, loaded.rules.length);
    t.ok(parts.every((p) => p.length > 0), `n=${n}: no empty shard`);
  }
});
