/**
 * Rule sets for the replay benchmark, made by mutating the bundled EQL rules: rule i takes bundled
 * rule (i mod k), renames every executable it names (`"wsmprovhost.exe"` → `"wsmprovhost-i.exe"`,
 * so each rule is distinct and most never fire), and every other rule is cut down to its last stage
 * as a single-event query (most real rule sets are mostly event queries). Rule 0..k-1 stay as
 * written. Each rule gets one test on every benchmark dataset.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The bundled EQL rules written against ECS (query text only), in a stable order. */
export async function bundledEqlQueries(root, dist) {
  const { loadRules } = await import(pathToFileURL(path.join(dist, 'rules/index.js')).href);
  const loaded = await loadRules(['detections'], { root });
  return loaded.rules
    .filter((r) => r.query.language === 'eql' && r.query.fieldView === 'ecs' && !r.query.dialect)
    .sort((a, b) => (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : (a.version ?? 0) - (b.version ?? 0)))
    .map((r) => ({ name: r.name, text: r.query.text }));
}

/** Top-level `[ … ]` stages of a sequence, skipping brackets inside strings and comments. */
export function stagesOf(text) {
  const stages = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      if (text.startsWith('"""', i)) {
        i = text.indexOf('"""', i + 3) + 2;
        continue;
      }
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
      continue;
    }
    if (c === '[') {
      if (depth === 0) start = i + 1;
      depth++;
    } else if (c === ']') {
      depth--;
      if (depth === 0) stages.push(text.slice(start, i).trim());
    }
  }
  return stages;
}

export function mutate(text, i) {
  return text.replace(/"([^"\\]*?)\.exe"/gi, (_, stem) => `"${stem}-${i}.exe"`);
}

/** Write `n` rules (native YAML) into `dir/detections`, each tested on every dataset path given. */
export function writeRuleRepo(dir, n, bases, datasets, { eventsOnly = false } = {}) {
  const det = path.join(dir, 'detections');
  mkdirSync(det, { recursive: true });
  for (let i = 0; i < n; i++) {
    const base = bases[i % bases.length];
    let text = i < bases.length ? base.text : mutate(base.text, i);
    if (eventsOnly || i % 2 === 1) {
      const stages = stagesOf(text);
      if (stages.length) text = stages[stages.length - 1];
    }
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const tests = datasets
      .map((d, j) => `  - name: bench ${j}\n    dataset: ${d}\n    expect: quiet\n    reason: benchmark replay; the verdict does not matter\n`)
      .join('');
    const yaml =
      `id: ${id}\nversion: 1\nname: bench rule ${String(i).padStart(4, '0')} (${base.name})\ndescription: A benchmark mutation of a bundled rule.\n` +
      `author: [ruleproof bench]\nlicense: Elastic License v2\nseverity: low\nrisk_score: 21\n` +
      `threat:\n  - tactic: {id: TA0008, name: Lateral Movement}\n    technique: {id: T1021, name: Remote Services}\n` +
      `query:\n  language: eql\n  field_view: ecs\n  text: |\n${text.split(/\r?\n/).map((l) => '    ' + l).join('\n')}\n` +
      `tests:\n${tests}`;
    writeFileSync(path.join(det, `bench_${String(i).padStart(4, '0')}.yml`), yaml);
  }
}
