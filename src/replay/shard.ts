/**
 * `--shard i/n`: split the rules of a run across n runners, deterministically (every runner computes
 * the same partition from the same checkout, whatever order the files were discovered in) and
 * balanced by what replay costs: reading datasets. A dataset is read once per runner however many
 * rules test on it, so rules that share datasets are kept together when that is no more expensive.
 */
import { statSync } from 'node:fs';
import type { Rule } from '../rules/model.js';
import { resolveContentPath } from '../util/paths.js';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

/** Compile and assertion work of a rule, in the same unit as dataset cost (bytes read). */
const RULE_COST = 16 * 1024;

export function parseShard(text: string): ShardSpec | string {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return `--shard takes i/n (e.g. 2/4), got "${text}"`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return `--shard ${text}: i must be between 1 and n`;
  return { index, count };
}

/** Stable identity of a rule in a run (the same rule in every shard's view). */
export function ruleKey(rule: Pick<Rule, 'id' | 'version' | 'name'> & { source: { file: string }; query?: { language: string } }): string {
  // One file can hold several rules with one id and version (MITRE CAR: one per implementation).
  return `${rule.source.file}\u0000${rule.id}\u0000${rule.version ?? ''}\u0000${rule.name}\u0000${rule.query?.language ?? ''}`;
}

/** Bytes on disk; a missing dataset costs nothing to read (the test reports it). */
export function datasetSizeCost(root: string): (dataset: string) => number {
  const memo = new Map<string, number>();
  return (dataset) => {
    let cost = memo.get(dataset);
    if (cost === undefined) {
      try {
        cost = statSync(resolveContentPath(root, dataset)).size;
      } catch {
        cost = 0;
      }
      memo.set(dataset, cost);
    }
    return cost;
  };
}

/**
 * Partition rules into `count` groups. Rules that share datasets form a group (a dataset is read
 * once per shard, so splitting them costs extra reads); groups are placed largest first on the
 * least-loaded shard. A group larger than a fair share is split rule by rule: each rule goes where
 * the shard's load plus what the rule adds there (its own cost and the datasets that shard does not
 * read yet) is smallest. Ties go to the lower-loaded, then lower-numbered shard; the input order
 * never matters.
 */
export function partitionRules<R extends Rule>(rules: readonly R[], count: number, costOf: (dataset: string) => number): R[][] {
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const items = rules
    .map((rule) => {
      const datasets = [...new Set(rule.tests.map((t) => t.dataset))].sort();
      return { rule, key: ruleKey(rule), datasets, cost: RULE_COST + datasets.reduce((a, d) => a + costOf(d), 0) };
    })
    .sort(byKey);
  type Item = (typeof items)[number];

  // Union-find over datasets: rules connected by a shared dataset end up in one group.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(x, root);
    return root;
  };
  for (const item of items) {
    const own = `rule:${item.key}`;
    parent.set(own, own);
    for (const d of item.datasets) if (!parent.has(`ds:${d}`)) parent.set(`ds:${d}`, `ds:${d}`);
    for (const d of item.datasets) {
      const a = find(own);
      const b = find(`ds:${d}`);
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
    }
  }
  const groupsByRoot = new Map<string, Item[]>();
  for (const item of items) {
    const root = find(`rule:${item.key}`);
    groupsByRoot.set(root, [...(groupsByRoot.get(root) ?? []), item]);
  }
  const groups = [...groupsByRoot.values()].map((members) => {
    const datasets = new Set(members.flatMap((m) => m.datasets));
    return { members, key: members[0]?.key as string, cost: members.length * RULE_COST + [...datasets].reduce((a, d) => a + costOf(d), 0) };
  });
  groups.sort((a, b) => b.cost - a.cost || byKey(a, b));
  const fairShare = groups.reduce((a, g) => a + g.cost, 0) / count;

  const shards = Array.from({ length: count }, () => ({ load: 0, datasets: new Set<string>(), rules: [] as Item[] }));
  type Shard = (typeof shards)[number];
  const place = (shard: Shard, item: Item) => {
    shard.load += RULE_COST + item.datasets.filter((d) => !shard.datasets.has(d)).reduce((a, d) => a + costOf(d), 0);
    for (const d of item.datasets) shard.datasets.add(d);
    shard.rules.push(item);
  };
  const leastLoaded = () => shards.reduce((best, s) => (s.load < best.load ? s : best), shards[0] as Shard);
  for (const group of groups) {
    if (group.cost <= fairShare || count === 1) {
      const target = leastLoaded();
      for (const item of group.members) place(target, item);
      continue;
    }
    for (const item of [...group.members].sort((a, b) => b.cost - a.cost || byKey(a, b))) {
      let best = shards[0] as Shard;
      let bestTotal = Infinity;
      for (const shard of shards) {
        const total = shard.load + RULE_COST + item.datasets.filter((d) => !shard.datasets.has(d)).reduce((a, d) => a + costOf(d), 0);
        if (total < bestTotal || (total === bestTotal && shard.load < best.load)) {
          best = shard;
          bestTotal = total;
        }
      }
      place(best, item);
    }
  }
  return shards.map((s) => s.rules.sort(byKey).map((i) => i.rule));
}

export function shardRules<R extends Rule>(rules: readonly R[], spec: ShardSpec, costOf: (dataset: string) => number): R[] {
  return partitionRules(rules, spec.count, costOf)[spec.index - 1] ?? [];
}

/** The estimated cost of each shard (for the log line and the tests). */
export function shardLoads(rules: readonly Rule[], count: number, costOf: (dataset: string) => number): number[] {
  return partitionRules(rules, count, costOf).map((group) => {
    const datasets = new Set(group.flatMap((r) => r.tests.map((t) => t.dataset)));
    return group.length * RULE_COST + [...datasets].reduce((a, d) => a + costOf(d), 0);
  });
}
