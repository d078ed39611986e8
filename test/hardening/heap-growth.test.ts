/**
 * Peak memory of a replay that promotes and drops much: the CLI caps how far V8 lets the old
 * generation grow past its live set between full collections (src/util/heap.ts). Each case runs in
 * its own process (V8 flags are per process): a sliding window of 80,000 held objects (about
 * 50 MB of live old generation) through which 1,500,000 objects pass, each outliving the young generation, as held
 * events do in a replay of an out-of-order dataset.
 */
import { spawnSync } from 'node:child_process';
import t from 'tap';

const heapModule = new URL('../../src/util/heap.ts', import.meta.url).href;

interface Churn {
  /** Largest old-generation use seen (MB), sampled every 1,024 allocations. */
  peakMB: number;
  /** Old-generation use after a full collection at the end (MB): the live set. */
  liveMB: number;
}

function churn(bound: boolean, nodeFlags: string[] = []): Churn {
  const script = `
    import v8 from 'node:v8';
    import { boundOldGenerationGrowth } from ${JSON.stringify(heapModule)};
    if (${bound}) boundOldGenerationGrowth();
    // The old generation: every space but the young generation's.
    const old = () => v8.getHeapSpaceStatistics().filter((s) => !s.space_name.startsWith('new_')).reduce((sum, s) => sum + s.space_used_size, 0) / 2 ** 20;
    const held = new Array(80000);
    let peakMB = 0;
    for (let i = 0; i < 1500000; i++) {
      held[i % held.length] = { id: i, name: 'event-' + i, tags: [String(i), String(i * 2)], body: { a: i, b: 'x'.repeat(8) + i, c: [i, i + 1, i + 2] } };
      if ((i & 1023) === 0) peakMB = Math.max(peakMB, old());
    }
    globalThis.gc();
    console.log(JSON.stringify({ peakMB, liveMB: old(), held: held.length }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', ...nodeFlags, '--import', '@tapjs/typescript/import', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`churn child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Churn;
}

const free = churn(false);
const bounded = churn(true);

t.test('bounded growth keeps the old generation within three times its live set', async (t) => {
  t.ok(bounded.liveMB > 30, `the workload keeps a real live set (${bounded.liveMB.toFixed(1)} MB)`);
  // Factor 2, plus V8's minimum step between full collections and what is promoted while one marks.
  t.ok(bounded.peakMB <= 3 * bounded.liveMB, `bounded peak ${bounded.peakMB.toFixed(1)} MB for ${bounded.liveMB.toFixed(1)} MB live`);
  t.ok(free.peakMB > 1.5 * bounded.peakMB, `V8's own choice grows further (${free.peakMB.toFixed(1)} MB against ${bounded.peakMB.toFixed(1)} MB): the bound is what holds it`);
});

t.test('a growth factor given on the command line is kept', async (t) => {
  const own = churn(true, ['--heap-growing-percent=300']);
  t.ok(own.peakMB > 1.5 * bounded.peakMB, `--heap-growing-percent=300 wins over the default bound (${own.peakMB.toFixed(1)} MB against ${bounded.peakMB.toFixed(1)} MB)`);
});
